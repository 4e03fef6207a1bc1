"""Safe uploads: the type is read from the content, metadata is stripped, files are served as attachments.

Every file a user gives Defensor goes through `sanitise_upload` before it is stored:

* the type comes from the bytes (`sniff`), never from the name; anything that is not a
  PDF, an image, an office document or plain text is refused;
* images are decoded, turned upright and encoded again without EXIF, GPS, XMP, comments
  or text chunks, and the colour profile is applied rather than kept;
* PDFs lose their document information dictionary, XMP metadata, JavaScript, and the
  EXIF and XMP segments of the JPEG photos inside them;
* office documents (DOCX, XLSX, PPTX, ODT, ODS) lose their core, extended (company,
  manager, template) and custom properties, the names of comment and revision authors,
  and the metadata of the pictures inside them; the rest of the package is kept;
* text files are kept as they are.

The result also carries the text of the document for search. Files go back to users only
through `attachment_response`: never inline, never sniffed by the browser, sandboxed.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from lxml import etree

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
TIFF = "image/tiff"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
TEXT = "text/plain"
CSV = "text/csv"

IMAGE_TYPES = frozenset({JPEG, PNG, GIF, WEBP, TIFF})
OFFICE_TYPES = frozenset({DOCX, XLSX, PPTX, ODT, ODS})
DOCUMENT_TYPES = frozenset({PDF, DOCX, ODT, TEXT})
SPREADSHEET_TYPES = frozenset({CSV, XLSX})
ALL_TYPES = IMAGE_TYPES | OFFICE_TYPES | {PDF, TEXT, CSV}

EXTENSIONS = {
    PDF: "pdf",
    PNG: "png",
    JPEG: "jpg",
    GIF: "gif",
    WEBP: "webp",
    TIFF: "tif",
    DOCX: "docx",
    XLSX: "xlsx",
    PPTX: "pptx",
    ODT: "odt",
    ODS: "ods",
    TEXT: "txt",
    CSV: "csv",
}
TYPE_LABELS = {
    PDF: "PDF",
    PNG: "PNG",
    JPEG: "JPEG",
    GIF: "GIF",
    WEBP: "WebP",
    TIFF: "TIFF",
    DOCX: "DOCX",
    XLSX: "XLSX",
    PPTX: "PPTX",
    ODT: "ODT",
    ODS: "ODS",
    TEXT: "TXT",
    CSV: "CSV",
}

# An office file is a zip: these bound what unpacking it may cost.
ZIP_MAX_MEMBERS = 5000
ZIP_MAX_UNCOMPRESSED = 256 * 1024 * 1024
# The text kept for search; a longer text is cut.
TEXT_MAX_CHARS = 2_000_000

_OOXML_MAIN = {
    DOCX: ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    XLSX: ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    PPTX: ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"),
}
_ODF_TYPES = {ODT, ODS}
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_CORE_PROPERTIES = "application/vnd.openxmlformats-package.core-properties+xml"
_EXTENDED_PROPERTIES = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
_CUSTOM_PROPERTIES = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_EMPTY_CORE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    b' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
    b' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
)
_EMPTY_CUSTOM = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
    b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
)
# Elements of docProps/app.xml that name people, the organisation or a path on their computer.
_APP_IDENTIFYING = {"Company", "Manager", "Template", "HyperlinkBase"}
# Who wrote a comment or a tracked change, by part of the package.
_AUTHOR_PATTERNS: tuple[tuple[re.Pattern[str], re.Pattern[bytes], bytes], ...] = (
    (
        re.compile(r"^word/[^/]+\.xml$"),
        re.compile(rb'(\sw(?:15)?:(?:author|initials|userId|providerId))="[^"]*"'),
        rb'\1=""',
    ),
    (
        re.compile(r"^ppt/(?:commentAuthors|authors)\.xml$"),
        re.compile(rb'(\s(?:name|initials|userId|providerId))="[^"]*"'),
        rb'\1=""',
    ),
    (re.compile(r"^xl/comments[^/]*\.xml$"), re.compile(rb"<author>[^<]*</author>"), b"<author></author>"),
    (
        re.compile(r"^xl/persons/[^/]+\.xml$"),
        re.compile(rb'(\s(?:displayName|userId|providerId))="[^"]*"'),
        rb'\1=""',
    ),
    (
        re.compile(r"^(?:content|styles)\.xml$"),
        re.compile(rb"<dc:creator>[^<]*</dc:creator>"),
        b"<dc:creator></dc:creator>",
    ),
)
_ODF_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ODF_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
# Control characters that never appear in a text file (tab, line feed, form feed and carriage return may).
_BINARY_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


class UploadRejected(ValidationError):
    """A file that Defensor will not keep. The message is translated and safe to show the user."""

    def __init__(self, message: Any, code: str = "upload_rejected", params: Any = None) -> None:
        super().__init__(message, code=code, params=params)


@dataclass(frozen=True)
class CleanFile:
    content: bytes
    mime: str
    extension: str
    sha256: str
    original_sha256: str
    text: str
    size: int
    stripped: tuple[str, ...]


# --- what a file is ---------------------------------------------------------------


def _xml_parser() -> Any:

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _parse_xml(data: bytes) -> Any:
    return etree.fromstring(data, parser=_xml_parser())  # entities and network access are off


def _read_member(archive: zipfile.ZipFile, name: str, *, limit: int) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > limit:
        return None
    return archive.read(info)


def _sniff_zip(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                declared = (_read_member(archive, "mimetype", limit=200) or b"").strip().decode("ascii", "replace")
                return declared if declared in _ODF_TYPES else None
            content_types = _read_member(archive, "[Content_Types].xml", limit=1024 * 1024)
            if content_types is None or any(name.lower().endswith("vbaproject.bin") for name in names):
                return None
            root = _parse_xml(content_types)
            declared_types = {
                element.get("PartName", "").lstrip("/"): element.get("ContentType", "")
                for element in root.iter(f"{_CT_NS}Override")
            }
            for mime, (folder, main_type) in _OOXML_MAIN.items():
                if any(
                    part.startswith(folder) and part in names and declared == main_type
                    for part, declared in declared_types.items()
                ):
                    return mime
    # A broken, encrypted (RuntimeError) or oddly compressed (NotImplementedError: zipfile cannot
    # read that method) archive, or malformed XML inside it: not a document we accept.
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, RuntimeError, etree.XMLSyntaxError):
        return None
    return None


def decode_text(data: bytes) -> str | None:
    """The text of a plain-text file: UTF-8 (with or without BOM), or a legacy Windows Cyrillic file.

    None when the bytes are not text (a NUL byte, or control characters no text file has).
    """
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Spreadsheets exported in Russian-language Windows are cp1251. Almost any byte string decodes
    # as cp1251, so binary content is told apart by the control characters text never has.
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        return None
    return None if _BINARY_CONTROLS.search(text) else text


def sniff(data: bytes) -> str | None:
    """The MIME type of `data` read from its content (the name plays no part), or None if not accepted."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    if data[:4] == b"PK\x03\x04":
        return _sniff_zip(data)
    if data and decode_text(data) is not None:
        return TEXT
    return None


