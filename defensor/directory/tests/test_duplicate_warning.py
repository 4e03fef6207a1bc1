"""The duplicate warning: on submit (the form keeps what was typed) and as the user types (htmx)."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from defensor.core.models import Sensitivity
from defensor.core.testing import make_member, sign_in
from defensor.directory.models import Person

FORM = {
    "name": "Матвеев Иван",
    "name_latin": "",
    "aliases": "Vanya Matveev",
    "gender": "male",
    "birth_date": "1975-04",
    "nationality": "KZ",
    "residence_country": "KZ",
    "professions": ["lawyer", "advocate"],
    "notes": "Defends protesters in Almaty",
    "sensitivity": "internal",
    "languages-TOTAL_FORMS": "2",
    "languages-INITIAL_FORMS": "0",
    "languages-0-language": "kk",
    "languages-0-level": "native",
    "languages-1-language": "",
    "languages-1-level": "",
}


def test_new_person_is_created_when_nobody_looks_alike(personas):
    response = personas.client("case_officer").post(reverse("directory:person_create"), FORM)
    person = Person.objects.get(name="Матвеев Иван")
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:person", args=[person.pk])
    assert person.birth_date == "1975-04"
    assert sorted(person.profession_codes()) == ["advocate", "lawyer"]
    assert [(lang.language, lang.level) for lang in person.languages.all()] == [("kk", "native")]


def test_a_look_alike_stops_the_save_and_keeps_what_was_typed(personas, make_person):
    existing = make_person("Ivan Matveyev")
    response = personas.client("case_officer").post(reverse("directory:person_create"), FORM)
    body = response.content.decode()
    assert response.status_code == 200
    assert Person.objects.count() == 1
    assert "This may be someone already in the directory" in body
    assert reverse("directory:person", args=[existing.pk]) in body
    assert 'name="different_person"' in body
    for typed in ('value="Матвеев Иван"', "Vanya Matveev", 'value="1975-04"', "Defends protesters in Almaty"):
        assert typed in body
    assert 'value="kk" selected' in body
    assert re.search(r'value="advocate"[^>]*checked', body)


def test_ticking_different_person_saves_despite_the_look_alike(personas, make_person):
    make_person("Ivan Matveyev")
    response = personas.client("case_officer").post(
        reverse("directory:person_create"), {**FORM, "different_person": "on"}
    )
    assert response.status_code == 302
    assert Person.objects.filter(name="Матвеев Иван").exists()


def test_a_look_alike_the_user_may_not_see_is_not_revealed(personas, make_person):
    make_person("Ivan Matveyev", sensitivity=Sensitivity.SECRET)
    staff = make_member(personas.organisation, "programme_staff")
    data = {k: v for k, v in FORM.items() if k != "birth_date"}
    response = sign_in(Client(), staff).post(reverse("directory:person_create"), data)
    assert response.status_code == 302
    assert "Ivan Matveyev" not in response.content.decode()


def test_editing_without_renaming_does_not_warn_again(personas, make_person):
    make_person("Ivan Matveyev")
    person = make_person("Матвеев Иван", aliases=["Vanya Matveev"])
    response = personas.client("director").post(
        reverse("directory:person_edit", args=[person.pk]),
        {**FORM, "name_latin": person.name_latin, "notes": "Moved to Astana"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.notes == "Moved to Astana"


def test_editing_with_several_aliases_typed_in_a_browser_does_not_warn_again(personas, make_person):
    make_person("Ivan Matveyev")
    person = make_person("Матвеев Иван", aliases=["Vanya Matveev", "Ivan P. Matveev"])
    response = personas.client("director").post(
        reverse("directory:person_edit", args=[person.pk]),
        {**FORM, "aliases": "Vanya Matveev\r\nIvan P. Matveev\r\n", "notes": "Moved to Astana"},
    )
    assert response.status_code == 302


def test_renaming_to_a_look_alike_warns_on_edit(personas, make_person):
    existing = make_person("Ivan Matveyev")
    person = make_person("Deniz Arslan")
    response = personas.client("director").post(reverse("directory:person_edit", args=[person.pk]), FORM)
    assert response.status_code == 200
    assert reverse("directory:person", args=[existing.pk]) in response.content.decode()
    person.refresh_from_db()
    assert person.name == "Deniz Arslan"


def test_invalid_input_keeps_the_form_with_a_message(personas):
    response = personas.client("case_officer").post(
        reverse("directory:person_create"), {**FORM, "birth_date": "April 1975"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Write a year (1975)" in body
    assert 'value="Матвеев Иван"' in body
    assert not Person.objects.exists()


def test_language_level_is_required_with_a_language(personas):
    response = personas.client("case_officer").post(
        reverse("directory:person_create"), {**FORM, "languages-0-level": ""}
    )
    assert response.status_code == 400
    assert "Choose a level for this language." in response.content.decode()


def test_live_check_lists_look_alikes(personas, make_person):
    existing = make_person("Ivan Matveyev")
    response = personas.client("case_officer").get(
        reverse("directory:person_similar"), {"name": "Матвеев Иван"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert reverse("directory:person", args=[existing.pk]) in body
    assert "<html" not in body


def test_live_check_is_empty_when_nobody_looks_alike(personas, make_person):
    make_person("Ivan Matveyev")
    response = personas.client("case_officer").get(reverse("directory:person_similar"), {"name": "Deniz Arslan"})
    assert "This may be someone" not in response.content.decode()


def test_live_check_leaves_out_the_person_being_edited(personas, make_person):
    person = make_person("Ivan Matveyev")
    response = personas.client("case_officer").get(
        reverse("directory:person_similar"), {"name": "Матвеев Иван", "exclude": person.pk}
    )
    assert "This may be someone" not in response.content.decode()
