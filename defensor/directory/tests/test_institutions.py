"""Institutions: kinds, courts, parents, salutations for letters."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from defensor.core.models import AuditEntry
from defensor.directory.models import CourtLevel, CourtType, InstitutionKind
from defensor.directory.selectors import InstitutionFilters, institution_children, institution_list
from defensor.directory.services import institution_update


def test_a_court_has_a_level_and_a_type(make_institution):
    court = make_institution(
        "İstanbul Ağır Ceza Mahkemesi",
        kind=InstitutionKind.COURT,
        court_level=CourtLevel.FIRST_INSTANCE,
        court_type=CourtType.CRIMINAL,
        country="TR",
    )
    assert court.get_court_level_display() == "First instance"


def test_latin_name_is_transliterated_when_left_empty(director, make_institution):
    court = make_institution("Алматинский городской суд", kind=InstitutionKind.COURT)
    assert court.name_latin == "Almatinskiy gorodskoy sud"
    institution_update(actor=director, institution=court, name="Верховный суд", name_latin="")
    assert court.name_latin == "Verkhovnyy sud"


def test_only_a_court_has_a_court_level(make_institution):
    with pytest.raises(ValidationError) as caught:
        make_institution("Ministry", kind=InstitutionKind.MINISTRY, court_level=CourtLevel.APPEAL)
    assert "court_level" in caught.value.message_dict


def test_an_unknown_country_is_refused(make_institution):
    with pytest.raises(ValidationError) as caught:
        make_institution("Somewhere", country="XX")
    assert "country" in caught.value.message_dict


def test_salutation_falls_back_to_english(institution):
    assert institution.salutation("ru") == "Уважаемый Генеральный прокурор!"
    assert institution.salutation("tr") == "Dear Prosecutor General,"


def test_empty_salutations_are_not_stored(make_institution):
    institution = make_institution("Ministry", salutations={"en": "Dear Minister,", "ru": "  "})
    assert institution.salutations == {"en": "Dear Minister,"}


def test_a_salutation_in_an_unknown_language_is_refused(make_institution):
    with pytest.raises(ValidationError):
        make_institution("Ministry", salutations={"klingon": "nuqneH"})


def test_an_institution_cannot_be_part_of_its_own_part(director, make_institution):
    ohchr = make_institution("OHCHR", kind=InstitutionKind.UN_BODY)
    wgad = make_institution("WGAD", kind=InstitutionKind.UN_BODY, parent=ohchr)
    with pytest.raises(ValidationError) as caught:
        institution_update(actor=director, institution=ohchr, parent=wgad)
    assert "parent" in caught.value.message_dict


def test_an_institution_cannot_be_part_of_itself(director, make_institution):
    ohchr = make_institution("OHCHR", kind=InstitutionKind.UN_BODY)
    with pytest.raises(ValidationError):
        institution_update(actor=director, institution=ohchr, parent=ohchr)


def test_children_are_listed(director, make_institution):
    ohchr = make_institution("OHCHR", kind=InstitutionKind.UN_BODY)
    wgad = make_institution("WGAD", kind=InstitutionKind.UN_BODY, parent=ohchr)
    assert institution_children(user=director, institution=ohchr) == [wgad]


def test_update_is_audited_and_notes_are_not_copied_into_the_log(director, institution):
    institution_update(actor=director, institution=institution, email="info@example.org", notes="Ask for Mr X")
    entry = AuditEntry.objects.get(action="directory.institution.updated", object_id=str(institution.pk))
    assert entry.changes["email"] == {"from": "", "to": "info@example.org"}
    assert entry.changes["notes"] == "changed"


def test_volunteer_may_not_change_an_institution(personas, institution):
    with pytest.raises(PermissionDenied):
        institution_update(actor=personas.users["volunteer"], institution=institution, email="x@example.org")


def test_list_filters_by_kind_and_country(personas, director, make_institution):
    court = make_institution("Алматинский городской суд", kind=InstitutionKind.COURT, country="KZ")
    make_institution("Ministry of Justice", kind=InstitutionKind.MINISTRY, country="KZ")
    make_institution("Türkiye Adalet Bakanlığı", kind=InstitutionKind.MINISTRY, country="TR")
    found = institution_list(
        user=director, organisation=personas.organisation, filters=InstitutionFilters(kind="court", country="kz")
    )
    assert list(found) == [court]


def test_list_searches_both_names(personas, director, make_institution):
    court = make_institution("Алматинский городской суд", name_latin="Almaty City Court", kind=InstitutionKind.COURT)
    make_institution("Ministry of Justice", kind=InstitutionKind.MINISTRY)
    for text in ("городской", "almaty"):
        found = institution_list(
            user=director, organisation=personas.organisation, filters=InstitutionFilters(query=text)
        )
        assert list(found) == [court]