# --- names and limits -------------------------------------------------------------------


def _megabytes(limit: int) -> str:
    value = round(limit / (1024 * 1024), 1)
    return number_format(int(value) if value == int(value) else value)


def type_labels(mimes: set[str] | frozenset[str]) -> str:
    """The accepted types as a user reads them: "PDF, DOCX, JPEG"."""
    return ", ".join(sorted({TYPE_LABELS[m] for m in mimes if m in TYPE_LABELS}))


def safe_filename(filename: str, extension: str) -> str:
    """A name to store and offer for download: no folders, no control characters, the right extension."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().strip(".")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = re.sub(r'[<>:"|?*]+', "_", stem).strip() or "file"
    return f"{stem[:150]}.{extension}"


# --- images -------------------------------------------------------------------------------

_PIL_FORMATS = {JPEG: "JPEG", PNG: "PNG", GIF: "GIF", WEBP: "WEBP", TIFF: "TIFF"}
_ORIENTATION_TAG = 0x0112
_GPS_IFD = 0x8825
_TIFF_IDENTIFYING_TAGS = {270, 271, 272, 305, 306, 315, 316, 33432, 33723, 34377, 34665, 34853, 700}


def _image_metadata(image: Any) -> set[str]:
    found: set[str] = set()
    info = image.info
    try:
        exif = image.getexif()
    except Exception:  # a malformed EXIF block is dropped like a good one
        exif = {}
    if info.get("exif") or len(exif):
        found.add("exif")
        try:
            if exif.get_ifd(_GPS_IFD) or _GPS_IFD in exif:
                found.add("gps")
        except Exception:  # noqa: S110 - an unreadable GPS block goes with the rest of the EXIF
            pass
    if info.get("xmp") or info.get("XML:com.adobe.xmp"):
        found.add("xmp")
    if info.get("icc_profile"):
        found.add("icc")
    if info.get("comment"):
        found.add("comment")
    if info.get("photoshop") or info.get("iptc"):
        found.add("iptc")
    if getattr(image, "text", None):
        found.add("text")
    tags = getattr(image, "tag_v2", None)
    if tags is not None and any(tag in tags for tag in _TIFF_IDENTIFYING_TAGS):
        found.add("tiff-tags")
    return found


def _transpose_method(orientation: int) -> Any:
    from PIL import Image

    return {
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_270,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_90,
    }.get(orientation)


def _to_srgb(frame: Any, icc_profile: bytes | None) -> Any:
    """Apply an embedded colour profile so the pixels look right without it (the profile is not kept)."""
    if not icc_profile or frame.mode not in ("RGB", "RGBA", "CMYK"):
        return frame
    try:
        from PIL import ImageCms

        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        target = ImageCms.createProfile("sRGB")
        output_mode = "RGBA" if frame.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(frame, source, target, outputMode=output_mode) or frame
    except Exception:  # an unusable profile: the pixels are kept as they are, the profile is dropped
        return frame


def _encode_frames(frames: list[Any], durations: list[int], loop: Any, mime: str) -> bytes:
    from PIL import features

    output = io.BytesIO()
    first, rest = frames[0], frames[1:]
    options: dict[str, Any] = {}
    if mime == JPEG:
        if first.mode not in ("RGB", "L", "CMYK"):
            first = first.convert("RGB")
        options = {"quality": 90, "optimize": True}
    elif mime == WEBP:
        options = {"quality": 90}
    elif mime == TIFF and features.check("libtiff"):
        options = {"compression": "tiff_deflate"}
    if rest:
        options.update({"save_all": True, "append_images": rest})
        if mime in (GIF, WEBP):
            options["duration"] = durations
            if loop is not None:
                options["loop"] = loop
    first.save(output, _PIL_FORMATS[mime], **options)
    return output.getvalue()


def _clean_image(data: bytes, mime: str, *, orient: bool = True) -> tuple[bytes, set[str]]:
    """Decode, turn upright, apply the colour profile and encode again with no metadata at all."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.format != _PIL_FORMATS[mime]:
                    raise UploadRejected(_("This image could not be read. It may be damaged."))
                frame_count = getattr(image, "n_frames", 1)
                limit = Image.MAX_IMAGE_PIXELS
                if limit is not None and image.width * image.height * frame_count > limit:
                    raise UploadRejected(_("This image is too large (too many pixels) to be accepted."))
                stripped = _image_metadata(image)
                orientation = 1
                if orient:
                    try:
                        orientation = int(image.getexif().get(_ORIENTATION_TAG, 1))
                    except Exception:
                        orientation = 1
                method = _transpose_method(orientation)
                icc_profile = image.info.get("icc_profile")
                loop = image.info.get("loop")
                frames: list[Any] = []
                durations: list[int] = []
                for frame in ImageSequence.Iterator(image):
                    durations.append(int(frame.info.get("duration", 100) or 100))
                    transparency = frame.info.get("transparency")
                    clean = frame.copy()  # a plain image: none of the file's tags or chunks come along
                    if method is not None:
                        clean = clean.transpose(method)
                    clean = _to_srgb(clean, icc_profile)
                    clean.info = (
                        {}
                        if transparency is None or clean.mode not in ("P", "L", "RGB")
                        else {"transparency": transparency}
                    )
                    frames.append(clean)
                if method is not None:
                    stripped.add("orientation")
                return _encode_frames(frames, durations, loop, mime), stripped
        except UploadRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise UploadRejected(_("This image is too large (too many pixels) to be accepted.")) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError) as exc:
            raise UploadRejected(_("This image could not be read. It may be damaged.")) from exc


