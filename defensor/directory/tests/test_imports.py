"""Importing people and institutions from spreadsheets: upload, mapping, preview, apply."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from defensor.core import imports
from defensor.core.models import ImportBatch, Sensitivity
from defensor.core.testing import Personas, make_member
from defensor.directory import imports as directory_imports
from defensor.directory.models import ContactChannel, ContactKind, Institution, InstitutionKind, Person
from defensor.directory.services import institution_create, person_create

PEOPLE = "directory.person"
INSTITUTIONS = "directory.institution"

PEOPLE_CSV = (
    "Name;Name in Latin script;Gender;Birth year;Nationality;Country of residence;Professions;Languages;"
    "Email;Phone;Notes\n"
    'Гаспар Маталаев;Gaspar Matalaev;male;1980;Turkmenistan;TM;human rights defender;"tk (native); Russian";'
    "gaspar@example.org;+993 12 000000;Monitored the cotton harvest.\n"
    'Aigul Temirova;;Ж;1979;Казахстан;KZ;"advocate; lawyer";"Kazakh (native); en: B2";;;\n'
)
BAD_PEOPLE_CSV = (
    "Name;Birth year;Nationality;Professions\n"
    "Arseny Dolgov;1978;RU;advocate\n"
    "Deniz Arslan;nineteen eighty;Atlantis;lawyer\n"
    "Irina Sokolova;1975;RU;astronaut\n"
    "Sanne Dekker;1985;Netherlands;expert\n"
)


@pytest.fixture(autouse=True)
def _importers() -> Iterator[None]:
    """The importers as the app registers them; whatever was registered before comes back afterwards."""
    before = {kind: imports.get_importer(kind) for kind in (PEOPLE, INSTITUTIONS)}
    directory_imports.register()
    yield
    for kind, importer in before.items():
        imports.unregister(kind)
        if importer is not None:
            imports.register(importer)


def officer(personas: Personas) -> Any:
    return personas.users["case_officer"]


def ready(personas: Personas, kind: str, data: bytes, name: str = "people.csv", actor: Any = None) -> ImportBatch:
    actor = actor or officer(personas)
    batch = imports.import_upload(actor=actor, organisation=personas.organisation, kind=kind, file_name=name, data=data)
    return imports.import_set_mapping(actor=actor, batch=batch, mapping=batch.mapping)


def apply(personas: Personas, kind: str, data: bytes, name: str = "people.csv", **options: Any) -> ImportBatch:
    batch = ready(personas, kind, data, name)
    return imports.import_apply(actor=officer(personas), batch=batch, **options)


def check(batch: ImportBatch) -> imports.Preview:
    importer = imports.get_importer(batch.kind)
    assert importer is not None
    return imports.preview(batch=batch, importer=importer)


def xlsx(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def person(name_latin: str) -> Person:
    return Person.objects.get(name_latin=name_latin)


# ------------------------------------------------------------------ people


def test_good_people_rows_become_people_with_their_details(personas: Personas) -> None:
    batch = apply(personas, PEOPLE, PEOPLE_CSV.encode())
    assert batch.results["created"] == 2
    matalaev = person("Gaspar Matalaev")
    assert (matalaev.name, matalaev.gender, matalaev.birth_date) == ("Гаспар Маталаев", "male", "1980")
    assert (matalaev.nationality, matalaev.residence_country) == ("TM", "TM")
    assert matalaev.profession_codes() == ["hrd"]
    assert sorted((lang.language, lang.level) for lang in matalaev.languages.all()) == [("ru", "B1"), ("tk", "native")]
    assert matalaev.notes == "Monitored the cotton harvest."
    temirova = person("Aigul Temirova")
    assert (temirova.gender, temirova.nationality) == ("female", "KZ")
    assert sorted(temirova.profession_codes()) == ["advocate", "lawyer"]
    assert sorted((lang.language, lang.level) for lang in temirova.languages.all()) == [("en", "B2"), ("kk", "native")]


def test_email_and_phone_become_contact_channels(personas: Personas) -> None:
    apply(personas, PEOPLE, PEOPLE_CSV.encode())
    contacts = {c.kind: c.value for c in ContactChannel.objects.filter(person=person("Gaspar Matalaev"))}
    assert contacts == {ContactKind.EMAIL: "gaspar@example.org", ContactKind.PHONE: "+993 12 000000"}


def test_two_bad_people_rows_are_reported_with_column_and_value_and_nothing_is_written(personas: Personas) -> None:
    batch = ready(personas, PEOPLE, BAD_PEOPLE_CSV.encode())
    preview = check(batch)
    problems = {problem.number: " ".join(problem.messages) for problem in preview.bad}
    assert sorted(problems) == [3, 4]
    assert "Year of birth" in problems[3] and "nineteen eighty" in problems[3]
    assert "Nationality" in problems[3] and "Atlantis" in problems[3]
    assert "Professions" in problems[4] and "astronaut" in problems[4]
    with pytest.raises(ValidationError):
        imports.import_apply(actor=officer(personas), batch=batch)
    assert Person.objects.count() == 0


def test_skipping_bad_people_rows_imports_the_good_ones(personas: Personas) -> None:
    batch = apply(personas, PEOPLE, BAD_PEOPLE_CSV.encode(), skip_invalid=True)
    assert batch.results["created"] == 2 and batch.results["failed"] == 2
    assert sorted(Person.objects.values_list("name", flat=True)) == ["Arseny Dolgov", "Sanne Dekker"]


def test_the_same_people_file_imported_twice_creates_nothing_new(personas: Personas) -> None:
    apply(personas, PEOPLE, PEOPLE_CSV.encode())
    counts = (Person.objects.count(), ContactChannel.objects.count())
    second = apply(personas, PEOPLE, PEOPLE_CSV.encode())
    assert (Person.objects.count(), ContactChannel.objects.count()) == counts
    assert second.results["created"] == 0 and second.results["unchanged"] == 2


def test_russian_people_headers_are_mapped(personas: Personas) -> None:
    data = "ФИО;Гражданство;Год рождения;Профессия;Языки;Электронная почта;Телефон;Пол;Примечания\nИван;;;;;;;;\n"
    batch = imports.import_upload(
        actor=officer(personas), organisation=personas.organisation, kind=PEOPLE, file_name="p.csv", data=data.encode()
    )
    assert batch.mapping == {
        "0": "name",
        "1": "nationality",
        "2": "birth_year",
        "3": "professions",
        "4": "languages",
        "5": "email",
        "6": "phone",
        "7": "gender",
        "8": "notes",
    }


def test_a_cp1251_people_csv_is_imported(personas: Personas) -> None:
    data = "ФИО;Страна;Профессия\r\nАйгуль Темирова;Казахстан;адвокат\r\n".encode("cp1251")
    apply(personas, PEOPLE, data)
    imported = Person.objects.get()
    assert (imported.name, imported.residence_country, imported.profession_codes()) == (
        "Айгуль Темирова",
        "KZ",
        ["advocate"],
    )


def test_a_people_xlsx_made_with_openpyxl_is_imported(personas: Personas) -> None:
    data = xlsx(
        [["Name", "Birth year", "Nationality"], ["Deniz Arslan", 1982, "Türkiye"], ["Sanne Dekker", 1985, "NL"]]
    )
    batch = apply(personas, PEOPLE, data, name="people.xlsx")
    assert batch.results["created"] == 2
    assert (person("Deniz Arslan").birth_date, person("Deniz Arslan").nationality) == ("1982", "TR")


def test_countries_are_read_from_codes_and_english_or_russian_names(personas: Personas) -> None:
    data = "Name;Nationality;Country of residence\nA One;Russia;Turkey\nB Two;Россия;Кыргызстан\nC Three;uz;Crimea\n"
    apply(personas, PEOPLE, data.encode())
    found = sorted(Person.objects.values_list("name", "nationality", "residence_country"))
    assert found == [("A One", "RU", "TR"), ("B Two", "RU", "KG"), ("C Three", "UZ", "UA")]


def test_a_person_already_in_the_directory_in_another_script_is_updated_not_doubled(personas: Personas) -> None:
    existing = person_create(
        actor=personas.users["director"], organisation=personas.organisation, name="Гаспар Маталаев", notes="Old note."
    )
    batch = apply(personas, PEOPLE, b"Name;Nationality;Notes\nGaspar Matalaev;TM;New note.\n")
    existing.refresh_from_db()
    assert Person.objects.count() == 1 and batch.results["updated"] == 1
    assert existing.name == "Гаспар Маталаев" and existing.nationality == "TM"
    assert existing.notes == "Old note.\n\nNew note."


def test_empty_cells_leave_the_directory_as_it_was(personas: Personas) -> None:
    existing = person_create(
        actor=personas.users["director"],
        organisation=personas.organisation,
        name="Sanne Dekker",
        nationality="NL",
        professions=["expert"],
    )
    apply(personas, PEOPLE, b"Name;Nationality;Professions\nSanne Dekker;;volunteer\n")
    existing.refresh_from_db()
    assert existing.nationality == "NL"
    assert sorted(existing.profession_codes()) == ["expert", "volunteer"]


def test_a_different_year_of_birth_is_a_different_person(personas: Personas) -> None:
    person_create(
        actor=personas.users["director"], organisation=personas.organisation, name="Ivan Petrov", birth_date="1960"
    )
    apply(personas, PEOPLE, b"Name;Birth year\nIvan Petrov;1990\n")
    assert Person.objects.filter(name="Ivan Petrov").count() == 2


def test_a_row_matching_two_people_is_reported(personas: Personas) -> None:
    for _ in range(2):
        person_create(actor=personas.users["director"], organisation=personas.organisation, name="Ivan Petrov")
    problems = check(ready(personas, PEOPLE, b"Name;Birth year\nIvan Petrov;\n")).bad
    assert len(problems) == 1 and "2 people" in problems[0].messages[0]


def test_an_external_id_follows_a_renamed_person(personas: Personas) -> None:
    apply(personas, PEOPLE, b"ID;Name\nP-1;Ivan Petrov\n")
    apply(personas, PEOPLE, b"ID;Name\nP-1;Ivan Petrov-Sidorov\n")
    renamed = Person.objects.get()
    assert renamed.name == "Ivan Petrov-Sidorov" and "Ivan Petrov" in renamed.aliases


def test_a_member_who_may_not_see_confidential_records_cannot_import_contacts(personas: Personas) -> None:
    staff = make_member(personas.organisation, "programme_staff")
    batch = imports.import_upload(
        actor=staff,
        organisation=personas.organisation,
        kind=PEOPLE,
        file_name="p.csv",
        data=b"Name;Email\nIvan Petrov;ivan@example.org\n",
    )
    batch = imports.import_set_mapping(actor=staff, batch=batch, mapping=batch.mapping)
    with pytest.raises(ValidationError, match="permission"):
        imports.import_apply(actor=staff, batch=batch)
    assert Person.objects.count() == 0


def test_sensitivity_is_read_in_russian(personas: Personas) -> None:
    apply(personas, PEOPLE, "Name;Гриф\nIvan Petrov;конфиденциально\n".encode())
    assert Person.objects.get().sensitivity == Sensitivity.CONFIDENTIAL


def test_the_people_import_pages_show_both_bad_rows_and_skip_them_on_request(personas: Personas) -> None:
    client = personas.client("case_officer")
    upload = SimpleUploadedFile("people.csv", BAD_PEOPLE_CSV.encode(), content_type="text/csv")
    response = client.post(reverse("core:import_start"), {"kind": PEOPLE, "file": upload})
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("core:import_mapping", args=[batch.pk])

    mapping_page = client.get(response["Location"])
    assert mapping_page.status_code == 200
    chosen = {f"column_{index}": name for index, name in batch.mapping.items()}
    assert chosen == {
        "column_0": "name",
        "column_1": "birth_year",
        "column_2": "nationality",
        "column_3": "professions",
    }
    response = client.post(response["Location"], chosen)
    assert response["Location"] == reverse("core:import_preview", args=[batch.pk])

    page = client.get(response["Location"]).content.decode()
    assert "nineteen eighty" in page and "Atlantis" in page and "astronaut" in page
    assert '<th scope="row">3</th>' in page and '<th scope="row">4</th>' in page
    assert Person.objects.count() == 0

    refused = client.post(reverse("core:import_apply", args=[batch.pk]))
    assert refused.status_code == 400 and Person.objects.count() == 0
    response = client.post(reverse("core:import_apply", args=[batch.pk]), {"skip_invalid": "1"})
    assert response["Location"] == reverse("core:import_detail", args=[batch.pk])
    assert sorted(Person.objects.values_list("name", flat=True)) == ["Arseny Dolgov", "Sanne Dekker"]


# ------------------------------------------------------------------ institutions

INSTITUTIONS_CSV = (
    "Name;Name in Latin script or English;Kind;Country;Part of;Email;Salutation in English;Salutation in Russian;"
    "Website\n"
    "Office of the High Commissioner;OHCHR;UN body;Switzerland;;;Dear Sir or Madam,;Уважаемые дамы и господа!;"
    "www.ohchr.org\n"
    "Working Group on Arbitrary Detention;;un_body;CH;OHCHR;wgad@example.org;Dear Members,;;\n"
    "Алматинский городской суд;Almaty City Court;суд;Казахстан;;;;Уважаемый председатель суда!;\n"
)


def test_good_institution_rows_become_institutions_with_their_parent(personas: Personas) -> None:
    batch = apply(personas, INSTITUTIONS, INSTITUTIONS_CSV.encode(), name="institutions.csv")
    assert batch.results["created"] == 3
    wgad = Institution.objects.get(name="Working Group on Arbitrary Detention")
    assert wgad.parent is not None and wgad.parent.name_latin == "OHCHR"
    assert (wgad.kind, wgad.country, wgad.email) == (InstitutionKind.UN_BODY, "CH", "wgad@example.org")
    ohchr = Institution.objects.get(name_latin="OHCHR")
    assert ohchr.website == "https://www.ohchr.org"
    assert ohchr.salutations == {"en": "Dear Sir or Madam,", "ru": "Уважаемые дамы и господа!"}
    court = Institution.objects.get(name_latin="Almaty City Court")
    assert (court.kind, court.country) == (InstitutionKind.COURT, "KZ")


def test_two_bad_institution_rows_are_reported_and_nothing_is_written(personas: Personas) -> None:
    data = "Name;Kind;Country;Website\nA court;court;KZ;\nA castle;castle;KZ;\nA ministry;ministry;Narnia;\n"
    batch = ready(personas, INSTITUTIONS, data.encode(), name="institutions.csv")
    problems = {problem.number: " ".join(problem.messages) for problem in check(batch).bad}
    assert sorted(problems) == [3, 4]
    assert "Kind" in problems[3] and "castle" in problems[3]
    assert "Country" in problems[4] and "Narnia" in problems[4]
    with pytest.raises(ValidationError):
        imports.import_apply(actor=officer(personas), batch=batch)
    assert Institution.objects.count() == 0


def test_the_same_institutions_file_imported_twice_creates_nothing_new(personas: Personas) -> None:
    apply(personas, INSTITUTIONS, INSTITUTIONS_CSV.encode(), name="institutions.csv")
    second = apply(personas, INSTITUTIONS, INSTITUTIONS_CSV.encode(), name="institutions.csv")
    assert Institution.objects.count() == 3 and second.results["unchanged"] == 3


def test_an_institution_made_by_hand_is_updated_not_doubled(personas: Personas) -> None:
    existing = institution_create(
        actor=personas.users["director"],
        organisation=personas.organisation,
        name="Алматинский городской суд",
        kind=InstitutionKind.COURT,
        country="KZ",
    )
    apply(personas, INSTITUTIONS, "Name;Kind;Country;Email\nалматинский городской суд;Court;KZ;c@example.kz\n".encode())
    existing.refresh_from_db()
    assert Institution.objects.count() == 1 and existing.email == "c@example.kz"


def test_russian_institution_headers_are_mapped(personas: Personas) -> None:
    data = "Название;Тип;Страна;Адрес;Обращение;Сайт\nСуд;суд;KZ;;;\n".encode()
    batch = imports.import_upload(
        actor=officer(personas), organisation=personas.organisation, kind=INSTITUTIONS, file_name="i.csv", data=data
    )
    assert batch.mapping == {
        "0": "name",
        "1": "kind",
        "2": "country",
        "3": "postal_address",
        "4": "salutation_ru",
        "5": "website",
    }


def test_a_cp1251_institutions_csv_is_imported(personas: Personas) -> None:
    data = "Название;Тип;Страна\r\nГенеральная прокуратура;прокуратура;Туркменистан\r\n".encode("cp1251")
    apply(personas, INSTITUTIONS, data, name="institutions.csv")
    imported = Institution.objects.get()
    assert (imported.name, imported.kind, imported.country) == ("Генеральная прокуратура", "prosecutor", "TM")


def test_an_institutions_xlsx_made_with_openpyxl_is_imported(personas: Personas) -> None:
    data = xlsx([["Name", "Kind", "Country"], ["İstanbul Barosu", "Bar association", "TR"]])
    apply(personas, INSTITUTIONS, data, name="institutions.xlsx")
    assert Institution.objects.get().kind == InstitutionKind.BAR_ASSOCIATION


def test_a_parent_missing_everywhere_refuses_the_row(personas: Personas) -> None:
    batch = ready(personas, INSTITUTIONS, b"Name;Part of\nA department;A ministry nobody added\n", name="i.csv")
    with pytest.raises(ValidationError, match="A ministry nobody added"):
        imports.import_apply(actor=officer(personas), batch=batch)
    assert Institution.objects.count() == 0


def test_registering_the_importers_twice_offers_each_once(personas: Personas) -> None:
    directory_imports.register()
    kinds = [i.kind for i in imports.importers_for(user=officer(personas), organisation=personas.organisation)]
    assert kinds.count(PEOPLE) == 1 and kinds.count(INSTITUTIONS) == 1
