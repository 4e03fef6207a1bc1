"""Writes of the directory. Every function is atomic, takes the acting user, checks, validates and audits.

Audit entries name the fields that changed and never carry their values: names, birth
dates and contact details of people at risk must not end up in a log that can never be
edited.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from defensor.core.audit import audit_record, changed_fields
from defensor.core.crypto import blind_index
from defensor.core.models import Sensitivity
from defensor.core.permissions import Capability, has_capability
from defensor.core.uploads import IMAGE_TYPES, sanitise_upload
from defensor.directory.models import (
    Affiliation,
    Consent,
    ContactChannel,
    ContactKind,
    Gender,
    Institution,
    NameKey,
    Person,
    PersonLanguage,
    PersonProfession,
    Profession,
    normalise_email,
    photo_storage_name,
)
from defensor.directory.names import name_key, transliterate

EMAIL_INDEX_CONTEXT = "directory.contact.email"
# Shown only to members who may see confidential records; writing them needs the same.
CONFIDENTIAL_PERSON_FIELDS = frozenset({"birth_date", "bar_number", "security_notes"})
PERSON_FIELDS = (
    "name",
    "name_latin",
    "aliases",
    "gender",
    "birth_date",
    "nationality",
    "residence_country",
    "professions",
    "bar_association",
    "bar_number",
    "languages",
    "expertise_areas",
    "jurisdictions",
    "notes",
    "security_notes",
    "sensitivity",
)
INSTITUTION_FIELDS = (
    "name",
    "name_latin",
    "kind",
    "court_level",
    "court_type",
    "country",
    "parent",
    "postal_address",
    "email",
    "salutations",
    "website",
    "notes",
    "sensitivity",
)


def _require(actor: Any, organisation_id: int, capability: str) -> None:
    if not has_capability(actor, organisation_id, capability):
        raise PermissionDenied(_("You do not have permission to do this."))


def _require_edit_person(actor: Any, person: Person) -> None:
    _require(actor, person.organisation_id, Capability.EDIT)
    if Sensitivity.is_restricted(person.sensitivity):
        _require(actor, person.organisation_id, Capability.VIEW_CONFIDENTIAL)


def _require_edit_institution(actor: Any, institution: Institution) -> None:
    _require(actor, institution.organisation_id, Capability.EDIT)
    if Sensitivity.is_restricted(institution.sensitivity):
        _require(actor, institution.organisation_id, Capability.VIEW_CONFIDENTIAL)


def email_index(value: str, *, organisation_id: int) -> str:
    """The blind index of an email address: equal for equal addresses, meaningless without the key."""
    return blind_index(normalise_email(value), organisation_id=organisation_id, context=EMAIL_INDEX_CONTEXT)


# ------------------------------------------------------------------ people


def _clean_list(values: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        text = str(value).strip()
        if text and text not in seen:
            seen.append(text)
    return seen


def _snapshot(person: Person) -> dict[str, Any]:
    state = {name: getattr(person, name) for name in PERSON_FIELDS if name not in ("professions", "languages")}
    state["bar_association"] = person.bar_association_id
    if person.pk is not None:
        state["professions"] = sorted(person.profession_codes())
        state["languages"] = sorted((lang.language, lang.level) for lang in person.languages.all())
    else:
        state["professions"], state["languages"] = [], []
    return state


def _assign_person_fields(person: Person, values: Mapping[str, Any]) -> None:
    for field, value in values.items():
        if field in ("professions", "languages"):
            continue
        if field in ("aliases", "expertise_areas", "jurisdictions"):
            value = _clean_list(value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(person, field, value)
    if not person.name_latin and person.name:
        person.name_latin = transliterate(person.name)
    person.aliases = [a for a in person.aliases if a not in (person.name, person.name_latin)]
    person.name_key = name_key(person.name)


def _save_name_keys(person: Person) -> None:
    NameKey.objects.filter(person=person).delete()
    names = [(NameKey.Source.NAME, person.name), (NameKey.Source.LATIN, person.name_latin)]
    names += [(NameKey.Source.ALIAS, alias) for alias in person.aliases]
    seen: set[str] = set()
    rows = []
    for source, text in names:
        key = name_key(text)
        if key and key not in seen:
            seen.add(key)
            rows.append(NameKey(organisation_id=person.organisation_id, person=person, key=key, source=source))
    NameKey.objects.bulk_create(rows)


def _save_professions(person: Person, codes: Iterable[str]) -> None:
    wanted = _clean_list(codes)
    unknown = [code for code in wanted if code not in Profession.values]
    if unknown:
        raise ValidationError({"professions": _("Unknown profession: %(code)s") % {"code": ", ".join(unknown)}})
    person.professions.exclude(code__in=wanted).delete()
    existing = set(person.professions.values_list("code", flat=True))
    PersonProfession.objects.bulk_create(
        PersonProfession(organisation_id=person.organisation_id, person=person, code=code)
        for code in wanted
        if code not in existing
    )


def _save_languages(person: Person, languages: Iterable[tuple[str, str]]) -> None:
    rows: list[PersonLanguage] = []
    seen: set[str] = set()
    for code, level in languages:
        code = code.strip().lower()
        if code in seen:
            raise ValidationError({"languages": _("Each language may be listed once.")})
        seen.add(code)
        row = PersonLanguage(organisation_id=person.organisation_id, person=person, language=code, level=level)
        try:
            row.full_clean(exclude=["person"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            raise ValidationError({"languages": exc.messages}) from exc
        rows.append(row)
    person.languages.all().delete()
    PersonLanguage.objects.bulk_create(rows)


def _check_confidential_input(actor: Any, organisation_id: int, values: Mapping[str, Any]) -> None:
    if any(values.get(name) for name in CONFIDENTIAL_PERSON_FIELDS):
        _require(actor, organisation_id, Capability.VIEW_CONFIDENTIAL)


@transaction.atomic
def person_create(
    *,
    actor: Any,
    organisation: Any,
    name: str,
    name_latin: str = "",
    aliases: Iterable[str] = (),
    gender: str = Gender.UNSPECIFIED,
    birth_date: str = "",
    nationality: str = "",
    residence_country: str = "",
    professions: Iterable[str] = (),
    bar_association: Institution | None = None,
    bar_number: str = "",
    languages: Iterable[tuple[str, str]] = (),
    expertise_areas: Iterable[str] = (),
    jurisdictions: Iterable[str] = (),
    notes: str = "",
    security_notes: str = "",
    sensitivity: str = Sensitivity.INTERNAL,
) -> Person:
    """Add a person to the organisation's directory."""
    _require(actor, organisation.pk, Capability.EDIT)
    values: dict[str, Any] = {
        "name": name,
        "name_latin": name_latin,
        "aliases": list(aliases),
        "gender": gender,
        "birth_date": birth_date,
        "nationality": nationality,
        "residence_country": residence_country,
        "bar_association": bar_association,
        "bar_number": bar_number,
        "expertise_areas": list(expertise_areas),
        "jurisdictions": list(jurisdictions),
        "notes": notes,
        "security_notes": security_notes,
        "sensitivity": sensitivity,
    }
    _check_confidential_input(actor, organisation.pk, values)
    person = Person(organisation=organisation)
    _assign_person_fields(person, values)
    person.full_clean()
    person.save()
    _save_professions(person, professions)
    _save_languages(person, languages)
    _save_name_keys(person)
    audit_record(
        actor=actor,
        action="directory.person.created",
        organisation=organisation,
        obj=person,
        changes={"fields": sorted(name for name, value in _snapshot(person).items() if value)},
    )
    return person