def _jpeg_segment_kept(marker: int, segment: bytes) -> bool:
    if marker == 0xFE:  # comment
        return False
    if marker == 0xE2:  # APP2: the colour profile stays, anything else (FlashPix, MPF) goes
        return segment[2:14] == b"ICC_PROFILE\x00"
    # APP0 (JFIF) and APP14 (Adobe colour transform) stay; the other application segments carry metadata.
    return not (0xE1 <= marker <= 0xEF) or marker == 0xEE


def _jpeg_without_metadata(data: bytes) -> tuple[bytes, bool]:
    """Drop EXIF, XMP, IPTC, comments and other application segments of a JPEG, without re-encoding it.

    Kept: JFIF (APP0), the colour profile (APP2 ICC_PROFILE) and Adobe's colour transform (APP14),
    which rendering needs. Used for photos inside PDFs and office files, whose layout must not change.
    """
    if not data.startswith(b"\xff\xd8"):
        return data, False
    out = bytearray(b"\xff\xd8")
    position = 2
    removed = False
    size = len(data)
    while position < size:
        if data[position] != 0xFF:
            return data, False  # not a marker where one must be: leave the picture alone
        while position < size and data[position] == 0xFF:
            position += 1
        if position >= size:
            return data, False
        marker = data[position]
        position += 1
        if marker in (0xDA, 0xD9):  # start of scan or end of image: the rest is picture data
            out += bytes((0xFF, marker)) + data[position:]
            return bytes(out), removed
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out += bytes((0xFF, marker))
            continue
        if position + 2 > size:
            return data, False
        length = int.from_bytes(data[position : position + 2], "big")
        segment = data[position : position + length]
        if _jpeg_segment_kept(marker, segment):
            out += bytes((0xFF, marker)) + segment
        else:
            removed = True
        position += length
    return data, False


