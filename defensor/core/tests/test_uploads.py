"""Safe uploads: real files made in the test, checked for what comes out."""

from __future__ import annotations

import io
import zipfile

import docx
import openpyxl
import pytest
from PIL import Image, PngImagePlugin
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from defensor.core import uploads
from defensor.core.uploads import UploadRejected, attachment_response, sanitise_upload, sniff

SECRET_NAME = "Aigerim Secretova"
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_with_gps(size: tuple[int, int] = (64, 48), orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x013B] = SECRET_NAME  # Artist
    if orientation is not None:
        exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (41.0, 43.0, 12.5)
    gps[3] = "E"
    gps[4] = (44.0, 47.0, 30.0)
    output = io.BytesIO()
    image.save(output, "JPEG", exif=exif)
    return output.getvalue()


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", SECRET_NAME)
    info.add_text("Comment", "taken at the safe house")
    output = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 128, 0)).save(output, "PNG", pnginfo=info)
    return output.getvalue()


XMP = (
    '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about=""'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>'
    f"{SECRET_NAME}</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
    '<?xpacket end="w"?>'
).encode()


def pdf_with_metadata(text: str = "Hearing of 12 March adjourned") -> bytes:
    writer = PdfWriter()
    for number in (1, 2):
        page = writer.add_blank_page(300, 200)
        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
        )
        content = DecodedStreamObject()
        content.set_data(f"BT /F1 12 Tf 20 100 Td ({text} page {number}) Tj ET".encode())
        page[NameObject("/Contents")] = writer._add_object(content)
    writer.add_metadata({"/Author": SECRET_NAME, "/Title": "Confidential trial notes", "/Creator": "Word"})
    xmp = DecodedStreamObject()
    xmp.set_data(XMP)
    xmp.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def docx_with_author(*, picture: bytes | None = None) -> bytes:
    document = docx.Document()
    document.core_properties.author = SECRET_NAME
    document.core_properties.last_modified_by = SECRET_NAME
    document.core_properties.comments = "draft by the field office"
    document.add_paragraph("Letter to the Prosecutor General")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Detained since"
    table.cell(0, 1).text = "2024-05-01"
    if picture is not None:
        document.add_picture(io.BytesIO(picture))
    output = io.BytesIO()
    document.save(output)
    return _with_company(output.getvalue())


def _with_company(package: bytes) -> bytes:
    """Add the company and manager to docProps/app.xml, as Word does."""
    source = zipfile.ZipFile(io.BytesIO(package))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "docProps/app.xml":
                body = body.replace(
                    b"</Properties>",
                    b"<Company>Bar Association</Company><Manager>N. Boss</Manager></Properties>",
                )
            target.writestr(info, body)
    return output.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return output.getvalue()


def ooxml_stub(main_part: str, main_type: str) -> bytes:
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/></Types>'
    ).encode()
    return zip_of({"[Content_Types].xml": content_types, main_part: b"<x/>"})


def odt_with_author() -> bytes:
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{office}" '
        f'xmlns:text="{text}" office:version="1.2"><office:body><office:text>'
        "<text:h>Mission report</text:h><text:p>Interview with the bar council</text:p>"
        "</office:text></office:body></office:document-content>"
    ).encode()
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta xmlns:office="{office}" '
        'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        f'office:version="1.2"><office:meta><dc:creator>{SECRET_NAME}</dc:creator>'
        f"<meta:initial-creator>{SECRET_NAME}</meta:initial-creator></office:meta></office:document-meta>"
    ).encode()
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("mimetype", uploads.ODT, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("meta.xml", meta, compress_type=zipfile.ZIP_DEFLATED)
    return output.getvalue()


# --- sniffing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n...", uploads.PDF),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, uploads.PNG),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 8, uploads.JPEG),
        (b"GIF89a" + b"\x00" * 8, uploads.GIF),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", uploads.WEBP),
        (b"II*\x00" + b"\x00" * 8, uploads.TIFF),
        (b"MM\x00*" + b"\x00" * 8, uploads.TIFF),
        ("Name,Country\nАйгерим,KZ\n".encode(), uploads.TEXT),
        (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 32, None),
        (b"MZ\x90\x00\x03\x00\x00\x00", None),
    ],
)
def test_sniff_reads_the_type_from_the_content(data: bytes, expected: str | None) -> None:
    assert sniff(data) == expected


