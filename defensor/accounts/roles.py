"""The roles every new organisation starts with. Administrators may change them afterwards."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class DefaultRole:
    code: str
    name: Promise
    description: Promise
    capabilities: tuple[str, ...]


DEFAULT_ROLES = (
    DefaultRole(
        "director",
        _("Director"),
        _("Leads the organisation; sees and does everything."),
        ("view", "view_confidential", "edit", "export", "publish", "manage_members"),
    ),
    DefaultRole(
        "case_officer",
        _("Case officer"),
        _("Works the cases and programmes day to day."),
        ("view", "view_confidential", "edit", "export"),
    ),
    DefaultRole(
        "programme_staff",
        _("Programme staff"),
        _("Runs a programme: campaigns, trainings, advocacy."),
        ("view", "edit"),
    ),
    DefaultRole("volunteer", _("Volunteer"), _("Helps with the tasks and cases they are assigned to."), ("view",)),
    DefaultRole("trial_observer", _("Trial observer"), _("Observes the hearings they are assigned to."), ("view",)),
    DefaultRole("probono_expert", _("Pro-bono expert"), _("Advises on the cases they are assigned to."), ("view",)),
    DefaultRole(
        "partner_readonly",
        _("Partner (read-only)"),
        _("Someone from a partner organisation who reads what is shared."),
        ("view",),
    ),
    DefaultRole(
        "administrator",
        _("Administrator"),
        _("Configures the organisation: members, roles, the audit log."),
        ("view", "manage_members", "administer", "export"),
    ),
)

DEFAULT_ROLE_BY_CODE = {role.code: role for role in DEFAULT_ROLES}
