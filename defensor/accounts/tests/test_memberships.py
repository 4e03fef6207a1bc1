from __future__ import annotations

import pytest
from allauth.usersessions.models import UserSession
from django.core.exceptions import ValidationError
from django.urls import reverse

from defensor.accounts.models import Membership, Role
from defensor.accounts.services import membership_change_role, membership_disable, membership_remove
from defensor.core.models import AuditEntry


def _membership(personas, persona):
    return Membership.objects.get(user=personas.users[persona], organisation=personas.organisation)


def test_disabling_a_member_ends_their_sessions_at_once(personas):
    volunteer_client = personas.client("volunteer")
    assert volunteer_client.get("/app/").status_code == 200
    assert UserSession.objects.filter(user=personas.users["volunteer"]).exists()
    membership_disable(actor=personas.users["director"], membership=_membership(personas, "volunteer"))
    response = volunteer_client.get("/app/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_removed_member_loses_access(personas):
    volunteer_client = personas.client("volunteer")
    volunteer_client.get("/app/")
    membership_remove(actor=personas.users["director"], membership=_membership(personas, "volunteer"))
    assert not Membership.objects.filter(user=personas.users["volunteer"]).exists()
    assert volunteer_client.get("/app/").status_code == 302


def test_disabled_member_signing_in_again_sees_no_organisation(personas):
    membership_disable(actor=personas.users["director"], membership=_membership(personas, "volunteer"))
    assert personas.client("volunteer").get("/app/").status_code == 403


def test_director_cannot_disable_themselves(personas):
    with pytest.raises(ValidationError):
        membership_disable(actor=personas.users["director"], membership=_membership(personas, "director"))


def test_organisation_keeps_someone_who_manages_members(personas):
    volunteer_role = Role.objects.get(organisation=personas.organisation, code="volunteer")
    with pytest.raises(ValidationError):
        membership_change_role(
            actor=personas.users["director"], membership=_membership(personas, "director"), role=volunteer_role
        )


def test_role_change_is_audited_with_before_and_after(personas):
    staff = Role.objects.get(organisation=personas.organisation, code="programme_staff")
    membership_change_role(actor=personas.users["director"], membership=_membership(personas, "volunteer"), role=staff)
    entry = AuditEntry.objects.filter(action="accounts.membership.role_changed").get()
    assert entry.changes == {"role": {"from": "volunteer", "to": "programme_staff"}}
    assert entry.actor_id == personas.users["director"].pk


def test_new_role_takes_effect_on_the_next_request(personas):
    client = personas.client("volunteer")
    assert client.get(reverse("accounts:members")).status_code == 403
    director_role = Role.objects.get(organisation=personas.organisation, code="director")
    membership_change_role(
        actor=personas.users["director"], membership=_membership(personas, "volunteer"), role=director_role
    )
    assert client.get(reverse("accounts:members")).status_code == 200


def test_htmx_role_change_returns_the_row(personas):
    staff = Role.objects.get(organisation=personas.organisation, code="programme_staff")
    membership = _membership(personas, "volunteer")
    response = personas.client("director").post(
        reverse("accounts:member_action", args=[membership.pk, "role"]), {"role": staff.pk}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.strip().startswith(f'<tr id="member-{membership.pk}"')
    assert "<html" not in body


def test_member_in_two_organisations_switches_between_them(personas):
    from defensor.accounts.services import membership_add

    user = personas.users["volunteer"]
    membership_add(
        actor=None,
        organisation=personas.other_organisation,
        user=user,
        role=Role.objects.get(organisation=personas.other_organisation, code="volunteer"),
    )
    client = personas.client("volunteer")
    assert client.get("/app/").context["active_organisation"] == personas.organisation
    client.post(reverse("accounts:organisation_switch"), {"organisation": personas.other_organisation.pk})
    page = client.get("/app/")
    assert page.context["active_organisation"] == personas.other_organisation
    assert personas.other_organisation.name in page.content.decode()
