"""Who sees a case: the organisation for internal cases, the access list for confidential ones."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from defensor.cases import services
from defensor.cases.models import Case
from defensor.core.models import AuditEntry
from defensor.core.testing import make_member


def visible(user) -> set[int]:  # type: ignore[no-untyped-def]
    return set(Case.objects.visible_to(user).values_list("pk", flat=True))


def test_internal_case_is_visible_to_every_member_who_may_view(world):
    assert world.internal_case.pk in visible(world.user("volunteer"))


def test_confidential_case_is_hidden_from_a_member_not_on_the_list(world):
    assert world.confidential_case.pk not in visible(world.user("volunteer"))


def test_director_is_not_exempt_from_the_access_list(world):
    assert world.confidential_case.pk not in visible(world.user("director"))


def test_administrator_is_not_exempt_from_the_access_list(world):
    admin = make_member(world.organisation, "administrator")
    assert world.confidential_case.pk not in visible(admin)


def test_lead_sees_the_confidential_case(world):
    assert world.confidential_case.pk in visible(world.user("case_officer"))


def test_outsider_sees_no_case(world):
    assert visible(world.user("outsider")) == set()


def test_granted_volunteer_sees_the_case_and_loses_it_on_revocation(world):
    officer, volunteer = world.user("case_officer"), world.user("volunteer")
    access = services.access_grant(actor=officer, case=world.confidential_case, user=volunteer)
    assert world.confidential_case.pk in visible(volunteer)
    services.access_revoke(actor=officer, access=access)
    assert world.confidential_case.pk not in visible(volunteer)


def test_only_the_lead_grants_access(world):
    with pytest.raises(PermissionDenied):
        services.access_grant(actor=world.user("director"), case=world.confidential_case, user=world.user("volunteer"))


def test_access_is_only_for_members_of_the_organisation(world):
    with pytest.raises(ValidationError):
        services.access_grant(
            actor=world.user("case_officer"), case=world.confidential_case, user=world.user("outsider")
        )


def test_grant_and_revocation_are_audited(world):
    officer = world.user("case_officer")
    access = services.access_grant(actor=officer, case=world.confidential_case, user=world.user("volunteer"))
    services.access_revoke(actor=officer, access=access)
    actions = list(
        AuditEntry.objects.filter(object_id=str(world.confidential_case.pk)).values_list("action", flat=True)
    )
    assert "cases.access.granted" in actions and "cases.access.revoked" in actions


def test_share_with_a_partner_needs_consent_or_a_reason(world):
    with pytest.raises(ValidationError):
        services.share_grant(
            actor=world.user("case_officer"), case=world.internal_case, partner=world.personas.other_organisation
        )


def test_partner_sees_only_the_shared_case_until_the_share_ends(world):
    officer, outsider = world.user("case_officer"), world.user("outsider")
    share = services.share_grant(
        actor=officer,
        case=world.internal_case,
        partner=world.personas.other_organisation,
        override_reason="Joint urgent appeal agreed with the family by phone",
    )
    assert visible(outsider) == {world.internal_case.pk}
    services.share_revoke(actor=officer, share=share)
    assert visible(outsider) == set()


def test_share_can_rest_on_a_recorded_consent(world):
    import datetime

    from defensor.directory.models import Consent

    consent = Consent.objects.create(
        organisation=world.organisation,
        person=world.person,
        scope="share_with_partner",
        given_on=datetime.date(2017, 5, 1),
        method="written",
        recorded_by=world.user("case_officer"),
    )
    share = services.share_grant(
        actor=world.user("case_officer"),
        case=world.internal_case,
        partner=world.personas.other_organisation,
        consent=consent,
    )
    assert share.consent == consent


def test_volunteer_cannot_edit_an_internal_case(world):
    with pytest.raises(PermissionDenied):
        services.risk_assess(actor=world.user("volunteer"), case=world.internal_case, level="high", reason="x")


def test_access_list_member_without_edit_right_cannot_edit(world):
    officer = world.user("case_officer")
    colleague = make_member(world.organisation, "case_officer", email="second.officer@ji.test")
    services.access_grant(actor=officer, case=world.confidential_case, user=colleague, can_edit=False)
    with pytest.raises(PermissionDenied):
        services.risk_assess(actor=colleague, case=world.confidential_case, level="high", reason="New threats")
