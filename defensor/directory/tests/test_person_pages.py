"""The people list and person page as members see them: search, filters, confidential parts, audit."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from defensor.core.models import AuditEntry, Sensitivity
from defensor.core.testing import make_member, sign_in
from defensor.directory import sections
from defensor.directory.models import ContactKind, InstitutionKind
from defensor.directory.services import contact_add


def _people_page(client, **params):
    return client.get(reverse("directory:people"), params).content.decode()


def test_search_in_latin_finds_a_name_written_in_cyrillic(personas, make_person):
    make_person("Матвеев Иван")
    make_person("Сидоров Пётр")
    page = _people_page(personas.client("volunteer"), q="Matveyev")
    assert "Матвеев Иван" in page
    assert "Сидоров" not in page


def test_search_in_cyrillic_finds_a_latin_alias(personas, make_person):
    make_person("Deniz Arslan", aliases=["Jamal Arslan"])
    page = _people_page(personas.client("volunteer"), q="Джамал")
    assert "Deniz Arslan" in page


def test_search_by_part_of_a_name(personas, make_person):
    make_person("Гаспар Маталаев")
    assert "Gaspar Matalaev" in _people_page(personas.client("volunteer"), q="Matal")


def test_filter_by_profession(personas, make_person):
    make_person("Deniz Arslan", professions=["lawyer"])
    make_person("Гаспар Маталаев", professions=["hrd", "journalist"])
    page = _people_page(personas.client("volunteer"), profession="journalist")
    assert "Gaspar Matalaev" in page
    assert "Deniz Arslan" not in page


def test_filter_by_country_matches_nationality_or_residence(personas, make_person):
    make_person("Deniz Arslan", nationality="TR", residence_country="DE")
    make_person("Гаспар Маталаев", nationality="TM", residence_country="TM")
    make_person("Aigul Temirova", nationality="KZ", residence_country="KZ")
    page = _people_page(personas.client("volunteer"), country="DE")
    assert "Deniz Arslan" in page and "Gaspar Matalaev" not in page
    page = _people_page(personas.client("volunteer"), country="TR")
    assert "Deniz Arslan" in page and "Aigul Temirova" not in page


def test_list_is_sorted_by_latin_name_and_paginated(personas, make_person):
    for index in range(27):
        make_person(f"Person {index:02d}")
    client = personas.client("volunteer")
    first = _people_page(client)
    assert "Person 00" in first and "Person 24" in first and "Person 25" not in first
    second = _people_page(client, page=2)
    assert "Person 26" in second
    reversed_page = _people_page(client, sort="-name")
    assert reversed_page.index("Person 26") < reversed_page.index("Person 25")


def test_htmx_list_request_gets_only_the_results(personas, make_person):
    make_person("Гаспар Маталаев")
    response = personas.client("volunteer").get(reverse("directory:people"), {"q": "Matalaev"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Gaspar Matalaev" in body
    assert "<html" not in body and "<form" not in body


def test_volunteer_does_not_see_confidential_fields(personas, director, make_person, make_institution):
    bar = make_institution("Istanbul Bar", kind=InstitutionKind.BAR_ASSOCIATION)
    person = make_person(
        "Deniz Arslan",
        birth_date="1981-07-02",
        bar_association=bar,
        bar_number="IST-48213",
        security_notes="Phone is monitored",
        notes="Met at a hearing",
    )
    contact_add(actor=director, person=person, kind=ContactKind.PHONE, value="+90 555 000 0000")
    url = reverse("directory:person", args=[person.pk])
    volunteer_page = personas.client("volunteer").get(url).content.decode()
    officer_page = personas.client("case_officer").get(url).content.decode()
    for secret in ("1981-07-02", "IST-48213", "Phone is monitored", "+90 555 000 0000"):
        assert secret not in volunteer_page
        assert secret in officer_page
    assert "Met at a hearing" in volunteer_page
    assert "Istanbul Bar" in volunteer_page


def test_volunteer_edit_form_has_no_confidential_fields(personas, make_person):
    person = make_person("Deniz Arslan", security_notes="Phone is monitored")
    staff = make_member(personas.organisation, "programme_staff")
    page = sign_in(Client(), staff).get(reverse("directory:person_edit", args=[person.pk])).content.decode()
    assert 'name="security_notes"' not in page and 'name="birth_date"' not in page
    assert "Phone is monitored" not in page


def test_editor_without_confidential_access_keeps_confidential_fields_when_saving(personas, make_person):
    person = make_person("Deniz Arslan", security_notes="Phone is monitored", birth_date="1981")
    staff = make_member(personas.organisation, "programme_staff")
    response = sign_in(Client(), staff).post(
        reverse("directory:person_edit", args=[person.pk]),
        {
            "name": "Deniz Arslan",
            "gender": "unspecified",
            "sensitivity": "internal",
            "notes": "Changed by staff",
            "languages-TOTAL_FORMS": "0",
            "languages-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.notes == "Changed by staff"
    assert person.security_notes == "Phone is monitored"
    assert person.birth_date == "1981"


def test_reading_a_confidential_person_is_audited(personas, confidential_person):
    officer = personas.users["case_officer"]
    personas.client("case_officer").get(reverse("directory:person", args=[confidential_person.pk]))
    entry = AuditEntry.objects.get(action="directory.person.viewed")
    assert entry.actor_id == officer.pk
    assert entry.object_id == str(confidential_person.pk)


def test_opening_the_edit_form_of_a_confidential_person_is_audited(personas, confidential_person):
    personas.client("director").get(reverse("directory:person_edit", args=[confidential_person.pk]))
    assert AuditEntry.objects.filter(action="directory.person.viewed", object_id=str(confidential_person.pk)).exists()


def test_editor_without_confidential_access_may_not_open_the_contact_form(personas, internal_person):
    staff = make_member(personas.organisation, "programme_staff")
    response = sign_in(Client(), staff).get(reverse("directory:contact_add", args=[internal_person.pk]))
    assert response.status_code == 403


def test_contact_form_keeps_a_bad_email_with_a_message(personas, internal_person):
    response = personas.client("case_officer").post(
        reverse("directory:contact_add", args=[internal_person.pk]), {"kind": "email", "value": "not-an-address"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter a valid email address." in body
    assert "not-an-address" in body


def test_reading_an_internal_person_is_not_audited(personas, internal_person):
    personas.client("case_officer").get(reverse("directory:person", args=[internal_person.pk]))
    assert not AuditEntry.objects.filter(action="directory.person.viewed").exists()


def test_sections_from_other_apps_appear_on_the_person_page(personas, internal_person):
    def cases(user, person):
        return sections.Section("Cases", [sections.Row(f"Case of {person.name_latin}", "/app/cases/1/")])

    sections.register("test-cases", cases)
    try:
        page = personas.client("volunteer").get(reverse("directory:person", args=[internal_person.pk])).content.decode()
    finally:
        sections.unregister("test-cases")
    assert "Case of Gaspar Matalaev" in page
    assert 'href="/app/cases/1/"' in page


def test_sections_provider_receives_the_user_and_may_show_nothing(personas, institution):
    seen = []

    def provider(user, obj):
        seen.append((user, obj))
        return None

    sections.register("test-nothing", provider, target="institution")
    try:
        response = personas.client("volunteer").get(reverse("directory:institution", args=[institution.pk]))
    finally:
        sections.unregister("test-nothing", target="institution")
    assert response.status_code == 200
    assert seen == [(personas.users["volunteer"], institution)]


def test_sections_are_ordered(personas, internal_person):
    sections.register("test-b", lambda u, p: sections.Section("Second section"), order=2)
    sections.register("test-a", lambda u, p: sections.Section("First section"), order=1)
    try:
        page = personas.client("volunteer").get(reverse("directory:person", args=[internal_person.pk])).content.decode()
    finally:
        sections.unregister("test-a")
        sections.unregister("test-b")
    assert page.index("First section") < page.index("Second section")


def test_secret_person_is_404_for_a_volunteer_like_a_missing_one(personas, make_person):
    person = make_person("Секрет", sensitivity=Sensitivity.SECRET)
    client = personas.client("volunteer")
    assert client.get(reverse("directory:person", args=[person.pk])).status_code == 404
    assert client.get(reverse("directory:person", args=[person.pk + 1000])).status_code == 404
