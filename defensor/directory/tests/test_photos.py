"""Photos: stored without metadata, encrypted on disk, served only through a view that checks access."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from defensor.core.models import AuditEntry
from defensor.core.testing import assert_persona_matrix
from defensor.core.uploads import UploadRejected
from defensor.directory.services import photo_set

GPS_IFD = 0x8825
ARTIST = 0x013B


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 50), (120, 80, 40))
    exif = Image.Exif()
    exif[ARTIST] = "Photographer Secretov"
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (37.0, 57.0, 1.0)
    gps[3] = "E"
    gps[4] = (58.0, 22.0, 59.0)
    output = io.BytesIO()
    image.save(output, "JPEG", exif=exif)
    return output.getvalue()


@pytest.fixture
def person_with_photo(director, internal_person):
    return photo_set(actor=director, person=internal_person, data=jpeg_with_gps(), filename="IMG_0042.jpg")


def test_photo_is_stored_under_the_organisation_and_encrypted_on_disk(personas, person_with_photo):
    name = person_with_photo.photo.name
    assert name.startswith(f"{personas.organisation.pk}/")
    assert "IMG_0042" not in name
    raw = (Path(settings.MEDIA_ROOT) / name).read_bytes()
    assert raw.startswith(b"DFE1")
    assert b"\xff\xd8\xff" not in raw[:16]
    assert b"Secretov" not in raw


def test_stored_photo_has_no_exif_or_gps(person_with_photo):
    with person_with_photo.photo.storage.open(person_with_photo.photo.name) as handle:
        image = Image.open(io.BytesIO(handle.read()))
        exif = image.getexif()
    assert person_with_photo.photo_mime == "image/jpeg"
    assert ARTIST not in exif
    assert not exif.get_ifd(GPS_IFD)


def test_setting_a_photo_is_audited(person_with_photo):
    entry = AuditEntry.objects.get(action="directory.person.photo_set", object_id=str(person_with_photo.pk))
    assert entry.changes["photo"] == "added"
    assert "gps" in entry.changes["metadata_removed"]


def test_a_file_that_is_not_an_image_is_refused(director, internal_person):
    with pytest.raises(UploadRejected):
        photo_set(actor=director, person=internal_person, data=b"%PDF-1.4 not a photo", filename="photo.jpg")
    internal_person.refresh_from_db()
    assert not internal_person.photo


def test_photo_view_serves_the_clean_image_to_those_who_see_the_person(personas, person_with_photo):
    response = personas.client("volunteer").get(reverse("directory:person_photo", args=[person_with_photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"Secretov" not in response.content
    assert response.content.startswith(b"\xff\xd8\xff")


def test_photo_view_matrix(personas, person_with_photo):
    url = reverse("directory:person_photo", args=[person_with_photo.pk])
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 200, "case_officer": 200, "director": 200}
    assert_persona_matrix(personas, url, expected)


def test_person_page_shows_the_photo_through_the_view(personas, person_with_photo):
    page = personas.client("volunteer").get(reverse("directory:person", args=[person_with_photo.pk])).content.decode()
    assert f'src="{reverse("directory:person_photo", args=[person_with_photo.pk])}"' in page
    assert "/media/" not in page


def test_upload_through_the_page(personas, internal_person):
    upload = SimpleUploadedFile("portrait.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = personas.client("case_officer").post(
        reverse("directory:photo_upload", args=[internal_person.pk]), {"photo": upload}
    )
    assert response.status_code == 302
    internal_person.refresh_from_db()
    assert internal_person.photo_mime == "image/jpeg"


def test_upload_of_a_text_file_shows_a_message(personas, internal_person):
    upload = SimpleUploadedFile("notes.jpg", b"just some text", content_type="image/jpeg")
    response = personas.client("case_officer").post(
        reverse("directory:photo_upload", args=[internal_person.pk]), {"photo": upload}
    )
    assert response.status_code == 400
    assert "is not accepted here" in response.content.decode()


def test_replacing_a_photo_keeps_the_old_file(director, person_with_photo):
    old_name = person_with_photo.photo.name
    photo_set(actor=director, person=person_with_photo, data=jpeg_with_gps(), filename="new.jpg")
    assert person_with_photo.photo.name != old_name
    assert person_with_photo.photo.storage.exists(old_name)
    entry = AuditEntry.objects.filter(action="directory.person.photo_set").order_by("-seq").first()
    assert entry.changes["photo"] == "replaced"
