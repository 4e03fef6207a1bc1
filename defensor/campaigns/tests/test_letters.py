from __future__ import annotations

import io
import zipfile

import pypdf
import pytest

from defensor.campaigns import letters, services
from defensor.campaigns.models import Campaign, Signature
from defensor.core.models import RenderJob
from defensor.core.rendering.services import render_job_run


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def render(world) -> zipfile.ZipFile:  # type: ignore[no-untyped-def]
    job = services.letters_render_start(actor=world.user("case_officer"), campaign=world.campaign)
    render_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == RenderJob.Status.DONE, job.message
    with job.file.storage.open(job.file.name, "rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def test_joint_letter_lists_the_consenting_signatories_in_an_annex(world):
    world.target()
    world.letter()
    world.sign("Anna de Wit", "anna@example.org")
    world.sign("Ivan Petrov", "ivan@example.org", country="RU", bar_association="Moscow Bar")
    world.sign("Hidden Person", "hidden@example.org", consent_letter=False)
    world.sign("Not Confirmed", "pending@example.org", status=Signature.Status.PENDING)
    archive = render(world)
    pdfs = [name for name in archive.namelist() if name.endswith(".pdf")]
    assert len(pdfs) == 1
    text = pdf_text(archive.read(pdfs[0]))
    assert "Dear Prosecutor General," in text
    assert "Anna de Wit" in text
    assert "Moscow Bar" in text
    assert "Hidden Person" not in text
    assert "Not Confirmed" not in text


def test_joint_mode_adds_a_word_document_per_target(world):
    world.target()
    world.target(institution=world.ministry, position="")
    world.letter()
    world.sign("Anna de Wit", "anna@example.org")
    archive = render(world)
    assert len([name for name in archive.namelist() if name.endswith(".docx")]) == 2
    assert pypdf.PdfReader(io.BytesIO(archive.read(archive.namelist()[0]))).pages


def test_per_signatory_mode_writes_one_letter_per_signatory_and_target(world):
    services.campaign_update(
        actor=world.user("case_officer"), campaign=world.campaign, mode=Campaign.Mode.PER_SIGNATORY
    )
    world.target()
    world.target(institution=world.ministry, position="")
    world.letter(body="{{ salutation }}\n\nPlease release him.\n\n{{ signatory }}")
    for number in range(3):
        world.sign(f"Signer Number{number}", f"s{number}@example.org")
    archive = render(world)
    names = archive.namelist()
    assert not [name for name in names if name.endswith(".docx")]
    pages = [page.extract_text() for name in names for page in pypdf.PdfReader(io.BytesIO(archive.read(name))).pages]
    assert len(pages) == 6
    assert sum("Signer Number1" in page for page in pages) == 2
    assert sum("Dear Minister," in page for page in pages) == 3


def test_letters_are_split_into_pdfs_of_a_bounded_size(world, monkeypatch):
    monkeypatch.setattr(letters, "LETTERS_PER_PDF", 4)
    monkeypatch.setattr(letters, "COMPILE_CHUNK", 2)
    services.campaign_update(
        actor=world.user("case_officer"), campaign=world.campaign, mode=Campaign.Mode.PER_SIGNATORY
    )
    world.target()
    world.letter()
    for number in range(6):
        world.sign(f"Signer {number}", f"s{number}@example.org")
    archive = render(world)
    counts = [len(pypdf.PdfReader(io.BytesIO(archive.read(name))).pages) for name in sorted(archive.namelist())]
    assert counts == [4, 2]


def test_progress_reaches_the_total(world):
    world.target()
    world.letter()
    job = services.letters_render_start(actor=world.user("case_officer"), campaign=world.campaign)
    render_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total) == (1, 1)


def test_rendering_without_targets_is_refused(world):
    world.letter()
    with pytest.raises(Exception, match="target"):
        services.letters_render_start(actor=world.user("case_officer"), campaign=world.campaign)


def test_a_russian_target_gets_the_russian_letter(world):
    world.target(language="ru")
    world.letter()
    world.letter(body="{{ salutation }}\n\nПросим освободить его.", language="ru")
    world.sign("Anna de Wit", "anna@example.org")
    archive = render(world)
    text = pdf_text(archive.read(next(n for n in archive.namelist() if n.endswith(".pdf"))))
    assert "Уважаемый Генеральный прокурор!" in text
    assert "Просим освободить его." in text