def _clean_embedded_image(data: bytes) -> tuple[bytes, bool]:
    """A picture inside a document: metadata removed, pixels and orientation as the document shows them."""
    mime = sniff(data)
    if mime == JPEG:
        return _jpeg_without_metadata(data)
    if mime in IMAGE_TYPES:
        try:
            cleaned, found = _clean_image(data, mime, orient=False)
        except UploadRejected:
            return data, False  # an unreadable picture is kept: the document stays whole
        return cleaned, bool(found)
    return data, False


# --- PDF ------------------------------------------------------------------------------------


def _clean_pdf(data: bytes) -> tuple[bytes, str, set[str]]:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError
    from pypdf.generic import ArrayObject, DictionaryObject, StreamObject

    broken = _("This PDF could not be read. It may be damaged; try saving or printing it to PDF again.")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UploadRejected(
                _("This PDF is protected by a password or encrypted. Save a copy without protection and upload that.")
            )
        pages = list(reader.pages)
        if not pages:
            raise UploadRejected(broken)
        stripped: set[str] = set()
        if reader.metadata:
            stripped.add("pdf-info")
        text_parts = []
        for page in pages:
            try:
                text_parts.append(page.extract_text() or "")
            except Exception:  # a page whose text cannot be extracted is still kept
                text_parts.append("")
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None
        root = writer._root_object
        for key, name in (("/Metadata", "xmp"), ("/PieceInfo", "pdf-info"), ("/AA", "javascript")):
            if key in root:
                del root[key]
                stripped.add(name)
        open_action = root.get("/OpenAction")
        if isinstance(open_action, DictionaryObject) and open_action.get("/S") == "/JavaScript":
            del root["/OpenAction"]
            stripped.add("javascript")
        names = root.get("/Names")
        if isinstance(names, DictionaryObject) and "/JavaScript" in names:
            del names["/JavaScript"]
            stripped.add("javascript")
        for target in writer._objects:
            if not isinstance(target, DictionaryObject):
                continue
            if "/Metadata" in target:
                del target["/Metadata"]
                stripped.add("xmp")
            if "/PieceInfo" in target:
                del target["/PieceInfo"]
            filters = target.get("/Filter")
            is_jpeg = filters == "/DCTDecode" or (isinstance(filters, ArrayObject) and list(filters) == ["/DCTDecode"])
            if isinstance(target, StreamObject) and target.get("/Subtype") == "/Image" and is_jpeg:
                cleaned, removed = _jpeg_without_metadata(target._data)
                if removed:
                    StreamObject.set_data(target, cleaned)
                    stripped.add("exif")
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        output = io.BytesIO()
        writer.write(output)
    except UploadRejected:
        raise
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, IndexError, OSError, RecursionError) as exc:
        raise UploadRejected(broken) from exc
    return output.getvalue(), "\n".join(text_parts).strip(), stripped


