"""Word documents (DOCX) for the people who edit them, from docxtpl templates.

A docxtpl template is a Word file with Jinja tags (`{{ name }}`, `{%p for … %}`) that staff can
restyle in Word. Rendering runs in a sandboxed Jinja environment with autoescaping, so values
are set as text (`<`, `&` and tag-like input stay literal) and a template cannot reach Python
internals. Control characters that XML cannot hold are removed from the values; a line break
in a value becomes a line break in Word.

The generic report (`REPORT_DOCX`, built by `docx_template`) takes the same data as the Typst
`report.typ` — see `render_report_docx`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment

from defensor.core.rendering.docx_template import REPORT_DOCX
from defensor.core.rendering.labels import document_labels

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# C0 controls other than tab and line feed, and DEL: not allowed in XML 1.0, and docxtpl
# would turn \a and \f into paragraph and page breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    if isinstance(value, Mapping):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    return value


def render_docx(template: Path, context: dict[str, Any]) -> bytes:
    """A Word document from a docxtpl template and its context."""
    document = DocxTemplate(str(template))
    document.render(_clean(context), jinja_env=SandboxedEnvironment(autoescape=True), autoescape=True)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _source_text(source: Any) -> str:
    if isinstance(source, Mapping):
        parts = [str(source[key]) for key in ("author", "title", "publisher", "date", "pages") if source.get(key)]
        if source.get("url"):
            parts.append(str(source["url"]))
        return ", ".join(parts) + "."
    return str(source)


def _split_paragraphs(text: Any) -> list[str]:
    if isinstance(text, list | tuple):
        blocks = [str(block) for block in text]
    else:
        blocks = re.split(r"\n[ \t]*\n", str(text or "").replace("\r\n", "\n"))
    return [block.strip() for block in blocks if block.strip()]


def report_docx_context(data: dict[str, Any], *, language: str | None = None) -> dict[str, Any]:
    """The context of report.docx from report data (the same data `report.typ` renders).

    Data: title, subtitle, organisation, date (text), short_title, marking, language, and `blocks`:
    {"kind": "heading", "level": 1-3, "text"}, {"kind": "paragraph", "text", "notes": [text or
    source dict]}, {"kind": "list", "items": [...]}, {"kind": "facts", "rows": [[label, value], ...]}.
    Sources become numbered notes at the end, marked in the text.
    """
    language = language or data.get("language") or None
    labels = document_labels(language)
    before, _page, rest = labels["page-of"].partition("{page}")
    between, _pages, after = rest.partition("{pages}")
    notes: list[dict[str, Any]] = []
    blocks: list[dict[str, Any]] = []
    for block in data.get("blocks", []):
        kind = block.get("kind", "paragraph")
        if kind == "heading":
            blocks.append({"kind": "heading", "level": int(block.get("level", 1)), "text": block.get("text", "")})
        elif kind == "list":
            blocks.append({"kind": "list", "entries": [str(item) for item in block.get("items", [])]})
        elif kind == "facts":
            rows = [{"label": row[0], "value": row[1]} for row in block.get("rows", []) if len(row) > 1 and row[1]]
            if rows:
                blocks.append({"kind": "facts", "rows": rows})
        else:
            paragraphs = [{"text": text, "marks": ""} for text in _split_paragraphs(block.get("text"))]
            numbers = []
            for source in block.get("notes", []):
                notes.append({"number": len(notes) + 1, "text": _source_text(source)})
                numbers.append(str(len(notes)))
            if numbers:
                if not paragraphs:
                    paragraphs.append({"text": "", "marks": ""})
                paragraphs[-1]["marks"] = ",".join(numbers)
            blocks.append({"kind": "paragraph", "paragraphs": paragraphs})
    return {
        "title": data.get("title", ""),
        "subtitle": data.get("subtitle") or "",
        "organisation": data.get("organisation") or "",
        "date": data.get("date") or "",
        "short_title": data.get("short_title") or data.get("title", ""),
        "marking": data.get("marking") or "",
        "blocks": blocks,
        "notes": notes,
        "labels": labels,
        "page_label": {"before": before, "between": between, "after": after},
    }


def render_report_docx(data: dict[str, Any], *, language: str | None = None) -> bytes:
    """The generic report as a Word document."""
    return render_docx(REPORT_DOCX, report_docx_context(data, language=language))