@transaction.atomic
def person_update(*, actor: Any, person: Person, **changes: Any) -> Person:
    """Change some of a person's details; only the fields given are touched."""
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"person_update() got unknown fields: {sorted(unknown)}")
    _require_edit_person(actor, person)
    if any(name in CONFIDENTIAL_PERSON_FIELDS for name in changes):
        _require(actor, person.organisation_id, Capability.VIEW_CONFIDENTIAL)
    before = _snapshot(person)
    _assign_person_fields(person, changes)
    person.full_clean()
    person.save()
    if "professions" in changes:
        _save_professions(person, changes["professions"])
    if "languages" in changes:
        _save_languages(person, changes["languages"])
    _save_name_keys(person)
    summary = changed_fields(before, _snapshot(person), secret=PERSON_FIELDS)
    if summary:
        audit_record(
            actor=actor,
            action="directory.person.updated",
            organisation=person.organisation,
            obj=person,
            changes=summary,
        )
    return person


@transaction.atomic
def person_archive(*, actor: Any, person: Person) -> Person:
    """Take a person out of the lists. Nothing is deleted: the record, its history and links stay."""
    _require_edit_person(actor, person)
    if person.archived_at is None:
        person.archived_at = timezone.now()
        person.archived_by = actor
        person.save(update_fields=["archived_at", "archived_by", "updated_at"])
        audit_record(actor=actor, action="directory.person.archived", organisation=person.organisation, obj=person)
    return person


