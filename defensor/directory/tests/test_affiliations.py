"""Affiliations: who holds which position at which institution on which day."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from defensor.core.models import Sensitivity
from defensor.core.testing import make_member
from defensor.directory.selectors import institution_holders, office_holder
from defensor.directory.services import affiliation_add, affiliation_end, institution_create

D = datetime.date


@pytest.fixture
def two_prosecutors(director, make_person, institution):
    first = make_person("Первый Прокурор")
    second = make_person("Второй Прокурор")
    earlier = affiliation_add(
        actor=director,
        person=first,
        institution=institution,
        position="Prosecutor General",
        start_date=D(2010, 3, 1),
        end_date=D(2015, 6, 30),
    )
    current = affiliation_add(
        actor=director, person=second, institution=institution, position="Prosecutor General", start_date=D(2015, 7, 1)
    )
    return earlier, current


def test_office_holder_on_a_date(institution, two_prosecutors):
    earlier, current = two_prosecutors
    assert office_holder(institution, "Prosecutor General", on=D(2012, 1, 1)) == earlier
    assert office_holder(institution, "Prosecutor General", on=D(2015, 6, 30)) == earlier
    assert office_holder(institution, "Prosecutor General", on=D(2015, 7, 1)) == current
    assert office_holder(institution, "prosecutor general") == current


def test_office_holder_before_anyone_held_it_is_none(institution, two_prosecutors):
    assert office_holder(institution, "Prosecutor General", on=D(2001, 1, 1)) is None
    assert office_holder(institution, "Deputy Prosecutor General") is None


def test_during_a_handover_the_newer_holder_is_the_holder(director, make_person, institution, two_prosecutors):
    _earlier, current = two_prosecutors
    newer = affiliation_add(
        actor=director,
        person=make_person("Третий Прокурор"),
        institution=institution,
        position="Prosecutor General",
        start_date=D(2020, 1, 10),
    )
    assert office_holder(institution, "Prosecutor General", on=D(2020, 1, 15)) == newer
    assert office_holder(institution, "Prosecutor General", on=D(2020, 1, 5)) == current


def test_office_holder_hides_a_person_the_user_may_not_see(personas, director, make_person, institution):
    secret = make_person("Секретный Человек", sensitivity=Sensitivity.SECRET)
    affiliation_add(actor=director, person=secret, institution=institution, position="Informant handler")
    assert office_holder(institution, "Informant handler", user=personas.users["volunteer"]) is None
    assert office_holder(institution, "Informant handler", user=director) is not None


def test_ending_a_position_makes_it_past(director, institution, two_prosecutors):
    _earlier, current = two_prosecutors
    affiliation_end(actor=director, affiliation=current, end_date=D(2024, 12, 31))
    holders = institution_holders(user=director, institution=institution, on=D(2025, 1, 1))
    assert holders.current == []
    assert len(holders.past) == 2


def test_a_position_cannot_end_twice(director, two_prosecutors):
    earlier, _current = two_prosecutors
    with pytest.raises(ValidationError):
        affiliation_end(actor=director, affiliation=earlier, end_date=D(2016, 1, 1))


def test_a_position_cannot_end_before_it_starts(director, make_person, institution):
    with pytest.raises(ValidationError) as caught:
        affiliation_add(
            actor=director,
            person=make_person("Кто-то"),
            institution=institution,
            position="Adviser",
            start_date=D(2020, 1, 1),
            end_date=D(2019, 1, 1),
        )
    assert "end_date" in caught.value.message_dict


def test_a_position_at_another_organisations_institution_is_refused(personas, director, internal_person):
    their_director = make_member(personas.other_organisation, "director", email="d2@l4l.test")
    theirs = institution_create(
        actor=their_director, organisation=personas.other_organisation, name="Their court", kind="court"
    )
    with pytest.raises(ValidationError) as caught:
        affiliation_add(actor=director, person=internal_person, institution=theirs, position="Judge")
    assert "institution" in caught.value.message_dict


def test_institution_page_lists_current_and_past_holders(personas, institution, two_prosecutors):
    page = personas.client("volunteer").get(reverse("directory:institution", args=[institution.pk])).content.decode()
    assert "Vtoroy Prokuror" in page
    assert "Pervyy Prokuror" in page
    assert page.index("Vtoroy Prokuror") < page.index("Pervyy Prokuror")


def test_institution_page_hides_a_confidential_holder_from_a_volunteer(
    personas, director, confidential_person, institution
):
    affiliation_add(actor=director, person=confidential_person, institution=institution, position="Adviser")
    url = reverse("directory:institution", args=[institution.pk])
    assert "Arseny Dolgov" not in personas.client("volunteer").get(url).content.decode()
    assert "Arseny Dolgov" in personas.client("case_officer").get(url).content.decode()


def test_adding_a_position_from_the_person_page(personas, internal_person, institution):
    response = personas.client("director").post(
        reverse("directory:affiliation_add", args=[internal_person.pk]),
        {"institution": institution.pk, "position": "Adviser", "start_date": "2016-01-01"},
    )
    assert response.status_code == 302
    assert office_holder(institution, "Adviser", on=D(2017, 1, 1)).person == internal_person


def test_adding_a_position_from_the_institution_page(personas, internal_person, institution):
    response = personas.client("director").post(
        reverse("directory:institution_affiliation_add", args=[institution.pk]),
        {"person": internal_person.pk, "position": "Adviser"},
    )
    assert response.status_code == 302
    assert office_holder(institution, "Adviser").person == internal_person


def test_position_form_keeps_what_was_typed_when_dates_are_wrong(personas, internal_person, institution):
    response = personas.client("director").post(
        reverse("directory:affiliation_add", args=[internal_person.pk]),
        {
            "institution": institution.pk,
            "position": "Special Adviser",
            "start_date": "2020-01-01",
            "end_date": "2019-01-01",
        },
    )
    assert response.status_code == 400
    assert 'value="Special Adviser"' in response.content.decode()


def test_ending_a_position_through_the_page(personas, institution, two_prosecutors):
    _earlier, current = two_prosecutors
    response = personas.client("director").post(
        reverse("directory:affiliation_end", args=[current.pk]) + "?from=institution", {"end_date": "2024-12-31"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:institution", args=[institution.pk])
    current.refresh_from_db()
    assert current.end_date == D(2024, 12, 31)
