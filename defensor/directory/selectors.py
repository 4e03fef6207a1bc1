"""Reads of the directory, always through `visible_to`: what the user may not see does not exist.

People and institutions carry a sensitivity: confidential and secret ones are visible
only to members who may see confidential records. Lists of affiliations, office
holders and child institutions are narrowed the same way, so a restricted person never
shows up by the side door of an institution page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet

from defensor.core.audit import audit_record
from defensor.core.models import Sensitivity
from defensor.core.permissions import Capability, has_capability
from defensor.directory.models import (
    Affiliation,
    Consent,
    ContactChannel,
    ContactKind,
    Institution,
    InstitutionKind,
    NameKey,
    Person,
)
from defensor.directory.names import word_keys
from defensor.directory.services import email_index

PERSON_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name_latin", "name", "id"),
    "-name": ("-name_latin", "-name", "-id"),
    "updated": ("-updated_at", "-id"),
    "created": ("-created_at", "-id"),
}
INSTITUTION_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name_latin", "name", "id"),
    "country": ("country", "name_latin", "id"),
    "kind": ("kind", "name_latin", "id"),
}


def sees_confidential(user: Any, organisation_id: int) -> bool:
    """Whether the user may see confidential details (contacts, birth date, security notes) there."""
    return has_capability(user, organisation_id, Capability.VIEW_CONFIDENTIAL)


def can_edit(user: Any, organisation_id: int) -> bool:
    return has_capability(user, organisation_id, Capability.EDIT)


# ------------------------------------------------------------------ people


@dataclass(frozen=True)
class PersonFilters:
    query: str = ""
    profession: str = ""
    country: str = ""
    archived: bool = False
    sort: str = "name"


def _matching_names(organisation: Any, query: str) -> QuerySet[NameKey] | None:
    """Name keys containing every word of the query, in any script ('Matveev' finds 'Матвеев')."""
    words = word_keys(query)
    if not words:
        return None
    condition = Q()
    for word in words:
        condition &= Q(key__contains=word)
    return NameKey.objects.filter(organisation=organisation).filter(condition)


def person_list(*, user: Any, organisation: Any, filters: PersonFilters | None = None) -> QuerySet[Person]:
    """The people of the active organisation the user may see, filtered and sorted."""
    filters = filters or PersonFilters()
    people: QuerySet[Person] = Person.objects.visible_to(user, organisation=organisation)
    people = people.filter(archived_at__isnull=not filters.archived)
    if filters.query:
        names = _matching_names(organisation, filters.query)
        if names is not None:
            people = people.filter(pk__in=names.values("person_id"))
    if filters.profession:
        people = people.filter(professions__code=filters.profession)
    if filters.country:
        country = filters.country.upper()
        people = people.filter(Q(nationality=country) | Q(residence_country=country))
    order = PERSON_SORTS.get(filters.sort, PERSON_SORTS["name"])
    return people.order_by(*order).prefetch_related("professions")


def person_get(*, user: Any, organisation: Any, pk: int) -> Person | None:
    """One person the user may see (archived ones too), or None."""
    return (
        Person.objects.visible_to(user, organisation=organisation)
        .select_related("bar_association")
        .prefetch_related("professions", "languages")
        .filter(pk=pk)
        .first()
    )


def person_for_page(*, user: Any, organisation: Any, pk: int) -> Person | None:
    """A person shown in full to the user; reading a confidential or secret one is audited."""
    person = person_get(user=user, organisation=organisation, pk=pk)
    if person is not None and Sensitivity.is_restricted(person.sensitivity):
        audit_record(
            actor=user,
            action="directory.person.viewed",
            organisation=person.organisation_id,
            obj=person,
            changes={"sensitivity": person.sensitivity},
        )
    return person


def person_contacts(*, user: Any, person: Person, include_archived: bool = False) -> list[ContactChannel]:
    """The person's contact channels, for members who may see confidential records; nobody else."""
    if not sees_confidential(user, person.organisation_id):
        return []
    contacts = person.contacts.all()
    if not include_archived:
        contacts = contacts.filter(archived_at__isnull=True)
    return list(contacts)


def person_contact_get(*, user: Any, person: Person, pk: int) -> ContactChannel | None:
    if not sees_confidential(user, person.organisation_id):
        return None
    return person.contacts.filter(pk=pk, archived_at__isnull=True).first()


def people_with_email(*, user: Any, organisation: Any, email: str) -> QuerySet[Person]:
    """The people one of whose (current) email addresses is exactly `email`, through its blind index."""
    if not email.strip() or not sees_confidential(user, organisation.pk):
        return Person.objects.none()
    index = email_index(email, organisation_id=organisation.pk)
    holders = ContactChannel.objects.filter(
        organisation=organisation, kind=ContactKind.EMAIL, email_index=index, archived_at__isnull=True
    )
    return Person.objects.visible_to(user, organisation=organisation).filter(pk__in=holders.values("person_id"))


