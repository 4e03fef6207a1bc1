"""The rendering module: documents from templates, for every programme area.

- `pdf.render_pdf(template, data)` — one PDF through Typst; `pdf.render_many(template, items)` —
  many one-page documents (letters), a chunk of items per compilation; `pdf.merge_pdfs(parts)`.
- `docx.render_docx(template, context)` — a Word document from a docxtpl template that staff can
  edit in Word; `docx.render_report_docx(data)` — the generic report as DOCX.
- `typst/defensor.typ` — the shared Typst library (report: title page, running header, page X of
  Y, headings, footnotes; letter: sender, address, date, salutation, body, signature, annexes).
  `typst/report.typ` and `typst/letter.typ` are generic templates over the same data as DOCX.
- `jobs.register(kind, function)` — a renderer for background jobs; `services.render_job_start`
  queues one; the job page shows progress and then the file (see `views`).

Templates are per language: `template_for_language(path, "ru")` picks `letter.ru.typ` next to
`letter.typ` when there is one.
"""

from __future__ import annotations

from pathlib import Path


def template_for_language(template: Path, language: str | None) -> Path:
    """The variant of `template` for `language` (`name.<language>.ext` beside it), else `template`."""
    if language:
        variant = template.with_name(f"{template.stem}.{language}{template.suffix}")
        if variant.is_file():
            return variant
    return template
