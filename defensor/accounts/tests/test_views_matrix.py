"""The persona matrix for every accounts view: who gets 200, 302, 403 and 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from defensor.accounts.models import Membership, Role
from defensor.accounts.services import invitation_create
from defensor.core.testing import assert_persona_matrix, make_member

MEMBERS_ONLY = {"anonymous": 302, "outsider": 200, "volunteer": 200, "case_officer": 200, "director": 200}


@pytest.mark.parametrize("url_name", ["accounts:profile", "accounts:security"])
def test_own_account_pages_are_open_to_every_member(personas, url_name):
    assert_persona_matrix(personas, reverse(url_name), MEMBERS_ONLY)


def test_member_list_needs_manage_members(personas):
    # The outsider directs another organisation: they see their own members, never ours.
    assert_persona_matrix(
        personas,
        reverse("accounts:members"),
        {"anonymous": 302, "outsider": 200, "volunteer": 403, "case_officer": 403, "director": 200},
    )


def test_outsider_member_list_does_not_show_our_members(personas):
    page = personas.client("outsider").get(reverse("accounts:members")).content.decode()
    assert personas.users["director"].email not in page


def test_member_role_change_matrix(personas):
    target = make_member(personas.organisation, "volunteer", email="second-volunteer@ji.test")
    membership = Membership.objects.get(user=target)
    role = Role.objects.get(organisation=personas.organisation, code="programme_staff")
    url = reverse("accounts:member_action", args=[membership.pk, "role"])
    assert_persona_matrix(
        personas,
        url,
        {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 403, "director": 302},
        method="post",
        data={"role": role.pk},
    )
    membership.refresh_from_db()
    assert membership.role == role


def test_invitation_revoke_matrix(personas):
    invitation, _token = invitation_create(
        actor=personas.users["director"],
        organisation=personas.organisation,
        email="new@ji.test",
        role=Role.objects.get(organisation=personas.organisation, code="volunteer"),
    )
    url = reverse("accounts:invitation_revoke", args=[invitation.pk])
    assert_persona_matrix(
        personas,
        url,
        {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 403, "director": 302},
        method="post",
    )
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


@pytest.mark.parametrize("url_name", ["accounts:roles", "core:audit"])
def test_administration_pages_need_administer(personas, url_name):
    closed = {"anonymous": 302, "outsider": 403, "volunteer": 403, "case_officer": 403, "director": 403}
    assert_persona_matrix(personas, reverse(url_name), closed)


@pytest.mark.parametrize("url_name", ["accounts:roles", "core:audit"])
def test_administrator_opens_administration_pages(personas, url_name):
    from defensor.core.testing import sign_in

    admin = make_member(personas.organisation, "administrator")
    from django.test import Client

    assert sign_in(Client(), admin).get(reverse(url_name)).status_code == 200


def test_role_edit_matrix(personas):
    role = Role.objects.get(organisation=personas.organisation, code="volunteer")
    closed = {"anonymous": 302, "outsider": 403, "volunteer": 403, "case_officer": 403, "director": 403}
    assert_persona_matrix(personas, reverse("accounts:role_edit", args=[role.pk]), closed)


def test_administrator_gets_404_for_a_role_of_another_organisation(personas):
    from django.test import Client

    from defensor.core.testing import sign_in

    admin = make_member(personas.organisation, "administrator")
    foreign = Role.objects.get(organisation=personas.other_organisation, code="volunteer")
    assert sign_in(Client(), admin).get(reverse("accounts:role_edit", args=[foreign.pk])).status_code == 404


def test_organisation_switch_matrix(personas):
    url = reverse("accounts:organisation_switch")
    assert_persona_matrix(
        personas,
        url,
        {"anonymous": 302, "outsider": 404, "volunteer": 302, "case_officer": 302, "director": 302},
        method="post",
        data={"organisation": personas.organisation.pk},
    )


def test_language_switch_is_open_to_everyone(personas):
    everyone = {"anonymous": 302, "outsider": 302, "volunteer": 302, "case_officer": 302, "director": 302}
    assert_persona_matrix(personas, reverse("accounts:language"), everyone, method="post", data={"language": "ru"})