# --- office documents -----------------------------------------------------------------------


def _check_archive(archive: zipfile.ZipFile) -> None:
    infos = archive.infolist()
    if len(infos) > ZIP_MAX_MEMBERS or sum(info.file_size for info in infos) > ZIP_MAX_UNCOMPRESSED:
        raise UploadRejected(_("This document unpacks to far more than its size; it was refused for safety."))
    if any(info.flag_bits & 0x1 for info in infos):
        raise UploadRejected(
            _("This document is protected by a password. Save a copy without protection and upload that.")
        )


def _app_properties_without_identity(data: bytes) -> tuple[bytes, bool]:

    root = _parse_xml(data)
    removed = False
    for element in list(root):
        if etree.QName(element).localname in _APP_IDENTIFYING:
            root.remove(element)
            removed = True
    if not removed:
        return data, False
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), True


def _properties_set(data: bytes) -> bool:
    """Whether a core or custom properties part holds any value."""
    root = _parse_xml(data)
    return any((element.text or "").strip() or len(element) for element in root)


def _odf_meta_empty(data: bytes) -> tuple[bytes, bool]:
    root = _parse_xml(data)
    version = root.get(f"{{{_ODF_OFFICE_NS}}}version", "1.2")
    empty = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<office:document-meta xmlns:office="{_ODF_OFFICE_NS}" office:version="{version}">'
        "<office:meta/></office:document-meta>"
    ).encode()
    meta = root.find(f"{{{_ODF_OFFICE_NS}}}meta")
    return empty, meta is not None and len(meta) > 0


