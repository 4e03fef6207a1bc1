"""insert_one: the same row as save(force_insert=True), from SQL built once."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from defensor.campaigns.models import Campaign, Signature
from defensor.core.inserts import NotInsertable, insert_one
from defensor.core.testing import Personas, raw_column
from defensor.public.models import UsedChallenge
from defensor.public.testing import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(personas: Personas) -> Campaign:
    return make_campaign(personas.organisation, personas.users["director"])


def _signature(campaign: Campaign, email_index: str = "index-1") -> Signature:
    return Signature(
        organisation_id=campaign.organisation_id,
        campaign=campaign,
        name="Ирина Петрова",
        email="irina@example.org",
        email_index=email_index,
        profession=Signature.Profession.LAWYER,
        bar_association="Moscow Regional Bar",
        country="RU",
        language="ru",
        consent_letter=True,
        email_due_at=timezone.now(),
        email_links="confirm-token unsign-token",
    )


def test_the_row_reads_back_with_every_value_and_the_primary_key_set(campaign: Campaign) -> None:
    signature = _signature(campaign)
    insert_one(signature)
    assert signature.pk is not None
    assert not signature._state.adding
    stored = Signature.objects.get(pk=signature.pk)
    for field in Signature._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(signature, field.attname), field.name


def test_timestamps_are_filled_as_save_fills_them(campaign: Campaign) -> None:
    before = timezone.now()
    signature = _signature(campaign)
    insert_one(signature)
    stored = Signature.objects.get(pk=signature.pk)
    assert stored.created_at >= before
    assert stored.updated_at >= before


def test_encrypted_fields_are_encrypted_at_rest(campaign: Campaign) -> None:
    signature = _signature(campaign)
    insert_one(signature)
    assert "Ирина" not in raw_column("campaigns_signature", "name", signature.pk)
    assert "confirm-token" not in raw_column("campaigns_signature", "email_links", signature.pk)


def test_a_constraint_raises_the_databases_integrity_error(campaign: Campaign) -> None:
    expires = timezone.now() + datetime.timedelta(minutes=5)
    insert_one(UsedChallenge(digest="a" * 64, expires_at=expires))
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_one(UsedChallenge(digest="a" * 64, expires_at=expires))
    assert UsedChallenge.objects.count() == 1


def test_two_rows_get_two_keys(campaign: Campaign) -> None:
    first, second = _signature(campaign, "index-1"), _signature(campaign, "index-2")
    insert_one(first)
    insert_one(second)
    assert first.pk != second.pk
    assert Signature.objects.count() == 2


def test_a_model_with_save_receivers_is_refused(campaign: Campaign) -> None:
    # Campaign saves tell the public site to forget what it remembered: they must go through save().
    copy = Campaign(
        organisation=campaign.organisation, slug="another", title_en="Another", created_by=campaign.created_by
    )
    with pytest.raises(NotInsertable):
        insert_one(copy)
