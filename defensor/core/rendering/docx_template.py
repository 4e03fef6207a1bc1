"""The generic Word template `report.docx`, built from code so that it can be rebuilt and checked.

The file is committed beside this module (`docx_templates/report.docx`) and a test checks that
it is exactly what `build_report_template()` makes; after changing the builder, write it again:

    python -m defensor.core.rendering.docx_template

The output is byte-for-byte reproducible: fixed document properties (no author), fixed ZIP
timestamps, and no thumbnail. The template holds docxtpl tags; `docx.render_report_docx`
fills them from the same report data as the Typst `report.typ`.
"""

from __future__ import annotations

import datetime
import io
import sys
import zipfile
from pathlib import Path
from typing import Any

import docx
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from defensor.core.rendering.fonts import BODY_FAMILY, HEADING_FAMILY

REPORT_DOCX = Path(__file__).resolve().parent / "docx_templates" / "report.docx"

INK = RGBColor(0x1D, 0x23, 0x2C)
MUTED = RGBColor(0x5B, 0x64, 0x72)
ACCENT = RGBColor(0x1F, 0x4E, 0x79)
FIXED_TIME = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)


def _set_font(style: Any, family: str) -> None:
    """Use `family` for Latin, Cyrillic and complex scripts alike, overriding the theme fonts."""
    style.font.name = family
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), family)


def _styles(document: Any) -> None:
    styles = document.styles
    normal = styles["Normal"]
    _set_font(normal, BODY_FAMILY)
    normal.font.size = Pt(10.5)
    normal.font.color.rgb = INK
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.2
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    for name, size, before, after in (
        ("Title", 26, 0, 6),
        ("Subtitle", 14, 0, 12),
        ("Heading 1", 15, 18, 8),
        ("Heading 2", 12, 14, 6),
        ("Heading 3", 10.5, 12, 4),
    ):
        style = styles[name]
        _set_font(style, HEADING_FAMILY)
        style.font.size = Pt(size)
        style.font.bold = name != "Subtitle"
        style.font.italic = False
        style.font.color.rgb = MUTED if name == "Subtitle" else INK
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(after)
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        style.paragraph_format.keep_with_next = True
    # The default Title style draws a border under the title; the title page has its own rule.
    title_ppr = styles["Title"].element.get_or_add_pPr()
    for border in title_ppr.findall(qn("w:pBdr")):
        title_ppr.remove(border)

    for name in ("Header", "Footer"):
        style = styles[name]
        _set_font(style, HEADING_FAMILY)
        style.font.size = Pt(8)
        style.font.color.rgb = MUTED

    bullet = styles["List Bullet"]
    _set_font(bullet, BODY_FAMILY)
    bullet.paragraph_format.space_after = Pt(3)

    notes = styles.add_style("Notes", WD_STYLE_TYPE.PARAGRAPH)
    notes.base_style = normal
    notes.font.size = Pt(8.5)
    notes.paragraph_format.space_after = Pt(3)
    notes.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    notes.paragraph_format.left_indent = Cm(0.6)
    notes.paragraph_format.first_line_indent = Cm(-0.6)

    label = styles.add_style("Fact Label", WD_STYLE_TYPE.PARAGRAPH)
    label.base_style = normal
    _set_font(label, HEADING_FAMILY)
    label.font.size = Pt(9)
    label.font.color.rgb = MUTED
    label.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    label.paragraph_format.space_after = Pt(2)

    organisation = styles.add_style("Organisation", WD_STYLE_TYPE.PARAGRAPH)
    organisation.base_style = normal
    _set_font(organisation, HEADING_FAMILY)
    organisation.font.size = Pt(10)
    organisation.font.bold = True
    organisation.font.all_caps = True
    organisation.font.color.rgb = ACCENT
    organisation.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    organisation.paragraph_format.space_after = Pt(160)


def _field(paragraph: Any, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice compute when they lay out the page."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _page_setup(document: Any) -> None:
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(2.5), Cm(2.2)
    section.top_margin, section.bottom_margin = Cm(3), Cm(2.5)
    section.header_distance, section.footer_distance = Cm(1.4), Cm(1.2)
    # The title page has an empty header and footer.
    section.different_first_page_header_footer = True

    header = section.header.paragraphs[0]
    header.style = document.styles["Header"]
    header.paragraph_format.tab_stops.add_tab_stop(Cm(16.3), WD_TAB_ALIGNMENT.RIGHT)
    header.add_run("{{ short_title }}{% if marking %} · {{ marking|upper }}{% endif %}\t{{ date }}")
    bottom = OxmlElement("w:pBdr")
    line = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "4"), ("w:color", "A9B1BD")):
        line.set(qn(key), value)
    bottom.append(line)
    header._p.get_or_add_pPr().append(bottom)

    footer = section.footer.paragraphs[0]
    footer.style = document.styles["Footer"]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("{{ page_label.before }}")
    _field(footer, "PAGE")
    footer.add_run("{{ page_label.between }}")
    _field(footer, "NUMPAGES")
    footer.add_run("{{ page_label.after }}")