def person_consents(*, person: Person) -> list[Consent]:
    """Every consent of the person, withdrawn ones included: the history is part of the record."""
    return list(person.consents.select_related("recorded_by", "withdrawn_by"))


def person_consent_get(*, person: Person, pk: int) -> Consent | None:
    return person.consents.filter(pk=pk).first()


def person_affiliations(*, user: Any, person: Person) -> list[Affiliation]:
    """The person's positions at institutions the user may see."""
    institutions = Institution.objects.visible_to(user, organisation=person.organisation_id)
    return list(
        person.affiliations.filter(institution__in=institutions).select_related("institution", "institution__parent")
    )


def affiliation_get(*, user: Any, organisation: Any, pk: int) -> Affiliation | None:
    """An affiliation whose person and institution the user may both see."""
    people = Person.objects.visible_to(user, organisation=organisation)
    institutions = Institution.objects.visible_to(user, organisation=organisation)
    return (
        Affiliation.objects.filter(pk=pk, person__in=people, institution__in=institutions)
        .select_related("person", "institution")
        .first()
    )


def person_choices(*, user: Any, organisation: Any) -> QuerySet[Person]:
    return Person.objects.visible_to(user, organisation=organisation).filter(archived_at__isnull=True)


# ------------------------------------------------------------------ institutions


@dataclass(frozen=True)
class InstitutionFilters:
    query: str = ""
    kind: str = ""
    country: str = ""
    sort: str = "name"


def institution_list(
    *, user: Any, organisation: Any, filters: InstitutionFilters | None = None
) -> QuerySet[Institution]:
    filters = filters or InstitutionFilters()
    institutions: QuerySet[Institution] = Institution.objects.visible_to(user, organisation=organisation)
    if filters.query:
        text = filters.query.strip()
        institutions = institutions.filter(Q(name__icontains=text) | Q(name_latin__icontains=text))
    if filters.kind:
        institutions = institutions.filter(kind=filters.kind)
    if filters.country:
        institutions = institutions.filter(country=filters.country.upper())
    order = INSTITUTION_SORTS.get(filters.sort, INSTITUTION_SORTS["name"])
    return institutions.select_related("parent").order_by(*order)


def institution_get(*, user: Any, organisation: Any, pk: int) -> Institution | None:
    return (
        Institution.objects.visible_to(user, organisation=organisation).select_related("parent").filter(pk=pk).first()
    )


def visible_institution(*, user: Any, pk: int | None) -> Institution | None:
    """An institution referred to by another record, if the user may see it (None otherwise)."""
    if pk is None:
        return None
    return Institution.objects.visible_to(user).filter(pk=pk).first()


def institution_choices(
    *, user: Any, organisation: Any, kind: str = "", exclude: Institution | None = None
) -> QuerySet[Institution]:
    """Institutions to choose from in a form (a parent, a bar association, a workplace)."""
    institutions = Institution.objects.visible_to(user, organisation=organisation)
    if kind:
        institutions = institutions.filter(kind=kind)
    if exclude is not None:
        institutions = institutions.exclude(pk=exclude.pk)
    return institutions.order_by("name_latin", "name")


def bar_association_choices(*, user: Any, organisation: Any) -> QuerySet[Institution]:
    return institution_choices(user=user, organisation=organisation, kind=InstitutionKind.BAR_ASSOCIATION)


def institution_children(*, user: Any, institution: Institution) -> list[Institution]:
    visible = Institution.objects.visible_to(user, organisation=institution.organisation_id)
    return list(visible.filter(parent=institution).order_by("name_latin", "name"))


@dataclass(frozen=True)
class OfficeHolders:
    current: list[Affiliation]
    past: list[Affiliation]


def institution_holders(*, user: Any, institution: Institution, on: datetime.date | None = None) -> OfficeHolders:
    """Who holds a position at the institution on a day (today), and who held one before."""
    day = on or datetime.date.today()
    people = Person.objects.visible_to(user, organisation=institution.organisation_id)
    affiliations = list(institution.affiliations.filter(person__in=people).select_related("person"))
    current = [a for a in affiliations if a.is_current(day)]
    past = [a for a in affiliations if a.end_date is not None and a.end_date < day]
    return OfficeHolders(current=current, past=past)


def office_holder(
    institution: Institution, position: str, *, on: datetime.date | None = None, user: Any = None
) -> Affiliation | None:
    """The affiliation of whoever held `position` at `institution` on a day (today).

    Letters are addressed through it: `.person` is the addressee, `.position` the exact
    title. The position is matched without regard to case. When two people overlap (a
    handover), the one who started last is the holder. With `user`, only a person that
    user may see is returned.
    """
    day = on or datetime.date.today()
    holders = (
        Affiliation.objects.filter(institution=institution, position__iexact=position.strip())
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=day))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("person")
    )
    if user is not None:
        holders = holders.filter(person__in=Person.objects.visible_to(user, organisation=institution.organisation_id))
    holder: Affiliation | None = holders.order_by(F("start_date").desc(nulls_last=True), "-id").first()
    return holder