def _clean_package(data: bytes, mime: str) -> tuple[bytes, set[str]]:
    """Rewrite an office package member by member, with metadata parts emptied and timestamps reset."""
    stripped: set[str] = set()
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        _check_archive(source)
        part_types: dict[str, str] = {}
        if mime in _OOXML_MAIN:
            content_types = _parse_xml(source.read("[Content_Types].xml"))
            part_types = {
                element.get("PartName", "").lstrip("/"): element.get("ContentType", "")
                for element in content_types.iter(f"{_CT_NS}Override")
            }
        with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                name = info.filename
                body = source.read(info)
                part_type = part_types.get(name, "")
                if part_type == _CORE_PROPERTIES:
                    if _properties_set(body):
                        stripped.add("core-properties")
                    body = _EMPTY_CORE
                elif part_type == _EXTENDED_PROPERTIES:
                    body, removed = _app_properties_without_identity(body)
                    if removed:
                        stripped.add("company-manager")
                elif part_type == _CUSTOM_PROPERTIES:
                    if _properties_set(body):
                        stripped.add("custom-properties")
                    body = _EMPTY_CUSTOM
                elif mime in _ODF_TYPES and name == "meta.xml":
                    body, had_meta = _odf_meta_empty(body)
                    if had_meta:
                        stripped.add("odf-meta")
                elif sniff(body[:16]) in IMAGE_TYPES:
                    body, removed = _clean_embedded_image(body)
                    if removed:
                        stripped.add("image-metadata")
                else:
                    for member_pattern, pattern, replacement in _AUTHOR_PATTERNS:
                        if member_pattern.match(name) and name.endswith(".xml"):
                            new_body = pattern.sub(replacement, body)
                            if new_body != body:
                                stripped.add("authors")
                                body = new_body
                stored = mime in _ODF_TYPES and name == "mimetype"
                member = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                member.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
                member.external_attr = 0o600 << 16
                target.writestr(member, body)
    return output.getvalue(), stripped


def _docx_text(data: bytes) -> str:
    import docx
    from docx.table import Table

    document = docx.Document(io.BytesIO(data))
    parts: list[str] = []

    def add_table(table: Table) -> None:
        for row in table.rows:
            seen: list[Any] = []
            cells = []
            for cell in row.cells:
                if any(cell._tc is other for other in seen):
                    continue  # a merged cell is listed once per grid column it spans
                seen.append(cell._tc)
                cells.append(cell.text.strip())
            parts.append("\t".join(cells))

    for block in document.iter_inner_content():
        if isinstance(block, Table):
            add_table(block)
        else:
            parts.append(block.text)
    return "\n".join(parts).strip()


def _xlsx_text(data: bytes) -> str:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    parts: list[str] = []
    length = 0
    try:
        for sheet in workbook.worksheets:
            parts.append(sheet.title)
            for row in sheet.iter_rows(values_only=True):
                line = "\t".join("" if value is None else str(value) for value in row).rstrip("\t")
                if line:
                    parts.append(line)
                    length += len(line)
                if length > TEXT_MAX_CHARS:
                    return "\n".join(parts)
    finally:
        workbook.close()
    return "\n".join(parts).strip()


def _markup_text(data: bytes, *, tags: set[str]) -> str:
    root = _parse_xml(data)
    return "\n".join("".join(el.itertext()) for el in root.iter() if isinstance(el.tag, str) and el.tag in tags)


def _package_text(data: bytes, mime: str) -> str:
    if mime == DOCX:
        return _docx_text(data)
    if mime == XLSX:
        return _xlsx_text(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if mime == PPTX:
            slides = sorted(
                (n for n in archive.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)),
                key=lambda n: int(re.sub(r"\D", "", n.rsplit("/", 1)[-1]) or 0),
            )
            tag = "{http://schemas.openxmlformats.org/drawingml/2006/main}t"
            return "\n".join(_markup_text(archive.read(n), tags={tag}) for n in slides).strip()
        content = archive.read("content.xml")
        return _markup_text(content, tags={f"{{{_ODF_TEXT_NS}}}p", f"{{{_ODF_TEXT_NS}}}h"}).strip()


