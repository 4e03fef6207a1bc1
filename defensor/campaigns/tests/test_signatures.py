"""The signature services: add (with a blind index), confirm, unsign, count, erase."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from defensor.campaigns.models import Campaign, Signature
from defensor.campaigns.signatures import (
    ProofSpent,
    SignatureAdded,
    SignatureClosed,
    email_index,
    link_token,
    signature_add,
    signature_confirm,
    signature_count,
    signature_for_token,
    signature_prepare,
    signature_store,
    signature_unsign,
    signature_unsign_token_issue,
    signatures_erase_after_retention,
    token_hash,
)
from defensor.core.models import AuditEntry
from defensor.core.testing import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(personas: Personas) -> Campaign:
    return Campaign.objects.create(
        organisation=personas.organisation,
        slug="release-now",
        title_en="Release now",
        ask_en="Release the lawyer.",
        status=Campaign.Status.LIVE,
        created_by=personas.users["director"],
    )


def _add(campaign: Campaign, email: str = "signer@example.org") -> SignatureAdded:
    return signature_add(
        campaign=campaign,
        name="A Signer",
        email=email,
        profession="lawyer",
        bar_association="Bar of Paris",
        country="fr",
        language="en",
        consent_letter=True,
        consent_updates=False,
    )


def test_add_stores_a_pending_signature_with_the_blind_index(campaign: Campaign) -> None:
    added = _add(campaign)
    signature = Signature.objects.get()
    assert added.created
    assert signature.status == Signature.Status.PENDING
    assert signature.email_index == email_index(campaign=campaign, email="SIGNER@example.org ")
    assert signature.country == "FR"


def test_only_token_hashes_are_stored(campaign: Campaign) -> None:
    added = _add(campaign)
    signature = Signature.objects.get()
    assert signature.confirm_token_hash == token_hash(added.confirm_token)
    assert added.confirm_token not in signature.confirm_token_hash


def test_a_link_opens_the_signature_its_id_names(campaign: Campaign) -> None:
    added = _add(campaign)
    assert added.confirm_link_token == f"{added.signature_id}.{added.confirm_token}"
    found = signature_for_token(campaign=campaign, token=added.confirm_link_token, purpose="confirm")
    assert found is not None and found.pk == added.signature_id


def test_a_link_with_the_right_id_and_a_wrong_token_opens_nothing(campaign: Campaign) -> None:
    added = _add(campaign)
    assert (
        signature_for_token(campaign=campaign, token=link_token(added.signature_id, "x" * 43), purpose="confirm")
        is None
    )


def test_the_confirm_token_does_not_open_the_unsign_page(campaign: Campaign) -> None:
    added = _add(campaign)
    assert (
        signature_for_token(
            campaign=campaign, token=link_token(added.signature_id, added.confirm_token), purpose="unsign"
        )
        is None
    )


@pytest.mark.parametrize("token", ["abc.def", "-1.x", "１.x", "1.", ".x", "9" * 19 + ".x", "1.2.3"])
def test_a_malformed_link_opens_nothing(campaign: Campaign, token: str) -> None:
    _add(campaign)
    assert signature_for_token(campaign=campaign, token=token, purpose="confirm") is None


def test_a_link_without_the_id_opens_nothing_on_a_new_signature(campaign: Campaign) -> None:
    added = _add(campaign)
    assert signature_for_token(campaign=campaign, token=added.confirm_token, purpose="confirm") is None


def test_a_link_from_before_ids_still_opens_a_legacy_signature(campaign: Campaign) -> None:
    added = _add(campaign)
    Signature.objects.filter(pk=added.signature_id).update(legacy_links=True)
    assert signature_confirm(campaign=campaign, token=added.confirm_token) is not None
    assert signature_unsign(campaign=campaign, token=added.unsign_token) is not None
    assert Signature.objects.get().status == Signature.Status.UNSIGNED


def test_a_signature_once_erased_is_no_longer_legacy(campaign: Campaign) -> None:
    _add(campaign)
    Signature.objects.update(legacy_links=True)
    campaign.status = Campaign.Status.CLOSED
    campaign.closed_at = timezone.now() - datetime.timedelta(days=campaign.retention_days + 2)
    campaign.save()
    signatures_erase_after_retention(today=timezone.localdate())
    assert not Signature.objects.get().legacy_links


def test_the_blind_index_differs_between_campaigns(campaign: Campaign, personas: Personas) -> None:
    other = Campaign.objects.create(
        organisation=personas.organisation,
        slug="other",
        title_en="Other",
        ask_en="Other",
        status=Campaign.Status.LIVE,
        created_by=personas.users["director"],
    )
    assert email_index(campaign=campaign, email="a@example.org") != email_index(campaign=other, email="a@example.org")


def test_the_same_email_twice_is_one_signature(campaign: Campaign) -> None:
    _add(campaign)
    again = _add(campaign, email=" Signer@Example.ORG")
    assert not again.created
    assert again.needs_email
    assert Signature.objects.count() == 1


def _store(campaign: Campaign, email: str, proof_digest: str) -> SignatureAdded:
    prepared = signature_prepare(
        campaign=campaign,
        name="A Signer",
        email=email,
        profession="lawyer",
        consent_letter=True,
        consent_updates=False,
        proof_digest=proof_digest,
    )
    return signature_store(prepared)


def test_the_proof_of_work_is_stored_on_the_signature(campaign: Campaign) -> None:
    added = _store(campaign, "signer@example.org", "d" * 64)
    assert Signature.objects.get(pk=added.signature_id).proof_digest == "d" * 64


def test_a_proof_of_work_on_a_signature_pays_for_no_other(campaign: Campaign) -> None:
    _store(campaign, "signer@example.org", "d" * 64)
    with pytest.raises(ProofSpent):
        _store(campaign, "another@example.org", "d" * 64)
    assert Signature.objects.count() == 1


def test_a_spent_proof_with_an_email_that_signed_changes_nothing(campaign: Campaign) -> None:
    first = _store(campaign, "signer@example.org", "d" * 64)
    before = Signature.objects.get(pk=first.signature_id).confirm_token_hash
    with pytest.raises(ProofSpent):
        _store(campaign, "signer@example.org", "d" * 64)
    assert Signature.objects.get(pk=first.signature_id).confirm_token_hash == before


def test_signatures_without_a_proof_of_work_do_not_collide(campaign: Campaign) -> None:
    assert _add(campaign, "one@example.org").created
    assert _add(campaign, "two@example.org").created
    assert set(Signature.objects.values_list("proof_digest", flat=True)) == {""}


def test_a_campaign_that_is_not_live_takes_no_signature(campaign: Campaign) -> None:
    campaign.status = Campaign.Status.PAUSED
    campaign.save()
    with pytest.raises(SignatureClosed):
        _add(campaign)
    assert not Signature.objects.exists()


def test_pending_signatures_do_not_count_and_confirmed_ones_do(campaign: Campaign) -> None:
    added = _add(campaign)
    assert signature_count(campaign=campaign) == 0
    signature_confirm(campaign=campaign, token=added.confirm_link_token)
    assert signature_count(campaign=campaign) == 1


def test_a_withdrawn_signature_no_longer_counts(campaign: Campaign) -> None:
    added = _add(campaign)
    signature_confirm(campaign=campaign, token=added.confirm_link_token)
    signature_unsign(campaign=campaign, token=added.unsign_link_token)
    assert signature_count(campaign=campaign) == 0
    assert not Signature.objects.filter(status=Signature.Status.CONFIRMED).exists()


def test_a_token_of_another_campaign_confirms_nothing(campaign: Campaign, personas: Personas) -> None:
    added = _add(campaign)
    other = Campaign.objects.create(
        organisation=personas.organisation, slug="x", title_en="X", ask_en="X", created_by=personas.users["director"]
    )
    assert signature_confirm(campaign=other, token=added.confirm_link_token) is None


def test_a_new_unsign_token_replaces_the_old_one(campaign: Campaign) -> None:
    added = _add(campaign)
    signature = Signature.objects.get()
    fresh = signature_unsign_token_issue(signature=signature)
    assert signature_unsign(campaign=campaign, token=added.unsign_link_token) is None
    assert signature_unsign(campaign=campaign, token=link_token(signature.pk, fresh)) is not None


def test_the_publics_acts_on_a_signature_are_not_audited(campaign: Campaign) -> None:
    added = _add(campaign)
    signature_confirm(campaign=campaign, token=added.confirm_link_token)
    signature_unsign(campaign=campaign, token=added.unsign_link_token)
    assert Signature.objects.get().status == Signature.Status.UNSIGNED
    assert not AuditEntry.objects.filter(action__startswith="campaigns.signature.").exists()


def test_the_erasure_is_audited_with_counts_only(campaign: Campaign) -> None:
    added = _add(campaign)
    signature_confirm(campaign=campaign, token=added.confirm_link_token)
    campaign.status = Campaign.Status.CLOSED
    campaign.closed_at = timezone.now() - datetime.timedelta(days=campaign.retention_days + 2)
    campaign.save()
    signatures_erase_after_retention(today=timezone.localdate())
    entry = AuditEntry.objects.get(action="campaigns.signatures.erased")
    assert entry.changes == {"erased": 1, "letter_files_erased": 0, "retention_days": campaign.retention_days}
    assert "signer" not in (str(entry.changes) + entry.actor_label).lower()


def test_erase_keeps_confirmed_counted_and_withdrawn_uncounted(campaign: Campaign) -> None:
    kept = _add(campaign, "kept@example.org")
    gone = _add(campaign, "gone@example.org")
    for added in (kept, gone):
        signature_confirm(campaign=campaign, token=added.confirm_link_token)
    signature_unsign(campaign=campaign, token=gone.unsign_link_token)
    campaign.status = Campaign.Status.CLOSED
    campaign.closed_at = timezone.now() - datetime.timedelta(days=campaign.retention_days + 2)
    campaign.save()
    assert signatures_erase_after_retention(today=timezone.localdate()) == 2
    assert signature_count(campaign=campaign) == 1
    assert signatures_erase_after_retention(today=timezone.localdate()) == 0


def test_the_migration_marks_rows_with_live_links_as_legacy(campaign: Campaign) -> None:
    live = _add(campaign, "live@example.org")
    erased = _add(campaign, "erased@example.org")
    Signature.objects.filter(pk=erased.signature_id).update(confirm_token_hash="", unsign_token_hash="")
    migration = importlib.import_module("defensor.campaigns.migrations.0004_signature_links_carry_the_id")
    migration.mark_legacy_links(django_apps, None)
    assert set(Signature.objects.filter(legacy_links=True).values_list("pk", flat=True)) == {live.signature_id}
