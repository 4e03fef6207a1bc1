"""Consent records: what was agreed, when and how; a withdrawal is added and never erases the consent."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from defensor.core.models import AuditEntry
from defensor.directory.models import Consent, ConsentMethod, ConsentScope
from defensor.directory.services import consent_record, consent_withdraw

MAY_2017 = datetime.date(2017, 5, 1)


@pytest.fixture
def consent(director, internal_person):
    return consent_record(
        actor=director,
        person=internal_person,
        scope=ConsentScope.PUBLISH_NAME,
        given_on=MAY_2017,
        method=ConsentMethod.THROUGH_LAWYER,
        note="Letter kept in the case file",
    )


def test_recording_consent_keeps_who_recorded_it(director, consent):
    assert consent.recorded_by == director
    assert consent.note == "Letter kept in the case file"
    assert AuditEntry.objects.filter(action="directory.consent.recorded", object_id=str(consent.pk)).exists()


def test_has_consent_from_the_day_it_was_given(internal_person, consent):
    assert internal_person.has_consent(ConsentScope.PUBLISH_NAME, on=MAY_2017)
    assert not internal_person.has_consent(ConsentScope.PUBLISH_NAME, on=datetime.date(2017, 4, 30))
    assert internal_person.has_consent(ConsentScope.PUBLISH_NAME)


def test_consent_for_one_scope_is_not_consent_for_another(internal_person, consent):
    assert not internal_person.has_consent(ConsentScope.PUBLISH_PHOTO, on=MAY_2017)


def test_withdrawal_keeps_the_consent_and_its_history(director, internal_person, consent):
    consent_withdraw(actor=director, consent=consent, withdrawn_on=datetime.date(2018, 2, 1), note="Family asked")
    stored = Consent.objects.get(pk=consent.pk)
    assert stored.given_on == MAY_2017
    assert stored.withdrawn_on == datetime.date(2018, 2, 1)
    assert stored.withdrawn_by == director
    assert stored.withdrawal_note == "Family asked"
    assert stored.note == "Letter kept in the case file"
    assert Consent.objects.filter(person=internal_person).count() == 1


def test_withdrawn_consent_counts_before_the_withdrawal_and_not_after(director, internal_person, consent):
    consent_withdraw(actor=director, consent=consent, withdrawn_on=datetime.date(2018, 2, 1))
    assert internal_person.has_consent(ConsentScope.PUBLISH_NAME, on=datetime.date(2018, 1, 31))
    assert not internal_person.has_consent(ConsentScope.PUBLISH_NAME, on=datetime.date(2018, 2, 1))
    assert not internal_person.has_consent(ConsentScope.PUBLISH_NAME)


def test_consent_given_again_after_a_withdrawal_counts_again(director, internal_person, consent):
    consent_withdraw(actor=director, consent=consent, withdrawn_on=datetime.date(2018, 2, 1))
    consent_record(
        actor=director,
        person=internal_person,
        scope=ConsentScope.PUBLISH_NAME,
        given_on=datetime.date(2019, 1, 1),
        method=ConsentMethod.WRITTEN,
    )
    assert internal_person.has_consent(ConsentScope.PUBLISH_NAME, on=datetime.date(2019, 6, 1))
    assert Consent.objects.filter(person=internal_person).count() == 2


def test_a_consent_cannot_be_withdrawn_twice(director, consent):
    consent_withdraw(actor=director, consent=consent, withdrawn_on=datetime.date(2018, 2, 1))
    with pytest.raises(ValidationError):
        consent_withdraw(actor=director, consent=consent, withdrawn_on=datetime.date(2018, 3, 1))


def test_a_withdrawal_cannot_come_before_the_consent(director, consent):
    with pytest.raises(ValidationError) as caught:
        consent_withdraw(actor=director, consent=consent, withdrawn_on=datetime.date(2016, 1, 1))
    assert "withdrawn_on" in caught.value.message_dict


def test_consent_cannot_be_dated_in_the_future(director, internal_person):
    with pytest.raises(ValidationError):
        consent_record(
            actor=director,
            person=internal_person,
            scope=ConsentScope.STORE,
            given_on=datetime.date.today() + datetime.timedelta(days=2),
            method=ConsentMethod.ORAL,
        )


def test_volunteer_may_not_record_consent(personas, internal_person):
    with pytest.raises(PermissionDenied):
        consent_record(
            actor=personas.users["volunteer"],
            person=internal_person,
            scope=ConsentScope.STORE,
            given_on=MAY_2017,
            method=ConsentMethod.ORAL,
        )


def test_withdraw_through_the_page_keeps_the_consent_listed(personas, internal_person, consent):
    client = personas.client("case_officer")
    url = reverse("directory:consent_withdraw", args=[internal_person.pk, consent.pk])
    response = client.post(url, {"withdrawn_on": "2018-02-01", "note": "By phone"})
    assert response.status_code == 302
    page = client.get(reverse("directory:person", args=[internal_person.pk])).content.decode()
    assert "Publishing their name" in page
    assert "Withdrawn" in page
    assert "By phone" in page


def test_withdraw_with_a_bad_date_shows_the_form_again(personas, internal_person, consent):
    client = personas.client("case_officer")
    url = reverse("directory:consent_withdraw", args=[internal_person.pk, consent.pk])
    response = client.post(url, {"withdrawn_on": "2016-01-01", "note": "Typed note"})
    assert response.status_code == 400
    assert "Typed note" in response.content.decode()
    assert Consent.objects.get(pk=consent.pk).withdrawn_on is None


def test_consent_form_records_consent(personas, internal_person):
    client = personas.client("director")
    response = client.post(
        reverse("directory:consent_add", args=[internal_person.pk]),
        {"scope": "store", "given_on": "2017-05-01", "method": "written", "note": ""},
    )
    assert response.status_code == 302
    assert internal_person.has_consent(ConsentScope.STORE, on=MAY_2017)