@pytest.mark.parametrize(
    ("main_part", "main_type", "expected"),
    [
        ("word/document.xml", uploads._OOXML_MAIN[uploads.DOCX][1], uploads.DOCX),
        ("xl/workbook.xml", uploads._OOXML_MAIN[uploads.XLSX][1], uploads.XLSX),
        ("ppt/presentation.xml", uploads._OOXML_MAIN[uploads.PPTX][1], uploads.PPTX),
        ("word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml", None),
    ],
)
def test_sniff_tells_office_files_apart_by_their_parts(main_part: str, main_type: str, expected: str | None) -> None:
    assert sniff(ooxml_stub(main_part, main_type)) == expected


def test_sniff_reads_the_mimetype_member_of_opendocument_files() -> None:
    assert sniff(odt_with_author()) == uploads.ODT
    assert sniff(zip_of({"mimetype": uploads.ODS.encode(), "content.xml": b"<x/>"})) == uploads.ODS


def test_sniff_refuses_an_ordinary_zip() -> None:
    assert sniff(zip_of({"notes.txt": b"hello", "run.exe": b"MZ"})) is None


def test_csv_is_sniffed_when_the_name_ends_csv_and_the_content_is_text() -> None:
    data = b"Name;City\nAna;Baku\n"
    assert sanitise_upload(data, "people.CSV").mime == uploads.CSV
    assert sanitise_upload(data, "people.txt").mime == uploads.TEXT


def test_a_binary_file_named_csv_is_refused() -> None:
    with pytest.raises(UploadRejected):
        sanitise_upload(b"\x00\x01\x02binary", "people.csv")


def test_text_is_kept_as_it_is_with_its_text() -> None:
    data = "Судебное заседание отложено\n".encode()
    clean = sanitise_upload(data, "notes.txt")
    assert clean.content == data
    assert clean.text == "Судебное заседание отложено\n"
    assert clean.extension == "txt"


def test_windows_cyrillic_text_is_accepted_and_decoded() -> None:
    data = "Фамилия;Город\r\nИванова;Минск\r\n".encode("cp1251")
    clean = sanitise_upload(data, "people.csv")
    assert clean.mime == uploads.CSV
    assert "Иванова" in clean.text


# --- refusals ------------------------------------------------------------------------


def test_an_executable_named_pdf_is_refused() -> None:
    elf = b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4
    with pytest.raises(UploadRejected) as caught:
        sanitise_upload(elf, "judgment.pdf")
    assert "not accepted" in caught.value.messages[0]


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(UploadRejected) as caught:
        sanitise_upload(b"", "empty.pdf")
    assert caught.value.messages == ["The file is empty."]


def test_an_oversize_file_is_refused_with_the_limit_in_megabytes(settings) -> None:  # type: ignore[no-untyped-def]
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    with pytest.raises(UploadRejected) as caught:
        sanitise_upload(b"a" * (1024 * 1024 + 1), "big.txt")
    assert caught.value.messages == ["The file is too large: the limit is 1 MB."]


def test_max_bytes_overrides_the_setting() -> None:
    with pytest.raises(UploadRejected) as caught:
        sanitise_upload(b"a" * 600, "notes.txt", max_bytes=512)
    assert caught.value.code == "too_large"
    assert sanitise_upload(b"a" * 500, "notes.txt", max_bytes=512).size == 500


def test_a_type_outside_allowed_is_refused() -> None:
    with pytest.raises(UploadRejected) as caught:
        sanitise_upload(pdf_with_metadata(), "people.pdf", allowed={uploads.CSV, uploads.XLSX})
    assert "CSV, XLSX" in caught.value.messages[0]


def test_an_old_word_file_is_refused_with_a_hint() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    with pytest.raises(UploadRejected) as caught:
        sanitise_upload(ole, "letter.doc")
    assert "DOCX" in caught.value.messages[0]


def test_a_decompression_bomb_is_refused(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    output = io.BytesIO()
    Image.new("L", (400, 400)).save(output, "PNG")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100 * 100)
    with pytest.raises(UploadRejected) as caught:
        sanitise_upload(output.getvalue(), "huge.png")
    assert "too many pixels" in caught.value.messages[0]


def test_a_damaged_image_is_refused() -> None:
    data = jpeg_with_gps()[:200]
    with pytest.raises(UploadRejected):
        sanitise_upload(data, "cut.jpg")


