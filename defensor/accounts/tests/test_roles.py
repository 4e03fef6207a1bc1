from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from defensor.accounts.models import Role
from defensor.accounts.services import role_update
from defensor.core.testing import make_member, sign_in


def test_roles_are_data_an_administrator_adjusts(personas):
    admin = make_member(personas.organisation, "administrator")
    volunteer_role = Role.objects.get(organisation=personas.organisation, code="volunteer")
    client = sign_in(Client(), admin)
    response = client.post(
        reverse("accounts:role_edit", args=[volunteer_role.pk]),
        {"name": "Volunteer (mentorship)", "capabilities": ["view", "manage_members"]},
    )
    assert response.status_code == 302
    assert personas.client("volunteer").get(reverse("accounts:members")).status_code == 200


def test_director_is_not_an_administrator(personas):
    role = Role.objects.get(organisation=personas.organisation, code="volunteer")
    with pytest.raises(PermissionDenied):
        role_update(actor=personas.users["director"], role=role, name="", capabilities={"view"})


def test_the_last_administrator_role_in_use_keeps_its_capability(personas):
    admin = make_member(personas.organisation, "administrator")
    role = Role.objects.get(organisation=personas.organisation, code="administrator")
    with pytest.raises(ValidationError):
        role_update(actor=admin, role=role, name="", capabilities={"view"})


def test_view_confidential_needs_view(personas):
    admin = make_member(personas.organisation, "administrator")
    role = Role.objects.get(organisation=personas.organisation, code="volunteer")
    with pytest.raises(ValidationError):
        role_update(actor=admin, role=role, name="", capabilities={"view_confidential"})


def test_default_role_names_follow_the_language(personas):
    role = Role.objects.get(organisation=personas.organisation, code="director")
    with translation.override("en"):
        english = role.display_name
    assert english == "Director"


def test_custom_role_name_is_kept(personas):
    role = Role.objects.get(organisation=personas.organisation, code="volunteer")
    role.name = "Mentor"
    assert role.display_name == "Mentor"
