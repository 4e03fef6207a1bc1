"""PDF through Typst: one document, many one-page documents in chunks, and merging.

Templates live in the apps (`defensor/<app>/typst/...`) and import the shared library from the
compile root, which is the `defensor` package folder:

    #import "/core/rendering/typst/defensor.typ": *

Data goes to the template as JSON in `sys.inputs` (read with `inputs()` or `items()` of the
library), never by writing it into Typst markup, so nothing a user typed can act as markup.
Only the fonts of the font packages are used (`ignore_system_fonts`), and no `@preview`
package is imported, so compiling never reaches the network.

A compiler is kept per template and root and reused: Typst then re-parses nothing between
documents, which is what makes thousands of letters a minute possible.
"""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdf
import typst
from django.utils.translation import gettext

from defensor.core.rendering.fonts import font_paths
from defensor.core.rendering.labels import document_labels

logger = logging.getLogger(__name__)

# The compile root: the `defensor` package folder, so that "/core/rendering/typst/defensor.typ"
# and "/<app>/typst/<template>.typ" are both reachable, and nothing outside the project is.
DEFAULT_ROOT = Path(__file__).resolve().parents[2]
TYPST_LIBRARY = Path(__file__).resolve().parent / "typst"
REPORT_TEMPLATE = TYPST_LIBRARY / "report.typ"
LETTER_TEMPLATE = TYPST_LIBRARY / "letter.typ"
PDF_MIME = "application/pdf"


class RenderError(Exception):
    """A document could not be rendered. `message` is for the user; `detail` is for the log."""

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(f"{message} ({detail})" if detail else message)
        self.message = message
        self.detail = detail


@dataclass
class _Compiler:
    compiler: typst.Compiler
    # A compiler holds mutable state: one compilation at a time per compiler.
    lock: threading.Lock = field(default_factory=threading.Lock)


_compilers: dict[tuple[Path, Path], _Compiler] = {}
_compilers_lock = threading.Lock()


def _resolve(template: Path, root: Path | None) -> tuple[Path, Path]:
    root_path = (root or DEFAULT_ROOT).resolve()
    template_path = Path(template).resolve()
    if not template_path.is_relative_to(root_path):
        raise ValueError(f"the template {template_path} is outside the compile root {root_path}")
    if not template_path.is_file():
        raise FileNotFoundError(template_path)
    return template_path, root_path


def _compiler_for(template: Path, root: Path | None) -> _Compiler:
    key = _resolve(template, root)
    with _compilers_lock:
        cached = _compilers.get(key)
        if cached is None:
            template_path, root_path = key
            cached = _Compiler(
                typst.Compiler(
                    str(template_path),
                    root=str(root_path),
                    font_paths=[str(path) for path in font_paths()],
                    ignore_system_fonts=True,
                )
            )
            _compilers[key] = cached
    return cached


def clear_compilers() -> None:
    """Forget the cached compilers (they notice edited templates by themselves; this frees their memory)."""
    with _compilers_lock:
        _compilers.clear()


def _json(value: Any) -> str:
    # Dates, decimals, UUIDs and lazy translations arrive as their text.
    return json.dumps(value, ensure_ascii=False, default=str)


def _compile(template: Path, root: Path | None, inputs: dict[str, str]) -> bytes:
    cached = _compiler_for(template, root)
    try:
        with cached.lock:
            result, warnings = cached.compiler.compile_with_warnings(format="pdf", sys_inputs=inputs)
    except typst.TypstError as exc:
        detail = f"{template.name}: {exc.message} {exc.diagnostic}".strip()
        logger.error("typst could not compile %s: %s", template, detail)
        raise RenderError(
            gettext("The document could not be typeset because its template has an error. Tell your administrator."),
            detail=detail,
        ) from exc
    for warning in warnings:
        logger.warning("typst warning in %s: %s", template.name, warning.message)
    if not isinstance(result, bytes):
        raise RenderError(gettext("The document could not be typeset."), detail=f"{template.name}: no PDF produced")
    return result


def _labels(language: str | None) -> str:
    return _json(document_labels(language))


def render_pdf(template: Path, data: dict[str, Any], *, root: Path | None = None, language: str | None = None) -> bytes:
    """One PDF from a template and its data (read in the template with `inputs()`).

    The library's own words (page numbers…) are in `language`, else `data["language"]`, else the
    active language.
    """
    language = language or data.get("language") or None
    return _compile(template, root, {"data": _json(data), "labels": _labels(language)})


def render_many(
    template: Path,
    items: Iterable[dict[str, Any]],
    *,
    chunk: int = 50,
    root: Path | None = None,
    language: str | None = None,
) -> Iterator[bytes]:
    """PDFs of many short documents, `chunk` items per PDF, one compilation per chunk.

    The template renders every item of `items()` with the library's `each-item`, which starts
    each item on a new page; for one-page letters, page k of a chunk is its item k. Yields one
    PDF per chunk, in order; `merge_pdfs` joins them when one file is wanted.
    """
    if chunk < 1:
        raise ValueError("chunk must be at least 1")
    labels = _labels(language)
    batch: list[dict[str, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) == chunk:
            yield _compile(template, root, {"items": _json(batch), "labels": labels})
            batch = []
    if batch:
        yield _compile(template, root, {"items": _json(batch), "labels": labels})


def merge_pdfs(parts: Iterable[bytes]) -> bytes:
    """One PDF of all the pages of `parts`, in order."""
    writer = pypdf.PdfWriter()
    for part in parts:
        writer.append(pypdf.PdfReader(io.BytesIO(part)))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def page_count(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