@transaction.atomic
def person_restore(*, actor: Any, person: Person) -> Person:
    _require_edit_person(actor, person)
    if person.archived_at is not None:
        person.archived_at = None
        person.archived_by = None
        person.save(update_fields=["archived_at", "archived_by", "updated_at"])
        audit_record(actor=actor, action="directory.person.restored", organisation=person.organisation, obj=person)
    return person


@transaction.atomic
def photo_set(*, actor: Any, person: Person, data: bytes, filename: str) -> Person:
    """Store a person's photo, re-encoded without its metadata (EXIF, GPS), encrypted at rest.

    The photo it replaces stays in storage (nothing is lost); the audit log says when it changed.
    """
    _require_edit_person(actor, person)
    clean = sanitise_upload(data, filename, allowed=set(IMAGE_TYPES))
    stored = default_storage.save(
        photo_storage_name(person.organisation_id, clean.extension), ContentFile(clean.content)
    )
    replaced = bool(person.photo)
    person.photo.name = stored
    person.photo_mime = clean.mime
    person.save(update_fields=["photo", "photo_mime", "updated_at"])
    audit_record(
        actor=actor,
        action="directory.person.photo_set",
        organisation=person.organisation,
        obj=person,
        changes={"photo": "replaced" if replaced else "added", "metadata_removed": list(clean.stripped)},
    )
    return person


# ------------------------------------------------------------------ contacts


@transaction.atomic
def contact_add(*, actor: Any, person: Person, kind: str, value: str, messenger: str = "") -> ContactChannel:
    """Add a way to reach a person (encrypted; needs the right to see confidential records)."""
    _require_edit_person(actor, person)
    _require(actor, person.organisation_id, Capability.VIEW_CONFIDENTIAL)
    contact = ContactChannel(
        organisation_id=person.organisation_id, person=person, kind=kind, messenger=messenger, value=value.strip()
    )
    contact.full_clean()
    if contact.kind == ContactKind.EMAIL:
        contact.value = normalise_email(contact.value)
        contact.email_index = email_index(contact.value, organisation_id=person.organisation_id)
    contact.save()
    audit_record(
        actor=actor,
        action="directory.contact.added",
        organisation=person.organisation,
        obj=contact,
        changes={"person": person.pk, "kind": contact.kind},
    )
    return contact


@transaction.atomic
def contact_remove(*, actor: Any, contact: ContactChannel) -> ContactChannel:
    """Stop using a contact channel. It is archived, not deleted, so the history stays readable."""
    _require_edit_person(actor, contact.person)
    _require(actor, contact.organisation_id, Capability.VIEW_CONFIDENTIAL)
    if contact.archived_at is None:
        contact.archived_at = timezone.now()
        contact.archived_by = actor
        contact.save(update_fields=["archived_at", "archived_by", "updated_at"])
        audit_record(
            actor=actor,
            action="directory.contact.removed",
            organisation=contact.person.organisation,
            obj=contact,
            changes={"person": contact.person_id, "kind": contact.kind},
        )
    return contact


# ------------------------------------------------------------------ consent


@transaction.atomic
def consent_record(
    *, actor: Any, person: Person, scope: str, given_on: datetime.date, method: str, note: str = ""
) -> Consent:
    """Record what a person consented to, when and how."""
    _require_edit_person(actor, person)
    consent = Consent(
        organisation_id=person.organisation_id,
        person=person,
        scope=scope,
        given_on=given_on,
        method=method,
        note=note.strip(),
        recorded_by=actor,
    )
    consent.full_clean()
    consent.save()
    audit_record(
        actor=actor,
        action="directory.consent.recorded",
        organisation=person.organisation,
        obj=consent,
        changes={"person": person.pk, "scope": scope, "given_on": given_on.isoformat(), "method": method},
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Any, consent: Consent, withdrawn_on: datetime.date, note: str = "") -> Consent:
    """Record that a consent was withdrawn. The consent itself stays, with both dates."""
    _require_edit_person(actor, consent.person)
    if consent.withdrawn_on is not None:
        raise ValidationError(_("This consent was already withdrawn."))
    consent.withdrawn_on = withdrawn_on
    consent.withdrawn_by = actor
    consent.withdrawal_note = note.strip()
    consent.full_clean()
    consent.save(update_fields=["withdrawn_on", "withdrawn_by", "withdrawal_note", "updated_at"])
    audit_record(
        actor=actor,
        action="directory.consent.withdrawn",
        organisation=consent.person.organisation,
        obj=consent,
        changes={"person": consent.person_id, "scope": consent.scope, "withdrawn_on": withdrawn_on.isoformat()},
    )
    return consent


# ------------------------------------------------------------------ institutions