def _tag(document: Any, tag: str) -> None:
    """A paragraph holding only a docxtpl `{%p ... %}` tag: docxtpl removes it when rendering."""
    document.add_paragraph(f"{{%p {tag} %}}")


def _body(document: Any) -> None:
    document.add_paragraph("{{ organisation }}", style="Organisation")
    document.add_paragraph("{{ title }}", style="Title")
    _tag(document, "if subtitle")
    document.add_paragraph("{{ subtitle }}", style="Subtitle")
    _tag(document, "endif")
    date = document.add_paragraph(style="Subtitle")
    date.add_run("{{ date }}").font.size = Pt(11)
    _tag(document, "if marking")
    marking = document.add_paragraph(style="Fact Label")
    marking.paragraph_format.space_before = Pt(200)
    marking_run = marking.add_run("{{ marking|upper }}")
    marking_run.bold = True
    marking_run.font.color.rgb = INK
    _tag(document, "endif")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    _tag(document, "for block in blocks")
    _tag(document, 'if block.kind == "heading" and block.level == 1')
    document.add_paragraph("{{ block.text }}", style="Heading 1")
    _tag(document, 'elif block.kind == "heading" and block.level == 2')
    document.add_paragraph("{{ block.text }}", style="Heading 2")
    _tag(document, 'elif block.kind == "heading"')
    document.add_paragraph("{{ block.text }}", style="Heading 3")
    _tag(document, 'elif block.kind == "list"')
    _tag(document, "for item in block.entries")
    document.add_paragraph("{{ item }}", style="List Bullet")
    _tag(document, "endfor")
    _tag(document, 'elif block.kind == "facts"')
    table = document.add_table(rows=3, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = True
    table.cell(0, 0).paragraphs[0].text = "{%tr for row in block.rows %}"
    label, value = table.cell(1, 0).paragraphs[0], table.cell(1, 1).paragraphs[0]
    label.style = document.styles["Fact Label"]
    label.text = "{{ row.label }}"
    value.text = "{{ row.value }}"
    value.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    value.paragraph_format.space_after = Pt(2)
    table.cell(2, 0).paragraphs[0].text = "{%tr endfor %}"
    for cell in table.columns[0].cells:
        cell.width = Cm(4)
    for cell in table.columns[1].cells:
        cell.width = Cm(12.3)
    _tag(document, "else")
    _tag(document, "for paragraph in block.paragraphs")
    paragraph = document.add_paragraph()
    paragraph.add_run("{{ paragraph.text }}")
    marks = paragraph.add_run("{{ paragraph.marks }}")
    marks.font.superscript = True
    _tag(document, "endfor")
    _tag(document, "endif")
    _tag(document, "endfor")

    _tag(document, "if notes")
    document.add_paragraph("{{ labels.notes }}", style="Heading 1")
    _tag(document, "for note in notes")
    document.add_paragraph("{{ note.number }}.\t{{ note.text }}", style="Notes")
    _tag(document, "endfor")
    _tag(document, "endif")


def _properties(document: Any) -> None:
    properties = document.core_properties
    properties.author = ""
    properties.comments = ""
    properties.last_modified_by = ""
    properties.title = ""
    properties.revision = 1
    properties.created = FIXED_TIME.replace(tzinfo=None)
    properties.modified = FIXED_TIME.replace(tzinfo=None)
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package.rels[rel_id]


def _reproducible(data: bytes) -> bytes:
    """The same ZIP with fixed member timestamps, so that the same builder gives the same bytes."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info))
    return output.getvalue()


def build_report_template() -> bytes:
    """The bytes of report.docx."""
    document = docx.Document()
    _styles(document)
    _page_setup(document)
    # The default document starts with no paragraph; every paragraph below is the template's own.
    _body(document)
    _properties(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return _reproducible(buffer.getvalue())


def write_report_template(path: Path = REPORT_DOCX) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(build_report_template())
    return path


if __name__ == "__main__":
    sys.stdout.write(f"wrote {write_report_template()}\n")
