"""The rendering module: PDF through Typst, many letters per compilation, merging, DOCX, background jobs."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pypdf
import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import Client
from django.urls import reverse
from jinja2.exceptions import SecurityError

from defensor.core import crypto
from defensor.core.ledger import activity_record
from defensor.core.models import ActivityKind, AuditEntry, RenderJob, Sensitivity
from defensor.core.rendering import docx as docx_rendering
from defensor.core.rendering import jobs, pdf, services, template_for_language
from defensor.core.rendering.docx_template import REPORT_DOCX, build_report_template
from defensor.core.rendering.fonts import font_paths
from defensor.core.rendering.labels import document_date, document_labels
from defensor.core.rendering.pdf import LETTER_TEMPLATE, REPORT_TEMPLATE, RenderError
from defensor.core.testing import PASSWORD, Personas, assert_persona_matrix, sign_in

# Everything the Typst markup language would otherwise act on.
MARKUP = r"#let x = 1 $a^2$ *bold* _it_ <label> @ref \ [brackets] `code` // not a comment /* nor this */ ~ 'q' \"q\""
RUSSIAN = "Адвокат Иван Петров задержан; наблюдатели не допущены в зал суда."


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _report(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Trial of lawyer Ivan Petrov",
        "subtitle": "Moscow City Court",
        "organisation": "Justice International",
        "date": "3 June 2025",
        "language": "en",
        "short_title": "Case JI-2025-014",
        "blocks": [
            {"kind": "heading", "level": 1, "text": "Summary"},
            {"kind": "paragraph", "text": "The hearing opened two hours late.", "notes": ["Observer notes, 12 March."]},
            {"kind": "heading", "level": 2, "text": "Access to the courtroom"},
            {"kind": "paragraph", "text": ("Observers waited outside. " * 60 + "\n\n") * 6},
            {"kind": "heading", "level": 2, "text": "Findings"},
            {"kind": "paragraph", "text": "The right to a public hearing was not respected."},
        ],
    }
    data.update(overrides)
    return data


def _letter(number: int) -> dict[str, Any]:
    return {
        "sender": {"name": "Justice International", "lines": ["Rue de Lausanne 1", "1201 Geneva"]},
        "recipient": ["Minister of Justice", "Ministry of Justice", "Moscow"],
        "date": "3 June 2025",
        "city": "Geneva",
        "subject": "Release of lawyer Ivan Petrov",
        "salutation": "Your Excellency,",
        "body": "I ask for the immediate release of Ivan Petrov.\n\nHe is detained for his work as a lawyer.",
        "closing": "Yours faithfully,",
        "signature": {"name": f"Signer {number}", "title": "Lawyer"},
        "annexes": ["Opinion of the Working Group on Arbitrary Detention"],
    }


# --- fonts -----------------------------------------------------------------------------------


def test_fonts_come_from_the_font_packages():
    folders = font_paths()
    names = {path.name for folder in folders for path in folder.glob("*.ttf")}
    assert "IBMPlexSerif-Regular.ttf" in names
    assert any(name.startswith("IBMPlexSans") for name in names)


def test_pdf_embeds_ibm_plex_serif_and_sans():
    reader = pypdf.PdfReader(io.BytesIO(pdf.render_pdf(REPORT_TEMPLATE, _report())))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("IBMPlexSerif" in name for name in fonts), fonts
    assert any("IBMPlexSans" in name for name in fonts), fonts
    assert not any("Libertinus" in name for name in fonts), "fell back to Typst's built-in font"


# --- one PDF -----------------------------------------------------------------------------------


def test_cyrillic_text_renders_and_comes_back_out():
    data = _report(title="Процесс над адвокатом", language="ru", blocks=[{"kind": "paragraph", "text": RUSSIAN}])
    text = _flat(" ".join(_pages(pdf.render_pdf(REPORT_TEMPLATE, data))))
    assert "Процесс над адвокатом" in text
    assert "наблюдатели не допущены" in text


def test_title_page_has_the_title_subtitle_organisation_and_date():
    first = _flat(_pages(pdf.render_pdf(REPORT_TEMPLATE, _report()))[0])
    for expected in ("Trial of lawyer Ivan Petrov", "Moscow City Court", "JUSTICE INTERNATIONAL", "3 June 2025"):
        assert expected in first


def test_title_page_carries_no_running_header_or_page_number():
    first = _pages(pdf.render_pdf(REPORT_TEMPLATE, _report()))[0]
    assert "Case JI-2025-014" not in first
    assert "Page 1" not in first


def test_running_header_and_page_x_of_y_on_the_pages_after_the_title():
    pages = _pages(pdf.render_pdf(REPORT_TEMPLATE, _report()))
    assert len(pages) >= 3
    for number, text in enumerate(pages[1:], start=2):
        assert "Case JI-2025-014" in text
        assert "3 June 2025" in text
        assert f"Page {number} of {len(pages)}" in text


def test_marking_is_repeated_in_the_running_header():
    pages = _pages(pdf.render_pdf(REPORT_TEMPLATE, _report(marking="Confidential")))
    assert all("CONFIDENTIAL" in text for text in pages)


def test_page_label_comes_translated_from_the_application(monkeypatch):
    labels = {**document_labels("en"), "page-of": "Стр. {page} из {pages}"}
    monkeypatch.setattr(pdf, "document_labels", lambda language=None: labels)
    pages = _pages(pdf.render_pdf(REPORT_TEMPLATE, _report()))
    assert f"Стр. 2 из {len(pages)}" in pages[1]


def test_document_labels_are_in_the_requested_language():
    assert document_labels("en")["page-of"] == "Page {page} of {pages}"
    assert set(document_labels("ru")) == set(document_labels("en"))


def test_document_date_is_written_out_in_the_language():
    assert "марта" in document_date(datetime.date(2025, 3, 3), "ru")
    assert "March" in document_date(datetime.date(2025, 3, 3), "en")
    assert document_date(None) == ""


def test_user_text_with_typst_markup_comes_out_literally():
    data = _report(
        title=MARKUP,
        short_title=MARKUP,
        blocks=[{"kind": "heading", "level": 1, "text": MARKUP}, {"kind": "paragraph", "text": MARKUP}],
    )
    pages = _pages(pdf.render_pdf(REPORT_TEMPLATE, data))
    body = _flat(pages[1])
    # The heading and the paragraph both hold the whole string, markup characters included.
    assert body.count(_flat(MARKUP)) >= 2, body


def test_user_text_cannot_read_files_or_inputs():
    data = _report(blocks=[{"kind": "paragraph", "text": '#read("/core/rendering/typst/defensor.typ") #sys.inputs'}])
    text = _flat(_pages(pdf.render_pdf(REPORT_TEMPLATE, data))[1])
    assert '#read("/core/rendering/typst/defensor.typ") #sys.inputs' in text
    assert "default-labels" not in text


def test_blank_lines_start_new_paragraphs_and_single_breaks_stay():
    data = _report(blocks=[{"kind": "paragraph", "text": "First paragraph.\n\nSecond line one\nSecond line two"}])
    lines = [line.strip() for line in _pages(pdf.render_pdf(REPORT_TEMPLATE, data))[1].splitlines()]
    assert "First paragraph." in lines
    assert "Second line one" in lines
    assert "Second line two" in lines


def test_sources_become_footnotes_at_the_foot_of_the_page():
    source = {
        "title": "Basic Principles on the Role of Lawyers",
        "publisher": "United Nations",
        "url": "https://un.org/bp",
    }
    data = _report(
        blocks=[{"kind": "paragraph", "text": "Lawyers must work freely.", "notes": [source, "Notes, 12 May."]}]
    )
    lines = [line.strip() for line in _pages(pdf.render_pdf(REPORT_TEMPLATE, data))[1].splitlines()]
    body_index = next(i for i, line in enumerate(lines) if line.startswith("Lawyers must work freely."))
    assert lines[body_index].endswith("1,2")
    notes = " ".join(lines[body_index + 1 :])
    assert "Basic Principles on the Role of Lawyers, United Nations, https://un.org/bp" in notes
    assert "Notes, 12 May." in notes


def test_facts_leave_out_empty_values():
    data = _report(blocks=[{"kind": "facts", "rows": [["Court", "Moscow City Court"], ["Judge", ""]]}])
    text = _pages(pdf.render_pdf(REPORT_TEMPLATE, data))[1]
    assert "Moscow City Court" in text
    assert "Judge" not in text


def test_svg_charts_from_the_data_are_drawn(tmp_path):
    # A root holding a template and a copy of the library at its usual path, as an app's templates have.
    library = tmp_path / "core" / "rendering" / "typst" / "defensor.typ"
    library.parent.mkdir(parents=True)
    library.write_text((pdf.TYPST_LIBRARY / "defensor.typ").read_text())
    template = tmp_path / "chart.typ"
    template.write_text('#import "/core/rendering/typst/defensor.typ": *\n#svg(inputs().chart, alt: "Hearings")\n')
    chart = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">'
        '<rect width="120" height="40" fill="#1f4e79"/><text x="10" y="80">Hearings observed</text></svg>'
    )
    text = _pages(pdf.render_pdf(template, {"chart": chart}, root=tmp_path))[0]
    assert "Hearings observed" in text


def test_a_template_outside_the_root_is_refused(tmp_path):
    outside = tmp_path / "x.typ"
    outside.write_text("Hello")
    with pytest.raises(ValueError, match="outside the compile root"):
        pdf.render_pdf(outside, {})


def test_a_broken_template_raises_a_render_error_for_the_user(tmp_path):
    broken = tmp_path / "broken.typ"
    broken.write_text("#let x = (\n")
    with pytest.raises(RenderError) as caught:
        pdf.render_pdf(broken, {}, root=tmp_path)
    assert "template has an error" in caught.value.message
    assert "broken.typ" in caught.value.detail


def test_an_app_template_imports_the_library_from_the_root(tmp_path):
    # An app's template beside the library, as in defensor/<app>/typst/: absolute import from the root.
    app_template = pdf.DEFAULT_ROOT / "core" / "rendering" / "typst" / "report.typ"
    assert '#import "/core/rendering/typst/defensor.typ"' in app_template.read_text()
    assert pdf.render_pdf(app_template, _report()).startswith(b"%PDF")


def test_the_compiler_of_a_template_is_reused():
    pdf.clear_compilers()
    pdf.render_pdf(REPORT_TEMPLATE, _report())
    first = pdf._compiler_for(REPORT_TEMPLATE, None)
    pdf.render_pdf(REPORT_TEMPLATE, _report(title="Another"))
    assert pdf._compiler_for(REPORT_TEMPLATE, None) is first
    assert len(pdf._compilers) == 1


def test_template_for_language_picks_the_language_variant(tmp_path):
    base = tmp_path / "letter.typ"
    base.write_text("")
    (tmp_path / "letter.ru.typ").write_text("")
    assert template_for_language(base, "ru") == tmp_path / "letter.ru.typ"
    assert template_for_language(base, "tr") == base
    assert template_for_language(base, None) == base


# --- many letters -------------------------------------------------------------------------------


def test_render_many_gives_one_page_per_item_in_order():
    items = [_letter(k) for k in range(7)]
    merged = pdf.merge_pdfs(pdf.render_many(LETTER_TEMPLATE, items, chunk=3))
    pages = _pages(merged)
    assert len(pages) == 7
    for k, text in enumerate(pages):
        assert f"Signer {k}" in text
        assert all(f"Signer {other}" not in text for other in range(7) if other != k)


def test_render_many_compiles_once_per_chunk(monkeypatch):
    calls: list[int] = []
    real_compile = pdf._compile

    def counting(template: Path, root: Path | None, inputs: dict[str, str]) -> bytes:
        calls.append(1)
        return real_compile(template, root, inputs)

    monkeypatch.setattr(pdf, "_compile", counting)
    parts = list(pdf.render_many(LETTER_TEMPLATE, (_letter(k) for k in range(7)), chunk=3))
    assert len(calls) == 3
    assert [pdf.page_count(part) for part in parts] == [3, 3, 1]


def test_render_many_of_nothing_renders_nothing():
    assert list(pdf.render_many(LETTER_TEMPLATE, [])) == []


def test_letter_has_its_parts():
    text = _flat(_pages(pdf.render_pdf(LETTER_TEMPLATE, _letter(1)))[0])
    for expected in (
        "Justice International",
        "Minister of Justice",
        "Geneva, 3 June 2025",
        "Release of lawyer Ivan Petrov",
        "Your Excellency,",
        "He is detained for his work as a lawyer.",
        "Yours faithfully,",
        "Signer 1",
        "Annexes",
        "Opinion of the Working Group on Arbitrary Detention",
    ):
        assert expected in text


def test_letter_in_russian_with_markup_in_the_signers_name():
    item = _letter(1) | {"signature": {"name": "Мария #Иванова_[1]"}, "salutation": "Уважаемый господин министр!"}
    text = _flat(_pages(pdf.render_pdf(LETTER_TEMPLATE, item))[0])
    assert "Мария #Иванова_[1]" in text
    assert "Уважаемый господин министр!" in text


def test_merge_pdfs_keeps_every_page_in_order():
    first = pdf.render_pdf(LETTER_TEMPLATE, _letter(1))
    second = pdf.render_pdf(REPORT_TEMPLATE, _report())
    merged = pdf.merge_pdfs([first, second])
    pages = _pages(merged)
    assert len(pages) == 1 + pdf.page_count(second)
    assert "Signer 1" in pages[0]
    assert "Trial of lawyer Ivan Petrov" in pages[1]


# --- DOCX ------------------------------------------------------------------------------------------


def _docx(data: bytes) -> Any:
    return docx.Document(io.BytesIO(data))


def test_report_docx_has_the_headings_and_the_cyrillic_text():
    data = _report(blocks=[{"kind": "heading", "level": 1, "text": "Выводы"}, {"kind": "paragraph", "text": RUSSIAN}])
    document = _docx(docx_rendering.render_report_docx(data))
    styled = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Title", "Trial of lawyer Ivan Petrov") in styled
    assert ("Heading 1", "Выводы") in styled
    assert ("Normal", RUSSIAN) in styled


def test_report_docx_heading_levels_follow_the_data():
    data = _report(
        blocks=[
            {"kind": "heading", "level": 1, "text": "One"},
            {"kind": "heading", "level": 2, "text": "Two"},
            {"kind": "heading", "level": 3, "text": "Three"},
        ]
    )
    styled = [(p.style.name, p.text) for p in _docx(docx_rendering.render_report_docx(data)).paragraphs]
    assert [item for item in styled if item[0].startswith("Heading") and item[1] != "Notes"] == [
        ("Heading 1", "One"),
        ("Heading 2", "Two"),
        ("Heading 3", "Three"),
    ]


def test_report_docx_sources_become_numbered_notes_marked_in_the_text():
    data = _report(blocks=[{"kind": "paragraph", "text": "Lawyers must work freely.", "notes": ["A", {"title": "B"}]}])
    document = _docx(docx_rendering.render_report_docx(data))
    texts = [p.text for p in document.paragraphs]
    assert "Lawyers must work freely.1,2" in texts
    marked = next(p for p in document.paragraphs if p.text.startswith("Lawyers"))
    assert marked.runs[-1].font.superscript
    assert "1.\tA" in texts
    assert "2.\tB." in texts


def test_report_docx_lists_and_facts():
    data = _report(
        blocks=[
            {"kind": "list", "items": ["First point", "Second point"]},
            {"kind": "facts", "rows": [["Court", "Moscow City Court"], ["Judge", "A. Sidorova"]]},
        ]
    )
    document = _docx(docx_rendering.render_report_docx(data))
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert bullets == ["First point", "Second point"]
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert rows == [["Court", "Moscow City Court"], ["Judge", "A. Sidorova"]]


def test_report_docx_header_has_the_short_title_and_date_and_the_footer_counts_pages():
    document = _docx(docx_rendering.render_report_docx(_report()))
    section = document.sections[0]
    assert section.header.paragraphs[0].text == "Case JI-2025-014\t3 June 2025"
    footer_xml = section.footer._element.xml
    assert 'w:instr=" PAGE "' in footer_xml
    assert 'w:instr=" NUMPAGES "' in footer_xml
    assert section.footer.paragraphs[0].text.startswith("Page ")
    assert section.different_first_page_header_footer


def test_docx_values_stay_literal_and_lose_control_characters():
    typed = "Smith & Sons <w:t>x</w:t> {{ 7 * 7 }} {% raw %}\x07\x0c"
    data = _report(blocks=[{"kind": "paragraph", "text": typed}])
    texts = [p.text for p in _docx(docx_rendering.render_report_docx(data)).paragraphs]
    assert "Smith & Sons <w:t>x</w:t> {{ 7 * 7 }} {% raw %}" in texts


def test_docx_templates_run_in_a_sandbox(tmp_path):
    document = docx.Document()
    document.add_paragraph("{{ value.__class__.__mro__ }}")
    template = tmp_path / "hostile.docx"
    document.save(str(template))
    with pytest.raises(SecurityError):
        docx_rendering.render_docx(template, {"value": "plain"})


def test_committed_word_template_is_what_the_builder_makes():
    assert REPORT_DOCX.read_bytes() == build_report_template(), (
        "report.docx is out of date: run python -m defensor.core.rendering.docx_template"
    )


def test_word_template_names_no_author():
    properties = docx.Document(str(REPORT_DOCX)).core_properties
    assert properties.author == ""
    assert properties.comments == ""


# --- background jobs ---------------------------------------------------------------------------

KIND = "test.letters"
FAILING = "test.failing"
BROKEN = "test.broken"


def _letters_renderer(job: RenderJob, progress: jobs.Progress) -> tuple[bytes, str, str]:
    target = jobs.target_of(job)
    count = int(job.params.get("count", 3))
    items = [_letter(k) for k in range(count)]
    parts = []
    for part in pdf.render_many(LETTER_TEMPLATE, items, chunk=1):
        parts.append(part)
        progress(len(parts), count)
        stored = RenderJob.objects.get(pk=job.pk)
        _seen.setdefault(job.pk, []).append((stored.progress_done, stored.progress_total, stored.status))
    return pdf.merge_pdfs(parts), pdf.PDF_MIME, f"letters-{getattr(target, 'pk', 'none')}.pdf"


def _failing_renderer(job: RenderJob, progress: jobs.Progress) -> tuple[bytes, str, str]:
    progress(1, 4)
    raise RenderError("The campaign has no letter template in Russian.")


def _broken_renderer(job: RenderJob, progress: jobs.Progress) -> tuple[bytes, str, str]:
    raise KeyError("secret internal detail")


_seen: dict[int, list[Any]] = {}


@pytest.fixture(autouse=True)
def _renderers() -> Iterator[None]:
    jobs.register(KIND, _letters_renderer, label="Letters")
    jobs.register(FAILING, _failing_renderer)
    jobs.register(BROKEN, _broken_renderer)
    yield
    for kind in (KIND, FAILING, BROKEN):
        jobs.unregister(kind)
    _seen.clear()


@pytest.fixture
def activity(personas: Personas) -> Any:
    return activity_record(
        actor=personas.users["director"],
        organisation=personas.organisation,
        kind=ActivityKind.LETTER_SENT,
        occurred_on=datetime.date(2025, 6, 3),
        title="Letters to the Minister",
    )


def _start(personas: Personas, obj: Any, *, kind: str = KIND, persona: str = "director", **params: Any) -> RenderJob:
    return services.render_job_start(
        actor=personas.users[persona], organisation=personas.organisation, kind=kind, obj=obj, params=params
    )


@pytest.fixture
def done_job(personas, activity, django_capture_on_commit_callbacks) -> RenderJob:
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(personas, activity)
    job.refresh_from_db()
    assert job.status == RenderJob.Status.DONE
    return job


def test_job_runs_to_done_with_progress_equal_to_the_total(done_job):
    assert (done_job.progress_done, done_job.progress_total) == (3, 3)
    assert done_job.percent == 100
    assert done_job.mime == "application/pdf"
    assert done_job.filename == f"letters-{done_job.object_id}.pdf"
    assert done_job.size > 0
    assert done_job.finished_at is not None


def test_job_records_progress_while_it_renders(done_job):
    assert _seen[done_job.pk] == [(1, 3, "running"), (2, 3, "running"), (3, 3, "running")]


def test_job_file_is_stored_encrypted_under_the_organisation(done_job, settings):
    name = done_job.file.name
    assert re.fullmatch(rf"{done_job.organisation_id}/renders/[0-9a-f]{{32}}", name)
    raw = (Path(settings.MEDIA_ROOT) / name).read_bytes()
    assert not raw.startswith(b"%PDF")
    assert crypto.decrypt_bytes(raw, context=f"file:{name}").startswith(b"%PDF")


def test_job_is_queued_until_the_transaction_commits(personas, activity):
    job = _start(personas, activity)
    job.refresh_from_db()
    assert job.status == RenderJob.Status.QUEUED


def test_running_a_finished_job_again_does_nothing(done_job):
    calls: list[int] = []

    def counting(job: RenderJob, progress: jobs.Progress) -> tuple[bytes, str, str]:
        calls.append(1)
        return b"%PDF", "application/pdf", "again.pdf"

    jobs.register(KIND, counting)
    assert services.render_job_run(job_id=done_job.pk) is None
    done_job.refresh_from_db()
    assert calls == []
    assert done_job.status == RenderJob.Status.DONE


def test_an_abandoned_running_job_runs_again(personas, activity):
    job = _start(personas, activity)
    RenderJob.objects.filter(pk=job.pk).update(
        status=RenderJob.Status.RUNNING, started_at=job.created_at - datetime.timedelta(hours=2)
    )
    services.render_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == RenderJob.Status.DONE


def test_a_job_running_elsewhere_is_left_alone(personas, activity):
    job = _start(personas, activity)
    RenderJob.objects.filter(pk=job.pk).update(status=RenderJob.Status.RUNNING, started_at=job.created_at)
    assert services.render_job_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.status == RenderJob.Status.RUNNING


def test_failing_renderer_marks_the_job_failed_with_its_message(personas, activity, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(personas, activity, kind=FAILING)
    job.refresh_from_db()
    assert job.status == RenderJob.Status.FAILED
    assert job.message == "The campaign has no letter template in Russian."
    assert (job.progress_done, job.progress_total) == (1, 4)
    assert not job.file


def test_unexpected_error_fails_the_job_with_a_general_message_and_is_logged(
    personas, activity, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(personas, activity, kind=BROKEN)
    job.refresh_from_db()
    assert job.status == RenderJob.Status.FAILED
    assert "error on our side" in job.message
    assert "secret internal detail" not in job.message
    assert "secret internal detail" in caplog.text


def test_job_of_a_kind_no_longer_registered_fails(personas, activity):
    job = _start(personas, activity)
    jobs.unregister(KIND)
    services.render_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == RenderJob.Status.FAILED
    assert job.message == "This kind of document can no longer be produced."


def test_failure_message_is_in_the_requesters_language(personas, activity):
    director = personas.users["director"]
    director.language = "ru"
    director.save()
    job = _start(personas, activity, kind=BROKEN)
    captured: list[str] = []
    real_fail = services._fail

    def spy(job: RenderJob, message: str) -> RenderJob:
        from django.utils import translation

        captured.append(translation.get_language())
        return real_fail(job, message)

    services._fail = spy  # type: ignore[assignment]
    try:
        services.render_job_run(job_id=job.pk)
    finally:
        services._fail = real_fail  # type: ignore[assignment]
    assert captured == ["ru"]


def test_starting_an_unknown_kind_is_refused(personas, activity):
    with pytest.raises(ValueError, match="no renderer"):
        _start(personas, activity, kind="test.unknown")
    assert not RenderJob.objects.exists()


def test_starting_is_refused_for_an_object_the_actor_may_not_see(personas):
    secret = activity_record(
        actor=personas.users["director"],
        organisation=personas.organisation,
        kind=ActivityKind.MISSION_MADE,
        occurred_on=datetime.date(2025, 6, 3),
        title="Mission to the north",
        sensitivity=Sensitivity.SECRET,
    )
    with pytest.raises(PermissionDenied):
        _start(personas, secret, persona="volunteer")
    assert not RenderJob.objects.exists()


def test_starting_is_refused_outside_the_actors_organisation(personas, activity):
    with pytest.raises(PermissionDenied):
        services.render_job_start(
            actor=personas.users["outsider"], organisation=personas.organisation, kind=KIND, obj=activity, params={}
        )


def test_starting_is_audited_without_the_parameter_values(personas, activity):
    job = _start(personas, activity, signer="Мария Иванова")
    entry = AuditEntry.objects.get(action="core.render.started")
    assert entry.actor_id == personas.users["director"].pk
    assert entry.organisation_id == personas.organisation.pk
    assert entry.object_id == str(job.pk)
    assert entry.changes["kind"] == KIND
    assert entry.changes["params"] == ["signer"]
    assert "Мария" not in str(entry.changes)


def test_parameters_and_file_name_are_encrypted_in_the_database(personas, activity):
    from django.db import connection

    job = _start(personas, activity, signer="Мария Иванова")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT params FROM {RenderJob._meta.db_table} WHERE id = %s", [job.pk])  # noqa: S608
        (stored,) = cursor.fetchone()
    assert "Мария" not in stored


def test_renderer_stops_when_the_object_is_gone(personas, activity, django_capture_on_commit_callbacks):
    job = _start(personas, activity)
    RenderJob.objects.filter(pk=job.pk).update(object_id="999999")
    services.render_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == RenderJob.Status.FAILED
    assert "no longer exists" in job.message


def test_jobs_of_an_object_are_those_the_user_may_see(personas, activity):
    from defensor.core.rendering.selectors import render_jobs_for

    by_director = _start(personas, activity)
    by_volunteer = _start(personas, activity, persona="volunteer")
    assert list(render_jobs_for(user=personas.users["director"], obj=activity)) == [by_volunteer, by_director]
    assert list(render_jobs_for(user=personas.users["volunteer"], obj=activity)) == [by_volunteer]
    assert list(render_jobs_for(user=personas.users["outsider"], obj=activity)) == []
    assert list(render_jobs_for(user=personas.users["director"], obj=activity, kind=FAILING)) == []


# --- the job page and the download -----------------------------------------------------------


def _reauthenticated(user: Any) -> Client:
    client = sign_in(Client(), user)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, "re-authentication failed"
    return client


def test_job_page_persona_matrix(personas, done_job):
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 404, "case_officer": 200, "director": 200}
    assert_persona_matrix(personas, reverse("core:render_job", args=[done_job.pk]), expected)


def test_download_persona_matrix(personas, done_job):
    # Those who may export are first asked to confirm their password (302); see the next tests.
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 302, "director": 302}
    assert_persona_matrix(personas, reverse("core:render_download", args=[done_job.pk]), expected)
    assert not AuditEntry.objects.filter(action="core.render.downloaded").exists()


def test_download_asks_for_re_authentication(personas, done_job):
    response = personas.client("director").get(reverse("core:render_download", args=[done_job.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_director_downloads_the_file_after_re_authentication(personas, done_job):
    client = _reauthenticated(personas.users["director"])
    response = client.get(reverse("core:render_download", args=[done_job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"letters-{done_job.object_id}.pdf" in response["Content-Disposition"]
    assert len(_pages(response.content)) == 3


def test_download_is_audited(personas, done_job):
    client = _reauthenticated(personas.users["case_officer"])
    client.get(reverse("core:render_download", args=[done_job.pk]))
    entry = AuditEntry.objects.get(action="core.render.downloaded")
    assert entry.actor_id == personas.users["case_officer"].pk
    assert entry.object_id == str(done_job.pk)
    assert entry.changes == {"kind": KIND, "size": done_job.size}


def test_unfinished_job_has_nothing_to_download(personas, activity):
    job = _start(personas, activity)
    client = _reauthenticated(personas.users["director"])
    assert client.get(reverse("core:render_download", args=[job.pk])).status_code == 404
    assert not AuditEntry.objects.filter(action="core.render.downloaded").exists()


def test_requester_without_export_sees_the_job_but_cannot_download(
    personas, activity, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(personas, activity, persona="volunteer")
    client = personas.client("volunteer")
    page = client.get(reverse("core:render_job", args=[job.pk]))
    assert page.status_code == 200
    assert "needs the export permission" in page.content.decode()
    assert reverse("core:render_download", args=[job.pk]) not in page.content.decode()
    assert client.get(reverse("core:render_download", args=[job.pk])).status_code == 403


def test_page_of_a_waiting_job_polls_every_second(personas, activity):
    job = _start(personas, activity)
    page = personas.client("director").get(reverse("core:render_job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert f'hx-get="{reverse("core:render_job", args=[job.pk])}"' in page
    assert "<progress" in page


def test_progress_partial_of_a_running_job_shows_the_count(personas, activity):
    job = _start(personas, activity)
    RenderJob.objects.filter(pk=job.pk).update(status=RenderJob.Status.RUNNING, progress_done=40, progress_total=160)
    response = personas.client("director").get(reverse("core:render_job", args=[job.pk]), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<progress id="render-job-progress-' in body
    assert 'value="40" max="160"' in body
    assert "40 of 160 done (25%)" in body
    assert "<html" not in body


def test_progress_partial_of_a_finished_job_stops_polling_and_offers_the_file(personas, done_job):
    response = personas.client("director").get(reverse("core:render_job", args=[done_job.pk]), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 286
    assert reverse("core:render_download", args=[done_job.pk]) in body
    assert "hx-trigger" not in body


def test_page_of_a_failed_job_shows_the_message(personas, activity, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(personas, activity, kind=FAILING)
    body = personas.client("director").get(reverse("core:render_job", args=[job.pk])).content.decode()
    assert "The campaign has no letter template in Russian." in body
    assert 'role="alert"' in body
    assert "hx-trigger" not in body


# --- erasing rendered files at the end of a retention period --------------------------------


def test_erasing_deletes_the_file_and_marks_the_job(done_job, activity, django_capture_on_commit_callbacks):
    from defensor.core.rendering.services import render_files_erase

    name = done_job.file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert render_files_erase(obj=activity, kind=KIND) == 1
    done_job.refresh_from_db()
    assert done_job.status == RenderJob.Status.ERASED
    assert (done_job.file.name, done_job.filename, done_job.size) == ("", "", 0)
    assert not done_job.file.storage.exists(name)


def test_erasing_leaves_other_kinds_alone(done_job, activity):
    from defensor.core.rendering.services import render_files_erase

    assert render_files_erase(obj=activity, kind=FAILING) == 0
    done_job.refresh_from_db()
    assert done_job.status == RenderJob.Status.DONE


def test_erasing_skips_a_job_still_rendering(personas, activity):
    from defensor.core.rendering.services import render_files_erase

    job = _start(personas, activity)
    assert render_files_erase(obj=activity, kind=KIND) == 0
    job.refresh_from_db()
    assert job.status == RenderJob.Status.QUEUED


def test_the_page_of_an_erased_job_says_so(personas, done_job, activity):
    from defensor.core.rendering.services import render_files_erase

    render_files_erase(obj=activity, kind=KIND)
    page = personas.client("director").get(reverse("core:render_job", args=[done_job.pk]))
    assert page.status_code == 200
    assert "erased at the end of its retention period" in page.content.decode()
    assert reverse("core:render_download", args=[done_job.pk]) not in page.content.decode()


def test_a_rolled_back_erasure_keeps_the_file(done_job, activity):
    from defensor.core.rendering.services import render_files_erase

    name = done_job.file.name
    with pytest.raises(RuntimeError), transaction.atomic():
        render_files_erase(obj=activity, kind=KIND)
        raise RuntimeError("something later in the same transaction failed")
    done_job.refresh_from_db()
    assert done_job.status == RenderJob.Status.DONE
    assert done_job.file.storage.exists(name)
