"""Demo organisations and one user per role (run by `defensor demo`)."""

from __future__ import annotations

from typing import Any

from defensor.accounts.models import Organisation, Role, User
from defensor.accounts.services import membership_add, organisation_create

JUSTICE_INTERNATIONAL = {
    "name": "Justice International",
    "short_name": "JI",
    "slug": "justice-international",
    "country": "US",
    "default_language": "en",
}
LAWYERS_FOR_LAWYERS = {
    "name": "Lawyers for Lawyers",
    "short_name": "L4L",
    "slug": "lawyers-for-lawyers",
    "country": "NL",
    "default_language": "en",
}

# (email, full name, role code)
JI_PEOPLE = [
    ("director@ji.example", "Dana Whitfield", "director"),
    ("officer@ji.example", "Aigerim Bekova", "case_officer"),
    ("programmes@ji.example", "Tom Reyes", "programme_staff"),
    ("volunteer@ji.example", "Nadia Karimova", "volunteer"),
    ("observer@ji.example", "Pieter de Vries", "trial_observer"),
    ("expert@ji.example", "Irina Sokolova", "probono_expert"),
    ("partner@ji.example", "Sanne Jansen", "partner_readonly"),
    ("admin@ji.example", "Sam Okafor", "administrator"),
]
L4L_PEOPLE = [
    ("director@l4l.example", "Marieke Bos", "director"),
    ("officer@l4l.example", "Joost Visser", "case_officer"),
]


def _organisation(spec: dict[str, str]) -> Organisation:
    existing = Organisation.objects.filter(slug=spec["slug"]).first()
    return existing or organisation_create(actor=None, **spec)


def _people(demo: Any, organisation: Organisation, people: list[tuple[str, str, str]]) -> None:
    for email, full_name, role_code in people:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, demo.password, full_name=full_name, is_demo=True)
        role = Role.objects.get(organisation=organisation, code=role_code)
        if not user.memberships.filter(organisation=organisation).exists():
            membership_add(actor=None, organisation=organisation, user=user, role=role)
        demo.objects[f"user:{email}"] = user
        demo.logins.append((email, role.display_name, organisation.label))


def build(demo: Any) -> None:
    ji = _organisation(JUSTICE_INTERNATIONAL)
    l4l = _organisation(LAWYERS_FOR_LAWYERS)
    demo.objects["org:ji"] = ji
    demo.objects["org:l4l"] = l4l
    _people(demo, ji, JI_PEOPLE)
    _people(demo, l4l, L4L_PEOPLE)
