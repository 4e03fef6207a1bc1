"""The persona matrix of every directory view: who gets 200, 302, 403 and 404."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from defensor.core.testing import assert_persona_matrix
from defensor.directory.models import ConsentScope, ContactKind
from defensor.directory.services import affiliation_add, consent_record, contact_add

LIST_PAGE = {"anonymous": 302, "outsider": 200, "volunteer": 200, "case_officer": 200, "director": 200}
INTERNAL_RECORD = {"anonymous": 302, "outsider": 404, "volunteer": 200, "case_officer": 200, "director": 200}
CONFIDENTIAL_RECORD = {"anonymous": 302, "outsider": 404, "volunteer": 404, "case_officer": 200, "director": 200}
NEW_RECORD_FORM = {"anonymous": 302, "outsider": 200, "volunteer": 403, "case_officer": 200, "director": 200}
EDIT_FORM = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 200, "director": 200}


@pytest.mark.parametrize("url_name", ["directory:people", "directory:institutions"])
def test_list_pages_are_open_to_members(personas, url_name):
    assert_persona_matrix(personas, reverse(url_name), LIST_PAGE)


def test_outsider_people_list_does_not_show_our_people(personas, internal_person):
    page = personas.client("outsider").get(reverse("directory:people")).content.decode()
    assert "Gaspar Matalaev" not in page
    assert "Gaspar Matalaev" in personas.client("volunteer").get(reverse("directory:people")).content.decode()


def test_outsider_institution_list_does_not_show_our_institutions(personas, institution):
    page = personas.client("outsider").get(reverse("directory:institutions")).content.decode()
    assert "Prosecutor General" not in page
    assert "Prosecutor General" in personas.client("volunteer").get(reverse("directory:institutions")).content.decode()


def test_internal_person_page_matrix(personas, internal_person):
    assert_persona_matrix(personas, reverse("directory:person", args=[internal_person.pk]), INTERNAL_RECORD)


def test_confidential_person_page_matrix(personas, confidential_person):
    assert_persona_matrix(personas, reverse("directory:person", args=[confidential_person.pk]), CONFIDENTIAL_RECORD)


def test_institution_page_matrix(personas, institution):
    assert_persona_matrix(personas, reverse("directory:institution", args=[institution.pk]), INTERNAL_RECORD)


@pytest.mark.parametrize("url_name", ["directory:person_create", "directory:institution_create"])
def test_create_forms_need_edit(personas, url_name):
    assert_persona_matrix(personas, reverse(url_name), NEW_RECORD_FORM)


def test_similar_people_check_needs_edit(personas, internal_person):
    url = reverse("directory:person_similar") + "?name=Matalaev"
    assert_persona_matrix(personas, url, NEW_RECORD_FORM)


@pytest.mark.parametrize(
    "url_name",
    [
        "directory:person_edit",
        "directory:photo_upload",
        "directory:contact_add",
        "directory:consent_add",
        "directory:affiliation_add",
    ],
)
def test_person_editing_pages_matrix(personas, internal_person, url_name):
    assert_persona_matrix(personas, reverse(url_name, args=[internal_person.pk]), EDIT_FORM)


@pytest.mark.parametrize("url_name", ["directory:institution_edit", "directory:institution_affiliation_add"])
def test_institution_editing_pages_matrix(personas, institution, url_name):
    assert_persona_matrix(personas, reverse(url_name, args=[institution.pk]), EDIT_FORM)


def test_consent_withdraw_page_matrix(personas, internal_person, director):
    consent = consent_record(
        actor=director,
        person=internal_person,
        scope=ConsentScope.STORE,
        given_on=datetime.date(2017, 5, 1),
        method="written",
    )
    url = reverse("directory:consent_withdraw", args=[internal_person.pk, consent.pk])
    assert_persona_matrix(personas, url, EDIT_FORM)


def test_affiliation_end_page_matrix(personas, internal_person, institution, director):
    affiliation = affiliation_add(actor=director, person=internal_person, institution=institution, position="Adviser")
    url = reverse("directory:affiliation_end", args=[affiliation.pk])
    assert_persona_matrix(personas, url, EDIT_FORM)


def test_archive_matrix(personas, internal_person):
    url = reverse("directory:person_archive", args=[internal_person.pk])
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 302, "director": 302}
    assert_persona_matrix(personas, url, expected, method="post")
    internal_person.refresh_from_db()
    assert internal_person.is_archived


def test_contact_remove_matrix(personas, internal_person, director):
    contact = contact_add(actor=director, person=internal_person, kind=ContactKind.PHONE, value="+993 12 345678")
    url = reverse("directory:contact_remove", args=[internal_person.pk, contact.pk])
    # The first allowed persona archives it; after that it is gone from the page (404).
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 302, "director": 404}
    assert_persona_matrix(personas, url, expected, method="post")
    contact.refresh_from_db()
    assert contact.archived_at is not None


def test_photo_matrix_without_photo_is_404_for_everyone_signed_in(personas, internal_person):
    url = reverse("directory:person_photo", args=[internal_person.pk])
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 404, "case_officer": 404, "director": 404}
    assert_persona_matrix(personas, url, expected)
