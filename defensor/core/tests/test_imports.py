"""The spreadsheet import framework, driven by a test importer that writes ledger rows."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from defensor.core import imports
from defensor.core.imports import Importer, ImportField
from defensor.core.ledger import activity_record
from defensor.core.models import Activity, ActivityKind, AuditEntry, ImportBatch, ImportedRecord
from defensor.core.testing import Personas, assert_persona_matrix, make_member, raw_column, sign_in

REFUSED_TITLE = "Refused by the service"


class MeetingImporter(Importer):
    """Meetings into the activity ledger; a meeting is identified by its date and title."""

    kind = "test.meeting"
    label = "Meetings"
    model = Activity
    fields = (
        ImportField("title", "Title", required=True, aliases=("Subject", "Название", "Тема встречи")),
        ImportField("date", "Date", required=True, help="YYYY-MM-DD", aliases=("Дата",)),
        ImportField("place", "Place", aliases=("Where", "Место")),
    )

    def validate_row(self, *, organisation: Any, row: dict[str, str]) -> list[str]:
        try:
            datetime.date.fromisoformat(row["date"])
        except ValueError:
            return [f"“{row['date']}” is not a date: write it as YYYY-MM-DD."]
        return []

    def natural_key(self, row: dict[str, str]) -> str:
        return f"{row['date']} {row['title']}"

    def apply_row(self, *, actor: Any, organisation: Any, row: dict[str, str], existing: Any) -> tuple[Any, bool]:
        if row["title"] == REFUSED_TITLE:
            raise ValidationError("The ledger refused this meeting.")
        title = f"{row['title']} ({row['place']})" if row["place"] else row["title"]
        if existing is None:
            activity = activity_record(
                actor=actor,
                organisation=organisation,
                kind=ActivityKind.MEETING_HELD,
                occurred_on=datetime.date.fromisoformat(row["date"]),
                title=title,
            )
            return activity, True
        existing.title = title
        existing.save()
        return existing, False


@pytest.fixture(autouse=True)
def importer() -> Iterator[MeetingImporter]:
    instance = imports.register(MeetingImporter())
    yield instance  # type: ignore[misc]
    imports.unregister(MeetingImporter.kind)


GOOD_CSV = "\ufeffTitle;Date;Place\nMeeting with the bar council;2024-03-01;Baku\nVisit to the prison;2024-03-05;\n"
BAD_CSV = (
    "Title;Date;Place\n"
    "Meeting with the bar council;2024-03-01;Baku\n"
    ";2024-03-02;Ganja\n"
    "Visit to the prison;5 March;\n"
    "Call with the embassy;2024-03-07;\n"
)


def upload(personas: Personas, data: bytes, name: str = "meetings.csv", actor: str = "case_officer") -> ImportBatch:
    return imports.import_upload(
        actor=personas.users[actor], organisation=personas.organisation, kind="test.meeting", file_name=name, data=data
    )


def ready(personas: Personas, data: bytes, name: str = "meetings.csv") -> ImportBatch:
    batch = upload(personas, data, name)
    return imports.import_set_mapping(actor=personas.users["case_officer"], batch=batch, mapping=batch.mapping)


def xlsx(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# --- reading --------------------------------------------------------------------------------


def test_csv_with_semicolons_and_a_bom_is_read(personas: Personas) -> None:
    batch = upload(personas, GOOD_CSV.encode("utf-8"))
    assert batch.header == ["Title", "Date", "Place"]
    assert batch.rows == [
        [2, ["Meeting with the bar council", "2024-03-01", "Baku"]],
        [3, ["Visit to the prison", "2024-03-05", ""]],
    ]
    assert batch.status == ImportBatch.Status.MAPPING


def test_comma_and_tab_separated_files_are_read(personas: Personas) -> None:
    comma = upload(personas, b'Title,Date\n"Meeting, with quotes",2024-03-01\n')
    tab = upload(personas, b"Title\tDate\nMeeting\t2024-03-01\n", name="meetings.tsv")
    assert comma.rows == [[2, ["Meeting, with quotes", "2024-03-01"]]]
    assert tab.rows == [[2, ["Meeting", "2024-03-01"]]]


def test_cp1251_csv_is_read_and_its_russian_headers_are_mapped(personas: Personas) -> None:
    data = "Название;Дата;Место\r\nВстреча с адвокатской палатой;2024-03-01;Минск\r\n".encode("cp1251")
    batch = upload(personas, data)
    assert batch.rows == [[2, ["Встреча с адвокатской палатой", "2024-03-01", "Минск"]]]
    assert batch.mapping == {"0": "title", "1": "date", "2": "place"}


def test_xlsx_is_read_with_dates_as_iso_strings_and_spreadsheet_row_numbers(personas: Personas) -> None:
    data = xlsx(
        [
            ["Subject", "Date", "Where"],
            ["Meeting with the bar council", datetime.datetime(2024, 3, 1), "Baku"],
            [None, None, None],
            ["Visit to the prison", datetime.date(2024, 3, 5), 12.0],
        ]
    )
    batch = upload(personas, data, name="meetings.xlsx")
    assert batch.rows == [
        [2, ["Meeting with the bar council", "2024-03-01", "Baku"]],
        [4, ["Visit to the prison", "2024-03-05", "12"]],
    ]
    assert batch.mapping == {"0": "title", "1": "date", "2": "place"}


def test_mapping_is_proposed_from_english_headers_and_field_labels(personas: Personas) -> None:
    batch = upload(personas, b"Notes;SUBJECT;date:\nx;Meeting;2024-03-01\n")
    assert batch.mapping == {"1": "title", "2": "date"}


def test_too_many_rows_are_refused(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    with pytest.raises(ValidationError) as caught:
        upload(personas, b"Title;Date\na;2024-01-01\nb;2024-01-02\nc;2024-01-03\n")
    assert "more than 2 rows" in caught.value.messages[0]


def test_a_file_without_rows_is_refused(personas: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        upload(personas, b"Title;Date\n")
    assert "no rows" in caught.value.messages[0]


def test_a_pdf_is_refused_as_a_spreadsheet(personas: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        upload(personas, b"%PDF-1.4\n%%EOF\n", name="meetings.pdf")
    assert "not accepted here" in caught.value.messages[0]


# --- mapping and preview ------------------------------------------------------------------


def test_an_unmapped_required_field_is_an_error(personas: Personas) -> None:
    batch = upload(personas, GOOD_CSV.encode())
    with pytest.raises(ValidationError) as caught:
        imports.import_set_mapping(actor=personas.users["case_officer"], batch=batch, mapping={"0": "title"})
    assert caught.value.messages == ["Choose a column for each required field: Date."]
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.MAPPING


def test_a_field_chosen_for_two_columns_is_an_error(personas: Personas) -> None:
    batch = upload(personas, GOOD_CSV.encode())
    with pytest.raises(ValidationError) as caught:
        imports.import_set_mapping(
            actor=personas.users["case_officer"], batch=batch, mapping={"0": "title", "1": "date", "2": "title"}
        )
    assert "Title is chosen for more than one column." in caught.value.messages


def test_bad_rows_are_reported_with_their_reasons_and_nothing_is_written(
    personas: Personas, importer: Importer
) -> None:
    batch = ready(personas, BAD_CSV.encode())
    checked = imports.preview(batch=batch, importer=importer)
    assert [(p.number, p.messages) for p in checked.bad] == [
        (3, ("Title is required.",)),
        (4, ("“5 March” is not a date: write it as YYYY-MM-DD.",)),
    ]
    assert [row.number for row in checked.good] == [2, 5]
    with pytest.raises(ValidationError) as caught:
        imports.import_apply(actor=personas.users["case_officer"], batch=batch)
    assert "2 rows have errors, so nothing was imported" in caught.value.messages[0]
    assert Activity.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.READY


def test_the_same_record_twice_in_a_file_is_a_bad_row(personas: Personas, importer: Importer) -> None:
    batch = ready(personas, b"Title;Date\nMeeting;2024-03-01\n  meeting ;2024-03-01\n")
    checked = imports.preview(batch=batch, importer=importer)
    assert [(p.number, p.messages) for p in checked.bad] == [
        (3, ("Row 2 describes the same record; each record may appear only once.",))
    ]


def test_good_rows_only_mode_imports_the_good_rows_and_lists_the_bad(personas: Personas) -> None:
    batch = ready(personas, BAD_CSV.encode())
    batch = imports.import_apply(actor=personas.users["case_officer"], batch=batch, skip_invalid=True)
    assert batch.status == ImportBatch.Status.APPLIED
    assert batch.results["created"] == 2
    assert batch.results["failed"] == 2
    assert [e["row"] for e in batch.results["errors"]] == [3, 4]
    assert sorted(a.title for a in Activity.objects.all()) == [
        "Call with the embassy",
        "Meeting with the bar council (Baku)",
    ]


def test_reimporting_the_same_file_creates_nothing_new(personas: Personas) -> None:
    first = imports.import_apply(actor=personas.users["case_officer"], batch=ready(personas, GOOD_CSV.encode()))
    assert first.results["created"] == 2
    second = imports.import_apply(actor=personas.users["case_officer"], batch=ready(personas, GOOD_CSV.encode()))
    assert Activity.objects.count() == 2
    assert ImportedRecord.objects.count() == 2
    assert (second.results["created"], second.results["updated"], second.results["unchanged"]) == (0, 0, 2)


def test_a_changed_row_updates_the_record_it_made(personas: Personas) -> None:
    imports.import_apply(actor=personas.users["case_officer"], batch=ready(personas, GOOD_CSV.encode()))
    changed = GOOD_CSV.replace(";Baku", ";Sumgait")
    batch = imports.import_apply(actor=personas.users["case_officer"], batch=ready(personas, changed.encode()))
    assert (batch.results["created"], batch.results["updated"], batch.results["unchanged"]) == (0, 1, 1)
    assert "Meeting with the bar council (Sumgait)" in [a.title for a in Activity.objects.all()]
    assert Activity.objects.count() == 2


def test_a_record_deleted_since_the_last_import_is_made_again(personas: Personas) -> None:
    imports.import_apply(actor=personas.users["case_officer"], batch=ready(personas, GOOD_CSV.encode()))
    Activity.objects.filter(occurred_on=datetime.date(2024, 3, 5)).delete()
    batch = imports.import_apply(actor=personas.users["case_officer"], batch=ready(personas, GOOD_CSV.encode()))
    assert (batch.results["created"], batch.results["unchanged"]) == (1, 1)
    assert ImportedRecord.objects.count() == 2


def test_a_row_refused_while_applying_fails_the_whole_import(personas: Personas) -> None:
    data = f"Title;Date\nGood meeting;2024-03-01\n{REFUSED_TITLE};2024-03-02\n".encode()
    batch = ready(personas, data)
    with pytest.raises(ValidationError) as caught:
        imports.import_apply(actor=personas.users["case_officer"], batch=batch)
    assert "row 3: The ledger refused this meeting." in caught.value.messages[0]
    assert Activity.objects.count() == 0
    assert ImportedRecord.objects.count() == 0


def test_a_row_refused_while_applying_is_skipped_in_good_rows_only_mode(personas: Personas) -> None:
    data = f"Title;Date\nGood meeting;2024-03-01\n{REFUSED_TITLE};2024-03-02\n".encode()
    batch = imports.import_apply(actor=personas.users["case_officer"], batch=ready(personas, data), skip_invalid=True)
    assert (batch.results["created"], batch.results["failed"]) == (1, 1)
    assert batch.results["errors"] == [{"row": 3, "messages": ["The ledger refused this meeting."]}]
    assert Activity.objects.count() == 1


# --- privacy and the record -------------------------------------------------------------------


def test_staged_rows_are_encrypted_in_the_database_and_erased_after_apply(personas: Personas) -> None:
    batch = ready(personas, GOOD_CSV.encode())
    for column in ("rows", "header"):
        stored = raw_column("core_importbatch", column, batch.pk)
        assert stored.startswith("dfe1:")
        assert "bar council" not in stored
        assert "Title" not in stored
    imports.import_apply(actor=personas.users["case_officer"], batch=batch)
    batch.refresh_from_db()
    assert batch.rows == []
    assert batch.results["created"] == 2
    assert "bar council" not in raw_column("core_importbatch", "results", batch.pk)


def test_imported_records_keep_only_a_keyed_hash_of_the_natural_key(personas: Personas) -> None:
    imports.import_apply(actor=personas.users["case_officer"], batch=ready(personas, GOOD_CSV.encode()))
    record = ImportedRecord.objects.first()
    assert record is not None
    assert len(record.key_hash) == 64
    assert "meeting" not in record.key_hash
    assert "bar council" not in record.row_hash


def test_cancelling_erases_the_staged_rows(personas: Personas) -> None:
    batch = imports.import_cancel(actor=personas.users["case_officer"], batch=upload(personas, GOOD_CSV.encode()))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CANCELLED
    assert batch.rows == []
    with pytest.raises(ValidationError):
        imports.import_apply(actor=personas.users["case_officer"], batch=batch)


def test_stale_imports_expire_and_lose_their_rows(personas: Personas) -> None:
    batch = upload(personas, GOOD_CSV.encode())
    assert imports.import_expire_stale(now=batch.updated_at + datetime.timedelta(days=1)) == 0
    assert imports.import_expire_stale(now=batch.updated_at + imports.STALE_AFTER + datetime.timedelta(seconds=1)) == 1
    batch.refresh_from_db()
    assert (batch.status, batch.rows) == (ImportBatch.Status.CANCELLED, [])


def test_upload_and_apply_are_audited_with_counts(personas: Personas) -> None:
    batch = ready(personas, BAD_CSV.encode())
    imports.import_apply(actor=personas.users["case_officer"], batch=batch, skip_invalid=True)
    uploaded = AuditEntry.objects.get(action="core.import.uploaded")
    applied = AuditEntry.objects.get(action="core.import.applied")
    assert uploaded.changes == {"kind": "test.meeting", "rows": 4, "columns": 3}
    assert applied.changes["created"] == 2
    assert applied.changes["failed"] == 2
    assert applied.organisation_id == personas.organisation.pk
    assert "bar council" not in str(applied.changes)


def test_a_volunteer_cannot_upload(personas: Personas) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        upload(personas, GOOD_CSV.encode(), actor="volunteer")
    assert ImportBatch.objects.count() == 0


# --- pages --------------------------------------------------------------------------------------


@pytest.fixture
def batches(personas: Personas) -> dict[str, ImportBatch]:
    return {"mapping": upload(personas, BAD_CSV.encode()), "ready": ready(personas, BAD_CSV.encode())}


def test_start_page_matrix(personas: Personas) -> None:
    expected = {"anonymous": 302, "outsider": 200, "volunteer": 403, "case_officer": 200, "director": 200}
    assert_persona_matrix(personas, "/app/import/", expected)


@pytest.mark.parametrize(("state", "page"), [("mapping", "mapping/"), ("ready", "preview/"), ("ready", "")])
def test_batch_pages_matrix(personas: Personas, batches: dict[str, ImportBatch], state: str, page: str) -> None:
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 200, "director": 200}
    assert_persona_matrix(personas, f"/app/import/{batches[state].pk}/{page}", expected)


def test_apply_matrix_with_bad_rows_and_no_skip(personas: Personas, batches: dict[str, ImportBatch]) -> None:
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 400, "director": 400}
    assert_persona_matrix(personas, f"/app/import/{batches['ready'].pk}/apply/", expected, method="post")
    assert Activity.objects.count() == 0


def test_cancel_matrix(personas: Personas, batches: dict[str, ImportBatch]) -> None:
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 302, "director": 302}
    assert_persona_matrix(personas, f"/app/import/{batches['mapping'].pk}/cancel/", expected, method="post")
    batches["mapping"].refresh_from_db()
    assert batches["mapping"].status == ImportBatch.Status.CANCELLED


def test_someone_without_confidential_clearance_does_not_see_a_colleagues_staged_rows(
    personas: Personas, batches: dict[str, ImportBatch]
) -> None:
    staff = make_member(personas.organisation, "programme_staff")
    client = sign_in(personas.client("anonymous"), staff)
    assert client.get(f"/app/import/{batches['ready'].pk}/preview/").status_code == 404
    assert client.get("/app/import/").status_code == 200


def test_the_navigation_offers_import_to_those_who_edit(personas: Personas) -> None:
    officer = personas.client("case_officer").get("/app/")
    volunteer = personas.client("volunteer").get("/app/")
    assert (officer.status_code, volunteer.status_code) == (200, 200)
    assert '<a href="/app/import/" >Import</a>' in officer.content.decode()
    assert 'href="/app/import/"' not in volunteer.content.decode()


def test_the_whole_flow_through_the_pages(personas: Personas) -> None:
    client = personas.client("case_officer")
    response = client.post(
        "/app/import/", {"kind": "test.meeting", "file": SimpleUploadedFile("meetings.csv", BAD_CSV.encode())}
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/app/import/{batch.pk}/mapping/"
    page = client.get(response["Location"]).content.decode()
    assert '<option value="title" selected>' in page
    response = client.post(
        f"/app/import/{batch.pk}/mapping/", {"column_0": "title", "column_1": "date", "column_2": ""}
    )
    assert response["Location"] == f"/app/import/{batch.pk}/preview/"
    page = client.get(response["Location"]).content.decode()
    assert "“5 March” is not a date" in page
    assert 'disabled data-enabled-by="skip-invalid"' in page
    assert Activity.objects.count() == 0
    response = client.post(f"/app/import/{batch.pk}/apply/", {"skip_invalid": "1"})
    assert response["Location"] == f"/app/import/{batch.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Rows not imported" in page
    assert Activity.objects.count() == 2


def test_the_mapping_page_keeps_the_choices_when_a_required_field_is_missing(
    personas: Personas, batches: dict[str, ImportBatch]
) -> None:
    batch = batches["mapping"]
    response = personas.client("case_officer").post(
        f"/app/import/{batch.pk}/mapping/", {"column_0": "", "column_1": "date", "column_2": "place"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose a column for each required field: Title." in page
    assert '<option value="place" selected>' in page
    assert '<option value="date" selected>' in page


def test_an_upload_error_is_shown_on_the_form(personas: Personas) -> None:
    response = personas.client("case_officer").post(
        "/app/import/", {"kind": "test.meeting", "file": SimpleUploadedFile("meetings.csv", b"\x7fELF\x00\x01")}
    )
    assert response.status_code == 400
    assert "This type of file is not accepted" in response.content.decode()
    assert '<option value="test.meeting" selected>' in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_a_single_column_csv_is_read_not_refused_with_a_server_error():
    from defensor.core.imports import _delimiter

    assert _delimiter("name\nIvan Matveev\nAigul Temirova\n") == ","
