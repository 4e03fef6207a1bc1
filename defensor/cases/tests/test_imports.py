"""Importing cases from spreadsheets: upload, mapping, preview, apply."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from defensor.cases import imports as case_imports
from defensor.cases import services
from defensor.cases.models import Case, CaseSubject, RiskAssessment
from defensor.core import imports
from defensor.core.models import ImportBatch, Sensitivity
from defensor.core.testing import Personas
from defensor.directory.services import person_create

CASES = "cases.case"

CASES_CSV = (
    "Reference;Title;Country;Status;Risk level;Opened on;Lead;Programmes;Tags;Person at risk;Their role\n"
    "JI-2016-001;Detention of a cotton-harvest monitor;Turkmenistan;active;high;05.10.2016;"
    'case_officer@justice-international.test;"legal assistance; advocacy";"forced labour; WGAD";'
    "Gaspar Matalaev;defender\n"
    ";Disbarment of an Almaty advocate;KZ;monitoring;;2018-04-03;;trial_monitoring;;;\n"
)
BAD_CASES_CSV = (
    "Title;Country;Opened on;Lead;Person at risk\n"
    "Pressure on a Moscow advocate;Russia;01/03/2017;;\n"
    "Trial of an Istanbul lawyer;Atlantis;31.02.2017;;\n"
    "Search of a lawyer's office;TJ;2017-05-12;nobody@example.org;Nobody Known\n"
    "Travel ban on a Minsk lawyer;Belarus;12.06.2017;;\n"
)


@pytest.fixture(autouse=True)
def _importer() -> Iterator[None]:
    """The importer as the app registers it; whatever was registered before comes back afterwards."""
    before = imports.get_importer(CASES)
    case_imports.register()
    yield
    imports.unregister(CASES)
    if before is not None:
        imports.register(before)


@pytest.fixture
def matalaev(personas: Personas) -> Any:
    return person_create(
        actor=personas.users["director"],
        organisation=personas.organisation,
        name="Гаспар Маталаев",
        name_latin="Gaspar Matalaev",
    )


def officer(personas: Personas) -> Any:
    return personas.users["case_officer"]


def ready(personas: Personas, data: bytes, name: str = "cases.csv", actor: Any = None) -> ImportBatch:
    actor = actor or officer(personas)
    batch = imports.import_upload(
        actor=actor, organisation=personas.organisation, kind=CASES, file_name=name, data=data
    )
    return imports.import_set_mapping(actor=actor, batch=batch, mapping=batch.mapping)


def apply(personas: Personas, data: bytes, name: str = "cases.csv", actor: Any = None, **options: Any) -> ImportBatch:
    batch = ready(personas, data, name, actor)
    return imports.import_apply(actor=actor or officer(personas), batch=batch, **options)


def problems_of(batch: ImportBatch) -> dict[int, str]:
    importer = imports.get_importer(CASES)
    assert importer is not None
    return {p.number: " ".join(p.messages) for p in imports.preview(batch=batch, importer=importer).bad}


def xlsx(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def test_good_case_rows_open_cases_with_their_details(personas: Personas, matalaev: Any) -> None:
    batch = apply(personas, CASES_CSV.encode())
    assert batch.results["created"] == 2
    case = Case.objects.get(reference="JI-2016-001")
    assert (case.title, case.country, case.status, case.risk_level) == (
        "Detention of a cotton-harvest monitor",
        "TM",
        "active",
        "high",
    )
    assert case.opened_on == datetime.date(2016, 10, 5) and case.lead == officer(personas)
    assert sorted(case.programmes.values_list("programme", flat=True)) == ["advocacy", "legal_assistance"]
    assert case.tags == ["WGAD", "forced labour"]
    assert list(case.subjects.values_list("person", "role")) == [(matalaev.pk, CaseSubject.Role.DEFENDER_AT_RISK)]


def test_a_case_without_reference_gets_one_and_the_importing_member_as_lead(personas: Personas, matalaev: Any) -> None:
    apply(personas, CASES_CSV.encode())
    case = Case.objects.get(country="KZ")
    assert case.reference == "JUST-2018-001"
    assert case.lead == officer(personas) and case.status == "monitoring"


def test_two_bad_case_rows_are_reported_with_column_and_value_and_nothing_is_written(personas: Personas) -> None:
    batch = ready(personas, BAD_CASES_CSV.encode())
    problems = problems_of(batch)
    assert sorted(problems) == [3, 4]
    assert "Country" in problems[3] and "Atlantis" in problems[3]
    assert "Opened on" in problems[3] and "31.02.2017" in problems[3]
    assert "Lead" in problems[4] and "nobody@example.org" in problems[4]
    assert "Person at risk" in problems[4] and "Nobody Known" in problems[4]
    with pytest.raises(ValidationError):
        imports.import_apply(actor=officer(personas), batch=batch)
    assert Case.objects.count() == 0


def test_the_same_cases_file_imported_twice_creates_nothing_new(personas: Personas, matalaev: Any) -> None:
    apply(personas, CASES_CSV.encode())
    counts = (Case.objects.count(), CaseSubject.objects.count(), RiskAssessment.objects.count())
    second = apply(personas, CASES_CSV.encode())
    assert (Case.objects.count(), CaseSubject.objects.count(), RiskAssessment.objects.count()) == counts
    assert second.results["created"] == 0 and second.results["unchanged"] == 2


def test_russian_case_headers_are_mapped(personas: Personas) -> None:
    data = (
        "Название;Страна;Дата открытия;Статус;Риск;Ответственный;Программы;Теги;ФИО;Роль\nДело;KZ;2018-01-01;;;;;;;\n"
    )
    batch = imports.import_upload(
        actor=officer(personas), organisation=personas.organisation, kind=CASES, file_name="c.csv", data=data.encode()
    )
    assert batch.mapping == {
        "0": "title",
        "1": "country",
        "2": "opened_on",
        "3": "status",
        "4": "risk_level",
        "5": "lead",
        "6": "programmes",
        "7": "tags",
        "8": "person",
        "9": "role",
    }


def test_a_cp1251_cases_csv_is_imported(personas: Personas, matalaev: Any) -> None:
    data = (
        "Название;Страна;Дата открытия;Статус;Риск;ФИО\r\n"
        "Задержание правозащитника;Туркменистан;04.10.2016;активно;высокий;Маталаев Гаспар\r\n"
    ).encode("cp1251")
    apply(personas, data)
    case = Case.objects.get()
    assert (case.title, case.country, case.status, case.risk_level) == (
        "Задержание правозащитника",
        "TM",
        "active",
        "high",
    )
    assert case.subjects.get().person == matalaev


def test_a_cases_xlsx_made_with_openpyxl_is_imported(personas: Personas) -> None:
    data = xlsx(
        [
            ["Title", "Country", "Opened on"],
            ["Trial of an Istanbul lawyer", "Türkiye", datetime.datetime(2017, 9, 20)],
            ["Need assessment in Bishkek", "Kyrgyzstan", 43252],  # a date cell read as its day number
        ]
    )
    apply(personas, data, name="cases.xlsx")
    assert sorted(Case.objects.values_list("country", "opened_on")) == [
        ("KG", datetime.date(2018, 6, 1)),
        ("TR", datetime.date(2017, 9, 20)),
    ]


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2017-09-20", datetime.date(2017, 9, 20)),
        ("20.09.2017", datetime.date(2017, 9, 20)),
        ("20/09/2017", datetime.date(2017, 9, 20)),
        ("2017-09-20T00:00:00", datetime.date(2017, 9, 20)),
        ("42998", datetime.date(2017, 9, 20)),
        ("09/20/2017", None),
        ("2017", None),
        ("yesterday", None),
    ],
)
def test_opening_dates_are_read_in_the_usual_spellings(text: str, day: datetime.date | None) -> None:
    assert case_imports.parse_date(text) == day


def test_a_case_with_a_known_reference_is_updated_not_doubled(personas: Personas) -> None:
    case = services.case_open(
        actor=officer(personas),
        organisation=personas.organisation,
        reference="JI-2016-001",
        title="Old title",
        country="TM",
        lead=officer(personas),
        opened_on=datetime.date(2016, 10, 5),
        tags=["kept"],
    )
    apply(
        personas, b"Reference;Title;Country;Opened on;Risk level;Tags\nji-2016-001;New title;TM;2016-10-05;high;new\n"
    )
    case.refresh_from_db()
    assert Case.objects.count() == 1
    assert (case.title, case.risk_level, case.tags) == ("New title", "high", ["kept", "new"])
    assert case.risk_assessments.first().reason == str(case_imports.IMPORTED_RISK_REASON)


def test_a_person_named_twice_in_the_directory_is_reported(personas: Personas) -> None:
    for _ in range(2):
        person_create(actor=personas.users["director"], organisation=personas.organisation, name="Ivan Petrov")
    batch = ready(personas, b"Title;Country;Opened on;Person at risk\nA case;RU;2017-01-01;Petrov Ivan\n")
    assert "2 people" in problems_of(batch)[2]


def test_a_confidential_case_the_member_may_not_edit_is_refused(personas: Personas) -> None:
    services.case_open(
        actor=personas.users["director"],
        organisation=personas.organisation,
        reference="JI-2017-009",
        title="Threats against a lawyer",
        country="RU",
        lead=personas.users["director"],
        sensitivity=Sensitivity.CONFIDENTIAL,
        opened_on=datetime.date(2017, 3, 1),
    )
    batch = ready(personas, b"Reference;Title;Country;Opened on\nJI-2017-009;Renamed;RU;2017-03-01\n")
    with pytest.raises(ValidationError, match="permission"):
        imports.import_apply(actor=officer(personas), batch=batch)
    assert Case.objects.get().title == "Threats against a lawyer"


def test_a_future_opening_date_is_reported(personas: Personas) -> None:
    batch = ready(personas, b"Title;Country;Opened on\nA case;RU;2999-01-01\n")
    assert "future" in problems_of(batch)[2]


def test_registering_the_importer_twice_offers_it_once(personas: Personas) -> None:
    case_imports.register()
    kinds = [i.kind for i in imports.importers_for(user=officer(personas), organisation=personas.organisation)]
    assert kinds.count(CASES) == 1