# --- images ------------------------------------------------------------------------


def test_jpeg_loses_exif_and_gps_and_keeps_its_size() -> None:
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)
    clean = sanitise_upload(original, "photo.jpg")
    image = Image.open(io.BytesIO(clean.content))
    assert image.format == "JPEG"
    assert image.size == (64, 48)
    assert "exif" not in image.info
    assert len(image.getexif()) == 0
    assert SECRET_NAME.encode() not in clean.content
    assert {"exif", "gps"} <= set(clean.stripped)
    assert clean.original_sha256 != clean.sha256


def test_jpeg_is_turned_upright_by_its_exif_orientation() -> None:
    clean = sanitise_upload(jpeg_with_gps((64, 48), orientation=6), "photo.jpg")
    image = Image.open(io.BytesIO(clean.content))
    assert image.size == (48, 64)
    assert len(image.getexif()) == 0


def test_a_jpeg_named_png_is_treated_as_jpeg() -> None:
    clean = sanitise_upload(jpeg_with_gps(), "photo.png")
    assert clean.mime == uploads.JPEG
    assert clean.extension == "jpg"


def test_png_loses_its_text_chunks() -> None:
    original = png_with_text()
    assert Image.open(io.BytesIO(original)).text["Author"] == SECRET_NAME
    clean = sanitise_upload(original, "scan.png")
    image = Image.open(io.BytesIO(clean.content))
    assert image.text == {}
    assert b"tEXt" not in clean.content
    assert SECRET_NAME.encode() not in clean.content
    assert image.size == (20, 10)
    assert "text" in clean.stripped


def test_animated_gif_keeps_its_frames() -> None:
    frames = [Image.new("RGB", (10, 10), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    output = io.BytesIO()
    frames[0].save(output, "GIF", save_all=True, append_images=frames[1:], duration=120, comment=SECRET_NAME)
    clean = sanitise_upload(output.getvalue(), "banner.gif")
    image = Image.open(io.BytesIO(clean.content))
    assert image.n_frames == 3
    assert SECRET_NAME.encode() not in clean.content


# --- PDF -------------------------------------------------------------------------------


def test_pdf_loses_author_and_xmp_and_keeps_pages_and_text() -> None:
    original = pdf_with_metadata()
    assert PdfReader(io.BytesIO(original)).metadata["/Author"] == SECRET_NAME
    clean = sanitise_upload(original, "notes.pdf")
    reader = PdfReader(io.BytesIO(clean.content))
    assert not reader.metadata
    assert reader.xmp_metadata is None
    assert SECRET_NAME.encode() not in clean.content
    assert len(reader.pages) == 2
    assert "Hearing of 12 March adjourned page 2" in reader.pages[1].extract_text()
    assert "Hearing of 12 March adjourned page 1" in clean.text
    assert {"pdf-info", "xmp"} <= set(clean.stripped)


def test_an_encrypted_pdf_is_refused() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_with_metadata())))
    writer.encrypt(user_password="", owner_password="owner")
    output = io.BytesIO()
    writer.write(output)
    with pytest.raises(UploadRejected) as caught:
        sanitise_upload(output.getvalue(), "locked.pdf")
    assert "password" in caught.value.messages[0]


def test_a_broken_pdf_is_refused() -> None:
    with pytest.raises(UploadRejected) as caught:
        sanitise_upload(b"%PDF-1.4\n1 0 obj <<>> garbage without end", "broken.pdf")
    assert "could not be read" in caught.value.messages[0]


# --- office documents -------------------------------------------------------------------------


def test_docx_loses_its_author_company_and_manager_and_keeps_its_text() -> None:
    original = docx_with_author()
    clean = sanitise_upload(original, "letter.docx")
    assert clean.mime == uploads.DOCX
    properties = docx.Document(io.BytesIO(clean.content)).core_properties
    assert properties.author == ""
    assert properties.last_modified_by == ""
    assert properties.comments == ""
    assert SECRET_NAME.encode() not in zipfile.ZipFile(io.BytesIO(clean.content)).read("docProps/core.xml")
    app = zipfile.ZipFile(io.BytesIO(clean.content)).read("docProps/app.xml")
    assert b"Bar Association" not in app
    assert b"N. Boss" not in app
    assert "Letter to the Prosecutor General" in clean.text
    assert "Detained since\t2024-05-01" in clean.text
    paragraphs = [p.text for p in docx.Document(io.BytesIO(clean.content)).paragraphs]
    assert "Letter to the Prosecutor General" in paragraphs
    assert {"core-properties", "company-manager"} <= set(clean.stripped)


