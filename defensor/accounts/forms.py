from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from defensor.accounts.models import Role
from defensor.core.permissions import Capability


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.none())

    def __init__(self, *args: Any, roles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field: Any = self.fields["role"]
        role_field.queryset = roles
        role_field.label_from_instance = lambda role: role.display_name


class MembershipRoleForm(forms.Form):
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.none())

    def __init__(self, *args: Any, roles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field: Any = self.fields["role"]
        role_field.queryset = roles
        role_field.label_from_instance = lambda role: role.display_name


CAPABILITY_LABELS = {
    Capability.VIEW: _("View the organisation's records"),
    Capability.VIEW_CONFIDENTIAL: _("View confidential and secret records"),
    Capability.EDIT: _("Create and edit records"),
    Capability.EXPORT: _("Export data and download documents in bulk"),
    Capability.PUBLISH: _("Publish to the public site"),
    Capability.MANAGE_MEMBERS: _("Invite and manage members"),
    Capability.ADMINISTER: _("Administer roles and read the audit log"),
}


class RoleForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, required=False, help_text=_("Leave empty to use the default name.")
    )
    capabilities = forms.MultipleChoiceField(
        label=_("Capabilities"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(str(cap), label) for cap, label in CAPABILITY_LABELS.items()],
    )


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class InvitationAcceptForm(forms.Form):
    full_name = forms.CharField(label=_("Your full name"), max_length=200)
    password = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters; not a common password."),
    )
    password_again = forms.CharField(
        label=_("The same password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data
