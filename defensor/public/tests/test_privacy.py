"""Names and emails encrypted at rest, no IP address kept, personal data erased after retention."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.utils import timezone

from defensor.campaigns.models import Campaign, Signature
from defensor.campaigns.signatures import signature_count
from defensor.core.models import AuditEntry, RenderJob
from defensor.core.rendering.services import render_files_erase, render_job_download
from defensor.core.testing import Personas
from defensor.public.tasks import erase_signatures_after_retention
from defensor.public.testing import signon_data

pytestmark = pytest.mark.django_db(transaction=connection.vendor == "postgresql")

ADDRESS = "203.0.113.147"


def _raw_columns(signature_id: int) -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, email, bar_association FROM campaigns_signature WHERE id = %s", [signature_id])
        row = cursor.fetchone()
    return row[0], row[1], row[2]


def test_name_email_and_bar_are_not_in_the_raw_columns(campaign: Campaign) -> None:
    Client().post(f"/act/{campaign.slug}/", signon_data(campaign))
    signature = Signature.objects.get()
    for raw in _raw_columns(signature.pk):
        assert raw.startswith("dfe1:")
    raw_text = " ".join(_raw_columns(signature.pk))
    assert "Ирина" not in raw_text
    assert "irina" not in raw_text.lower()
    assert "Moscow" not in raw_text


def test_the_ip_address_is_stored_nowhere(campaign: Campaign) -> None:
    from defensor.core.tests.test_canary import _database_image

    client = Client(REMOTE_ADDR=ADDRESS)
    client.post(f"/act/{campaign.slug}/", signon_data(campaign))
    signature = Signature.objects.get()
    link = f"/act/{campaign.slug}/confirm/x/"
    client.get(link)
    # The control: the same search finds what is written in clear.
    Signature.objects.filter(pk=signature.pk).update(country="ZZ")
    image = _database_image()
    assert b"irina" not in image.lower()
    assert ADDRESS.encode() not in image


def test_signing_writes_no_audit_entry(campaign: Campaign) -> None:
    # A public act, recorded by the signature row itself: no chain entry per signer.
    before = AuditEntry.objects.count()
    response = Client().post(f"/act/{campaign.slug}/", signon_data(campaign))
    assert b'data-testid="check-email"' in response.content
    assert AuditEntry.objects.count() == before


def _confirmed(campaign: Campaign, n: int) -> None:
    for i in range(n):
        Signature.objects.create(
            organisation=campaign.organisation,
            campaign=campaign,
            name=f"Signer {i}",
            email=f"signer{i}@example.org",
            email_index=f"index{i}",
            profession="other",
            status=Signature.Status.CONFIRMED,
            confirmed_at=timezone.now(),
        )


def _close(campaign: Campaign, days_ago: int) -> None:
    campaign.status = Campaign.Status.CLOSED
    campaign.closed_at = timezone.now() - datetime.timedelta(days=days_ago)
    campaign.retention_days = 30
    campaign.save()


def test_retention_erases_personal_data_and_keeps_the_count(campaign: Campaign) -> None:
    _confirmed(campaign, 3)
    Signature.objects.create(
        organisation=campaign.organisation,
        campaign=campaign,
        name="Pending",
        email="p@example.org",
        email_index="pending",
        profession="other",
    )
    _close(campaign, days_ago=40)
    erase_signatures_after_retention.enqueue(timezone.localdate().isoformat())
    assert set(Signature.objects.values_list("status", flat=True)) == {Signature.Status.ERASED}
    assert set(Signature.objects.values_list("name", "email", "email_index", "bar_association")) == {("", "", "", "")}
    assert signature_count(campaign=campaign) == 3
    entry = AuditEntry.objects.get(action="campaigns.signatures.erased")
    assert entry.changes["erased"] == 4


def test_retention_leaves_a_recently_closed_campaign_alone(campaign: Campaign) -> None:
    _confirmed(campaign, 2)
    _close(campaign, days_ago=10)
    erase_signatures_after_retention.enqueue(timezone.localdate().isoformat())
    assert set(Signature.objects.values_list("status", flat=True)) == {Signature.Status.CONFIRMED}


def test_retention_is_a_daily_scheduled_task() -> None:
    from defensor.core import schedule

    names = {scheduled.name: scheduled for scheduled in schedule.registered()}
    assert names["public.erase_signatures_after_retention"].every == datetime.timedelta(days=1)


def _letters_job(campaign: Campaign) -> RenderJob:
    job = RenderJob.objects.create(
        organisation=campaign.organisation,
        kind="campaigns.letters",
        status=RenderJob.Status.DONE,
        content_type=ContentType.objects.get_for_model(campaign),
        object_id=str(campaign.pk),
        filename="letters.zip",
        mime="application/zip",
        size=7,
    )
    job.file.save("letters.zip", ContentFile(b"PK-zip!"), save=True)
    return job


def test_retention_deletes_the_rendered_letters_that_list_the_signatories(
    campaign: Campaign, django_capture_on_commit_callbacks: Any
) -> None:
    _confirmed(campaign, 2)
    job = _letters_job(campaign)
    name = job.file.name
    assert job.file.storage.exists(name)
    _close(campaign, days_ago=40)
    with django_capture_on_commit_callbacks(execute=True):
        erase_signatures_after_retention.enqueue(timezone.localdate().isoformat())
    job.refresh_from_db()
    assert job.status == RenderJob.Status.ERASED
    assert not job.file.name
    assert job.filename == ""
    assert not job.file.storage.exists(name)
    entry = AuditEntry.objects.get(action="campaigns.signatures.erased")
    assert entry.changes["letter_files_erased"] == 1


def test_retention_keeps_the_letters_of_a_recently_closed_campaign(campaign: Campaign) -> None:
    _confirmed(campaign, 2)
    job = _letters_job(campaign)
    _close(campaign, days_ago=10)
    erase_signatures_after_retention.enqueue(timezone.localdate().isoformat())
    job.refresh_from_db()
    assert job.status == RenderJob.Status.DONE
    assert job.file.storage.exists(job.file.name)


def test_erased_letters_cannot_be_downloaded_and_say_why(campaign: Campaign, personas: Personas) -> None:
    job = _letters_job(campaign)
    render_files_erase(obj=campaign, kind="campaigns.letters")
    job.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        render_job_download(actor=personas.users["director"], job=job)
    assert refused.value.code == "erased"
