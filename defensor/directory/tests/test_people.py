"""People: creating, changing, archiving; what is encrypted, what is audited, who may write."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from defensor.core.models import AuditEntry, Sensitivity
from defensor.core.testing import make_member, raw_column
from defensor.directory.models import InstitutionKind, LanguageLevel, NameKey, Person, Profession
from defensor.directory.selectors import PersonFilters, person_list
from defensor.directory.services import person_archive, person_restore, person_update


def test_create_fills_the_latin_name_by_transliteration(make_person):
    person = make_person("Гаспар Маталаев")
    assert person.name_latin == "Gaspar Matalaev"


def test_create_keeps_a_latin_name_that_was_given(make_person):
    person = make_person("Матвеев", name_latin="Matveyev")
    assert person.name_latin == "Matveyev"


def test_create_stores_a_key_for_each_name_and_alias(make_person):
    person = make_person("Айгуль Темирова", name_latin="Aigul Temirova", aliases=["Aigul Nurlanovna", " "])
    keys = set(NameKey.objects.filter(person=person).values_list("key", flat=True))
    # The name and its Latin spelling share one key; the blank alias is dropped.
    assert keys == {"aigul temirova", "aigul nurlanovna"}
    assert person.aliases == ["Aigul Nurlanovna"]


def test_create_stores_professions_and_languages(make_person):
    person = make_person(
        "Deniz Arslan",
        professions=[Profession.LAWYER, Profession.ADVOCATE],
        languages=[("tr", LanguageLevel.NATIVE), ("en", LanguageLevel.B2)],
    )
    assert sorted(person.profession_codes()) == ["advocate", "lawyer"]
    assert {(lang.language, lang.level) for lang in person.languages.all()} == {("tr", "native"), ("en", "B2")}


def test_a_language_listed_twice_is_refused(make_person):
    with pytest.raises(ValidationError) as caught:
        make_person("Deniz Arslan", languages=[("tr", "native"), ("tr", "C1")])
    assert "languages" in caught.value.message_dict


def test_an_unknown_language_code_is_refused(make_person):
    with pytest.raises(ValidationError):
        make_person("Deniz Arslan", languages=[("xx", "native")])


@pytest.mark.parametrize("birth_date", ["1975", "1975-04", "1975-04-21"])
def test_birth_date_may_be_a_year_a_month_or_a_day(make_person, birth_date):
    person = make_person("Deniz Arslan", birth_date=birth_date)
    person.refresh_from_db()
    assert person.birth_date == birth_date
    assert person.birth_precision == {4: "year", 7: "month", 10: "day"}[len(birth_date)]


@pytest.mark.parametrize("birth_date", ["75", "1975-4", "1975-02-30", "21.04.1975", "2999"])
def test_an_impossible_birth_date_is_refused(make_person, birth_date):
    with pytest.raises(ValidationError) as caught:
        make_person("Deniz Arslan", birth_date=birth_date)
    assert "birth_date" in caught.value.message_dict


def test_a_bar_membership_needs_a_bar_association(make_person, make_institution):
    prosecutor = make_institution("Prokuratura")
    with pytest.raises(ValidationError) as caught:
        make_person("Deniz Arslan", bar_association=prosecutor, bar_number="123")
    assert "bar_association" in caught.value.message_dict
    with pytest.raises(ValidationError):
        make_person("Deniz Arslan", bar_number="123")


def test_encrypted_columns_hold_no_plaintext(make_person, make_institution):
    bar = make_institution("İstanbul Barosu", kind=InstitutionKind.BAR_ASSOCIATION, country="TR")
    person = make_person(
        "Deniz Arslan",
        birth_date="1981-07-02",
        bar_association=bar,
        bar_number="İST-48213",
        notes="Met at the Istanbul hearing",
        security_notes="Phone is monitored",
    )
    for column, plaintext in [
        ("birth_date", "1981-07-02"),
        ("bar_number", "48213"),
        ("notes", "Istanbul hearing"),
        ("security_notes", "monitored"),
    ]:
        raw = raw_column("directory_person", column, person.pk)
        assert raw.startswith("dfe1:")
        assert plaintext not in raw
    reloaded = Person.objects.get(pk=person.pk)
    assert reloaded.security_notes == "Phone is monitored"


def test_create_is_audited_with_field_names_only(make_person):
    person = make_person("Deniz Arslan", birth_date="1981-07-02", security_notes="Phone is monitored")
    entry = AuditEntry.objects.get(action="directory.person.created", object_id=str(person.pk))
    assert "birth_date" in entry.changes["fields"]
    text = str(entry.changes)
    assert "1981" not in text and "monitored" not in text and "Arslan" not in text


def test_volunteer_may_not_create(personas, make_person):
    with pytest.raises(PermissionDenied):
        make_person("Deniz Arslan", actor=personas.users["volunteer"])


def test_editor_without_confidential_access_may_not_write_confidential_fields(personas, make_person):
    staff = make_member(personas.organisation, "programme_staff")
    make_person("Deniz Arslan", actor=staff)
    with pytest.raises(PermissionDenied):
        make_person("Deniz Arslan", actor=staff, security_notes="x")


def test_editor_without_confidential_access_may_not_change_a_confidential_person(personas, confidential_person):
    staff = make_member(personas.organisation, "programme_staff")
    with pytest.raises(PermissionDenied):
        person_update(actor=staff, person=confidential_person, notes="changed")


def test_outsider_may_not_change_our_person(personas, internal_person):
    with pytest.raises(PermissionDenied):
        person_update(actor=personas.users["outsider"], person=internal_person, notes="x")


def test_update_touches_only_the_fields_given(director, make_person):
    person = make_person("Deniz Arslan", security_notes="Phone is monitored", professions=["lawyer"])
    person_update(actor=director, person=person, notes="Now in Ankara")
    person.refresh_from_db()
    assert person.notes == "Now in Ankara"
    assert person.security_notes == "Phone is monitored"
    assert person.profession_codes() == ["lawyer"]


def test_update_is_audited_without_values(director, make_person):
    person = make_person("Deniz Arslan")
    person_update(actor=director, person=person, security_notes="Moved flat", professions=["lawyer"])
    entry = AuditEntry.objects.get(action="directory.person.updated", object_id=str(person.pk))
    assert entry.changes == {"professions": "changed", "security_notes": "changed"}


def test_update_that_changes_nothing_writes_no_audit_entry(director, make_person):
    person = make_person("Deniz Arslan", notes="Same")
    person_update(actor=director, person=person, notes="Same")
    assert not AuditEntry.objects.filter(action="directory.person.updated").exists()


def test_renaming_rebuilds_the_name_keys(director, make_person):
    person = make_person("Матвеев")
    person_update(actor=director, person=person, name="Медведев", name_latin="")
    assert person.name_latin == "Medvedev"
    assert set(NameKey.objects.filter(person=person).values_list("key", flat=True)) == {"medvedev"}


def test_update_refuses_an_unknown_field(director, make_person):
    person = make_person("Deniz Arslan")
    with pytest.raises(TypeError):
        person_update(actor=director, person=person, organisation_id=99)


def test_archive_keeps_the_record_but_takes_it_out_of_the_list(personas, director, internal_person):
    person_archive(actor=director, person=internal_person)
    assert Person.objects.filter(pk=internal_person.pk).exists()
    listed = person_list(user=director, organisation=personas.organisation)
    assert internal_person not in listed
    archived = person_list(user=director, organisation=personas.organisation, filters=PersonFilters(archived=True))
    assert internal_person in archived
    assert AuditEntry.objects.filter(action="directory.person.archived", object_id=str(internal_person.pk)).exists()


def test_restore_brings_an_archived_person_back(personas, director, internal_person):
    person_archive(actor=director, person=internal_person)
    person_restore(actor=director, person=internal_person)
    assert internal_person in person_list(user=director, organisation=personas.organisation)


def test_confidential_people_are_not_listed_for_a_volunteer(personas, confidential_person, internal_person):
    listed = list(person_list(user=personas.users["volunteer"], organisation=personas.organisation))
    assert listed == [internal_person]


def test_sensitivity_is_kept(make_person):
    person = make_person("Deniz Arslan", sensitivity=Sensitivity.SECRET)
    person.refresh_from_db()
    assert person.sensitivity == Sensitivity.SECRET