def _clean_office(data: bytes, mime: str) -> tuple[bytes, str, set[str]]:
    unreadable = _("This document could not be read. It may be damaged; try saving it again from your office program.")
    try:
        content, stripped = _clean_package(data, mime)
        text = _package_text(content, mime)
    except UploadRejected:
        raise
    except Exception as exc:  # python-docx, openpyxl and lxml raise many kinds of errors on broken files
        raise UploadRejected(unreadable) from exc
    return content, text, stripped


# --- the entry points -----------------------------------------------------------------------


def _rejection_for_unknown(data: bytes) -> UploadRejected:
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return UploadRejected(
            _(
                "Old-format (.doc, .xls) and password-protected office files are not accepted. "
                "Save the file as DOCX or XLSX without a password and upload that."
            )
        )
    return UploadRejected(
        _("This type of file is not accepted. Accepted types: %(types)s.") % {"types": type_labels(ALL_TYPES)}
    )


def sanitise_upload(
    data: bytes, filename: str, *, allowed: set[str] | None = None, max_bytes: int | None = None
) -> CleanFile:
    """Check an uploaded file and return a copy without metadata, with its real type and its text.

    `allowed` narrows the accepted MIME types; `max_bytes` replaces settings.UPLOAD_MAX_BYTES.
    Raises UploadRejected (a ValidationError with a message for the user) when the file is refused.
    """
    limit = max_bytes if max_bytes is not None else int(settings.UPLOAD_MAX_BYTES)
    if not data:
        raise UploadRejected(_("The file is empty."))
    if len(data) > limit:
        raise UploadRejected(
            _("The file is too large: the limit is %(limit)s MB.") % {"limit": _megabytes(limit)}, code="too_large"
        )
    mime = sniff(data)
    if mime is None:
        raise _rejection_for_unknown(data)
    if mime == TEXT and filename.lower().rstrip().endswith(".csv"):
        mime = CSV
    if allowed is not None and mime not in allowed:
        raise UploadRejected(
            _("This type of file (%(type)s) is not accepted here. Accepted types: %(types)s.")
            % {"type": TYPE_LABELS[mime], "types": type_labels(allowed)},
            code="type_not_allowed",
        )
    text = ""
    stripped: set[str] = set()
    if mime in IMAGE_TYPES:
        content, stripped = _clean_image(data, mime)
    elif mime == PDF:
        content, text, stripped = _clean_pdf(data)
    elif mime in OFFICE_TYPES:
        content, text, stripped = _clean_office(data, mime)
    else:
        content = data
        text = decode_text(data) or ""
    return CleanFile(
        content=content,
        mime=mime,
        extension=EXTENSIONS[mime],
        sha256=hashlib.sha256(content).hexdigest(),
        original_sha256=hashlib.sha256(data).hexdigest(),
        text=text[:TEXT_MAX_CHARS],
        size=len(content),
        stripped=tuple(sorted(stripped)),
    )


def _ascii_fallback(filename: str) -> str:
    decomposed = unicodedata.normalize("NFKD", filename)
    ascii_name = decomposed.encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r"[^A-Za-z0-9._ ()\-]+", "_", ascii_name).strip(" ._")
    if not ascii_name or ascii_name.startswith("."):
        extension = filename.rsplit(".", 1)[-1] if "." in filename else ""
        extension = re.sub(r"[^A-Za-z0-9]", "", extension)
        ascii_name = f"download.{extension}" if extension else "download"
    return ascii_name


def attachment_response(content: bytes, *, filename: str, mime: str) -> HttpResponse:
    """Serve a stored file as a download that the browser neither renders nor sniffs."""
    name = "".join(ch for ch in filename if unicodedata.category(ch)[0] != "C").replace("/", "_").replace("\\", "_")
    name = name.strip() or "download"
    response = HttpResponse(content, content_type=mime if "/" in mime else "application/octet-stream")
    response["Content-Disposition"] = (
        f"attachment; filename=\"{_ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Content-Length"] = str(len(content))
    return response
