"""`defensor organisation`: what an operator does before anyone can sign in.

defensor organisation create --name "Justice International" --slug justice-international --short-name JI
defensor organisation invite --slug justice-international --email admin@example.org --role administrator
defensor organisation list
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from defensor.accounts.models import Organisation, Role
from defensor.accounts.services import invitation_create, organisation_create


class Command(BaseCommand):
    help = "Create organisations and invite their first members."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create an organisation with the default roles.")
        create.add_argument("--name", required=True)
        create.add_argument("--slug", required=True)
        create.add_argument("--short-name", default="")
        create.add_argument("--country", default="", help="ISO 3166 code, e.g. NL")
        create.add_argument("--language", default="en", choices=[code for code, _name in settings.LANGUAGES])
        invite = sub.add_parser("invite", help="Invite someone by email; the link is also printed here.")
        invite.add_argument("--slug", required=True)
        invite.add_argument("--email", required=True)
        invite.add_argument("--role", default="administrator", help="Role code, e.g. administrator, director")
        sub.add_parser("list", help="List the organisations and their members' count.")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"do_{action}")(**options)

    def do_create(self, *, name: str, slug: str, short_name: str, country: str, language: str, **_: Any) -> None:
        if Organisation.objects.filter(slug=slug).exists():
            raise CommandError(f"an organisation with the slug {slug!r} exists already")
        try:
            organisation = organisation_create(
                actor=None,
                name=name,
                slug=slug,
                short_name=short_name,
                country=country.upper(),
                default_language=language,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {organisation.name} ({organisation.slug})."))

    def do_invite(self, *, slug: str, email: str, role: str, **_: Any) -> None:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(f"no organisation with the slug {slug!r}")
        role_obj = Role.objects.filter(organisation=organisation, code=role).first()
        if role_obj is None:
            codes = ", ".join(Role.objects.filter(organisation=organisation).values_list("code", flat=True))
            raise CommandError(f"no role {role!r} in {organisation.name}; roles: {codes}")
        try:
            _invitation, token = invitation_create(
                actor=None, organisation=organisation, email=email, role=role_obj, by_operator=True
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        link = settings.SITE_URL.rstrip("/") + reverse("accounts:invitation_accept", args=[token])
        self.stdout.write(self.style.SUCCESS(f"Invited {email} as {role_obj.display_name}. The email is on its way."))
        self.stdout.write(
            f"Link (works once, expires in {int(settings.INVITATION_LIFETIME.total_seconds() // 3600)} h):"
        )
        self.stdout.write(link)

    def do_list(self, **_: Any) -> None:
        for organisation in Organisation.objects.order_by("name"):
            count = organisation.memberships.filter(status="active").count()
            self.stdout.write(f"{organisation.slug:<32} {organisation.name} — {count} active members")