def test_docx_comment_authors_are_removed() -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("The judge refused to hear the defence.")
    document.add_comment(paragraph.runs, text="check with the lawyer", author=SECRET_NAME, initials="AS")
    output = io.BytesIO()
    document.save(output)
    clean = sanitise_upload(output.getvalue(), "notes.docx")
    comments = zipfile.ZipFile(io.BytesIO(clean.content)).read("word/comments.xml")
    assert SECRET_NAME.encode() not in comments
    assert b"check with the lawyer" in comments
    assert "authors" in clean.stripped


def test_pictures_inside_a_docx_lose_their_gps() -> None:
    clean = sanitise_upload(docx_with_author(picture=jpeg_with_gps()), "report.docx")
    package = zipfile.ZipFile(io.BytesIO(clean.content))
    media = [name for name in package.namelist() if name.startswith("word/media/")]
    assert media
    picture = Image.open(io.BytesIO(package.read(media[0])))
    assert len(picture.getexif()) == 0
    assert picture.size == (64, 48)
    assert "image-metadata" in clean.stripped


def test_xlsx_loses_its_creator_and_keeps_its_cells() -> None:
    workbook = openpyxl.Workbook()
    workbook.properties.creator = SECRET_NAME
    workbook.properties.lastModifiedBy = SECRET_NAME
    workbook.active.append(["Name", "Country"])
    workbook.active.append(["Emil Aliyev", "AZ"])
    output = io.BytesIO()
    workbook.save(output)
    clean = sanitise_upload(output.getvalue(), "people.xlsx")
    assert clean.mime == uploads.XLSX
    reopened = openpyxl.load_workbook(io.BytesIO(clean.content))
    assert reopened.properties.creator != SECRET_NAME  # openpyxl reads an empty creator as "openpyxl"
    assert reopened.properties.lastModifiedBy is None
    assert reopened.active["A2"].value == "Emil Aliyev"
    assert "Emil Aliyev\tAZ" in clean.text
    assert SECRET_NAME.encode() not in zipfile.ZipFile(io.BytesIO(clean.content)).read("docProps/core.xml")


def test_odt_loses_its_meta_and_keeps_its_text() -> None:
    clean = sanitise_upload(odt_with_author(), "report.odt")
    package = zipfile.ZipFile(io.BytesIO(clean.content))
    assert package.namelist()[0] == "mimetype"
    assert package.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
    assert SECRET_NAME.encode() not in package.read("meta.xml")
    assert "Interview with the bar council" in clean.text
    assert "odf-meta" in clean.stripped


def test_a_damaged_docx_is_refused() -> None:
    stub = ooxml_stub("word/document.xml", uploads._OOXML_MAIN[uploads.DOCX][1])
    with pytest.raises(UploadRejected) as caught:
        sanitise_upload(stub, "letter.docx")
    assert "could not be read" in caught.value.messages[0]


# --- downloads -------------------------------------------------------------------------


def test_attachment_response_is_a_sandboxed_download() -> None:
    response = attachment_response(b"%PDF-1.7", filename="Решение суда «final».pdf", mime=uploads.PDF)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert 'filename="' in disposition
    assert "filename*=UTF-8''%D0%A0%D0%B5%D1%88" in disposition
    fallback = disposition.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback.isascii()
    assert fallback.endswith(".pdf")
    assert response["Content-Type"] == uploads.PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response.content == b"%PDF-1.7"


def test_attachment_response_keeps_quotes_and_newlines_out_of_the_header() -> None:
    response = attachment_response(b"x", filename='a"b\r\nSet-Cookie: x.txt', mime=uploads.TEXT)
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition
    assert "\n" not in disposition
    assert disposition.count('"') == 2


def test_safe_filename_drops_folders_and_uses_the_sniffed_extension() -> None:
    assert uploads.safe_filename("../../etc/photo.png", "jpg") == "photo.jpg"
    assert uploads.safe_filename("C:\\Users\\ivan\\Фото.JPG", "jpg") == "Фото.jpg"
    assert uploads.safe_filename("", "pdf") == "file.pdf"