def _check_parent(institution: Institution) -> None:
    parent = institution.parent
    seen: set[int] = set()
    while parent is not None and institution.pk is not None:
        if parent.pk == institution.pk:
            raise ValidationError({"parent": _("An institution cannot be part of one of its own parts.")})
        if parent.pk in seen:
            break
        seen.add(parent.pk)
        parent = parent.parent


def _clean_salutations(value: Mapping[str, str] | None) -> dict[str, str]:
    return {code.strip().lower(): text.strip() for code, text in (value or {}).items() if text and text.strip()}


def _institution_snapshot(institution: Institution) -> dict[str, Any]:
    state = {name: getattr(institution, name) for name in INSTITUTION_FIELDS}
    state["parent"] = institution.parent_id
    return state


@transaction.atomic
def institution_create(
    *,
    actor: Any,
    organisation: Any,
    name: str,
    kind: str,
    name_latin: str = "",
    court_level: str = "",
    court_type: str = "",
    country: str = "",
    parent: Institution | None = None,
    postal_address: str = "",
    email: str = "",
    salutations: Mapping[str, str] | None = None,
    website: str = "",
    notes: str = "",
    sensitivity: str = Sensitivity.INTERNAL,
) -> Institution:
    """Add an institution (a court, prosecutor's office, UN body, partner...) to the directory."""
    _require(actor, organisation.pk, Capability.EDIT)
    institution = Institution(
        organisation=organisation,
        name=name.strip(),
        name_latin=name_latin.strip() or transliterate(name.strip()),
        kind=kind,
        court_level=court_level,
        court_type=court_type,
        country=country,
        parent=parent,
        postal_address=postal_address.strip(),
        email=email.strip(),
        salutations=_clean_salutations(salutations),
        website=website.strip(),
        notes=notes.strip(),
        sensitivity=sensitivity,
    )
    institution.full_clean()
    institution.save()
    audit_record(
        actor=actor,
        action="directory.institution.created",
        organisation=organisation,
        obj=institution,
        changes={"fields": sorted(k for k, v in _institution_snapshot(institution).items() if v)},
    )
    return institution


@transaction.atomic
def institution_update(*, actor: Any, institution: Institution, **changes: Any) -> Institution:
    """Change some of an institution's details; only the fields given are touched."""
    unknown = set(changes) - set(INSTITUTION_FIELDS)
    if unknown:
        raise TypeError(f"institution_update() got unknown fields: {sorted(unknown)}")
    _require_edit_institution(actor, institution)
    before = _institution_snapshot(institution)
    for field, value in changes.items():
        if field == "salutations":
            value = _clean_salutations(value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(institution, field, value)
    if not institution.name_latin:
        institution.name_latin = transliterate(institution.name)
    institution.full_clean()
    _check_parent(institution)
    institution.save()
    summary = changed_fields(before, _institution_snapshot(institution), secret=("notes",))
    if summary:
        audit_record(
            actor=actor,
            action="directory.institution.updated",
            organisation=institution.organisation,
            obj=institution,
            changes=summary,
        )
    return institution


# ------------------------------------------------------------------ affiliations


@transaction.atomic
def affiliation_add(
    *,
    actor: Any,
    person: Person,
    institution: Institution,
    position: str,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    note: str = "",
) -> Affiliation:
    """Record that a person holds (or held) a position at an institution."""
    _require_edit_person(actor, person)
    if Sensitivity.is_restricted(institution.sensitivity):
        _require(actor, institution.organisation_id, Capability.VIEW_CONFIDENTIAL)
    affiliation = Affiliation(
        organisation_id=person.organisation_id,
        person=person,
        institution=institution,
        position=position.strip(),
        start_date=start_date,
        end_date=end_date,
        note=note.strip(),
    )
    affiliation.full_clean()
    affiliation.save()
    audit_record(
        actor=actor,
        action="directory.affiliation.added",
        organisation=person.organisation,
        obj=affiliation,
        changes={"person": person.pk, "institution": institution.pk, "position": affiliation.position},
    )
    return affiliation


@transaction.atomic
def affiliation_end(*, actor: Any, affiliation: Affiliation, end_date: datetime.date) -> Affiliation:
    """Record the day a person left a position."""
    _require_edit_person(actor, affiliation.person)
    if affiliation.end_date is not None:
        raise ValidationError(_("This position has already ended."))
    affiliation.end_date = end_date
    affiliation.full_clean()
    affiliation.save(update_fields=["end_date", "updated_at"])
    audit_record(
        actor=actor,
        action="directory.affiliation.ended",
        organisation=affiliation.person.organisation,
        obj=affiliation,
        changes={"end_date": end_date.isoformat()},
    )
    return affiliation
