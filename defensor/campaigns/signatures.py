"""Signatures gathered on the public sign-on page: add, confirm (double opt-in), unsign, erase, count.

The signer is anonymous: there is no `actor`.

What is audited: the acts of staff and of the system on signatures (the retention erasure here;
exports and letters in the campaign services), in the hash-chained audit log. What is not: the
public's own acts on their own signature (signing, confirming, withdrawing). They are not staff
actions, the signature row records them itself (`created_at`, `confirmed_at`, `unsigned_at`,
`status`) and they are counted, not audited one row at a time: one chain entry per public act
would serialise every sign-on on the chain's head, and the log would fill with entries that say
nothing the signature row does not.

Tokens: the confirmation and unsign links carry the signature's id and a random token
(`link_token`); only the token's SHA-256 is stored, and it is compared with the row the id
names. (Links in emails sent before the id was added are found by hash: `legacy_links`.)
The confirmation email is an outbox on the row itself: a new signature (or a repeated sign-on of
one still waiting) is written with `email_due_at` set and the raw tokens in `email_links`
(encrypted like the name and email), and the public site's mailer sends it and empties them
(`defensor.public.mail`). Every email carries fresh tokens: the links of the newest email work,
earlier ones no longer do.

Counting: a signature counts once confirmed and never withdrawn. After the retention period its
personal data is erased and its status becomes `erased`, but `confirmed_at` and `unsigned_at` are
kept, so an erased signature that was confirmed and not withdrawn still counts.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field, Q, QuerySet
from django.utils import timezone

from defensor.campaigns.letters import RENDER_KIND as LETTERS_RENDER_KIND
from defensor.campaigns.models import Campaign, Signature
from defensor.core import crypto
from defensor.core.audit import audit_record
from defensor.core.inserts import PreparedInsert, insert_prepare, sealed
from defensor.core.rendering.services import render_files_erase


class SignatureClosed(Exception):
    """The campaign does not take signatures (not live, or without a public page)."""


class ProofSpent(Exception):
    """The proof of work that was to pay for this signature paid for another one before."""


@dataclass(frozen=True)
class SignatureAdded:
    """What `signature_add` did. The tokens are set when a confirmation email must be sent."""

    signature_id: int
    created: bool
    confirm_token: str = ""
    unsign_token: str = ""

    @property
    def needs_email(self) -> bool:
        return bool(self.confirm_token)

    @property
    def confirm_link_token(self) -> str:
        """What the confirmation link carries (see `link_token`)."""
        return link_token(self.signature_id, self.confirm_token)

    @property
    def unsign_link_token(self) -> str:
        """What the unsign link carries (see `link_token`)."""
        return link_token(self.signature_id, self.unsign_token)

    @property
    def signature(self) -> Signature:
        """The signature row as it is now (read from the database)."""
        return Signature.objects.get(pk=self.signature_id)


@dataclass(frozen=True)
class PreparedSignature:
    """A validated signature not yet written: its row's values, and the raw tokens its email will carry.

    `values` are by attribute name: the name, email, bar association and email links already
    encrypted. `insert` is the row's INSERT, its values converted for the database.
    """

    values: dict[str, Any]
    confirm_token: str
    unsign_token: str
    insert: PreparedInsert


# What a signer types (checked here as the model would); the rest of a new row is made here.
_TYPED_FIELDS = ("name", "email", "profession", "bar_association", "country", "language")


def normalise_email(email: str) -> str:
    return email.strip().casefold()


def email_index(*, campaign: Campaign, email: str) -> str:
    return crypto.blind_index(
        normalise_email(email),
        organisation_id=campaign.organisation_id,
        context=f"campaigns.signature.email:{campaign.pk}",
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_token(signature_id: int, token: str) -> str:
    """What a confirmation or unsign link carries: the signature's id, a dot, and the random token."""
    return f"{signature_id}.{token}"


def email_links_join(confirm: str, unsign: str) -> str:
    return f"{confirm} {unsign}"


def email_links_split(links: str) -> tuple[str, str] | None:
    """The (confirm, unsign) tokens kept for the email still to be sent, or None when there are none."""
    confirm, _space, unsign = (links or "").partition(" ")
    return (confirm, unsign) if confirm and unsign else None


def counted_signatures(campaign: Campaign) -> QuerySet[Signature]:
    """The signatures that count: confirmed and not withdrawn, erased ones included."""
    return Signature.objects.filter(campaign=campaign).filter(
        Q(status=Signature.Status.CONFIRMED)
        | Q(status=Signature.Status.ERASED, confirmed_at__isnull=False, unsigned_at__isnull=True)
    )


def signature_count(*, campaign: Campaign) -> int:
    return counted_signatures(campaign).count()


def signature_prepare(
    *,
    campaign: Campaign,
    name: str,
    email: str,
    profession: str,
    bar_association: str = "",
    country: str = "",
    language: str = "en",
    consent_letter: bool,
    consent_updates: bool,
    proof_digest: str = "",
) -> PreparedSignature:
    """Build and validate a pending signature and its tokens, without touching the database.

    Everything that costs time but needs no lock (the blind index, the tokens, validation) is
    done here, before the caller opens the write transaction in which `signature_store` runs.
    `proof_digest`: the proof of work paying for it (from the public page), stored on the row.
    """
    if not campaign.is_open_for_signatures:
        raise SignatureClosed
    confirm, unsign = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    values: dict[str, Any] = {
        "organisation_id": campaign.organisation_id,
        "campaign_id": campaign.pk,
        "name": name.strip(),
        "email": normalise_email(email),
        "email_index": email_index(campaign=campaign, email=email),
        "profession": profession,
        "bar_association": bar_association.strip(),
        "country": country.upper(),
        "language": language,
        "consent_letter": consent_letter,
        "consent_updates": consent_updates,
        "status": Signature.Status.PENDING,
        "confirm_token_hash": token_hash(confirm),
        "unsign_token_hash": token_hash(unsign),
        "email_due_at": timezone.now(),
        "email_links": email_links_join(confirm, unsign),
        "proof_digest": proof_digest,
    }
    # The model's own checks, on what came from outside. The campaign and organisation were
    # just read, and one email per campaign is the database's constraint (met in
    # `signature_store`): checking them here would only cost queries.
    errors: dict[str, Any] = {}
    for attname in _TYPED_FIELDS:
        try:
            field = Signature._meta.get_field(attname)
            assert isinstance(field, Field)
            values[attname] = field.clean(values[attname], None)
        except ValidationError as exc:
            errors[attname] = exc.error_list
    if errors:
        raise ValidationError(errors)
    values = sealed(Signature, values)
    return PreparedSignature(
        values=values,
        confirm_token=confirm,
        unsign_token=unsign,
        insert=insert_prepare(Signature, values, ignore_conflicts=True),
    )


def signature_store(prepared: PreparedSignature) -> SignatureAdded:
    """Write a prepared signature; a second one from the same email for the campaign creates nothing.

    New tokens (for a new email: the prepared ones) are stored only while the first signature is
    still waiting for confirmation. One INSERT for a new signer (the usual case), which leaves a
    duplicate unwritten instead of failing (so no savepoint is needed); look-ups and an UPDATE
    only then. Raises `ProofSpent` (and writes nothing) when the prepared proof of work is on
    another signature already. A repeated signature does not store its proof: the caller keeps
    it spent (the public site does, in `UsedChallenge`). In a transaction of its own, or in the
    caller's (then a failure here rolls the whole sign-on back).
    """
    if transaction.get_connection().in_atomic_block:
        return _signature_store(prepared)
    with transaction.atomic():
        return _signature_store(prepared)


def _signature_store(prepared: PreparedSignature) -> SignatureAdded:
    values = prepared.values
    created = prepared.insert.execute()
    if created is not None:
        return SignatureAdded(
            signature_id=created,
            created=True,
            confirm_token=prepared.confirm_token,
            unsign_token=prepared.unsign_token,
        )
    # The INSERT met a unique constraint: the proof of work's, or the email's for this campaign.
    digest = values.get("proof_digest") or ""
    if digest and Signature.objects.filter(proof_digest=digest).exists():
        raise ProofSpent
    existing = Signature.objects.get(campaign_id=values["campaign_id"], email_index=values["email_index"])
    if existing.status != Signature.Status.PENDING:
        return SignatureAdded(signature_id=existing.pk, created=False)
    existing.confirm_token_hash = values["confirm_token_hash"]
    existing.unsign_token_hash = values["unsign_token_hash"]
    existing.email_links = email_links_join(prepared.confirm_token, prepared.unsign_token)
    existing.email_due_at = values["email_due_at"]
    existing.email_attempts = 0
    existing.save(
        update_fields=[
            "confirm_token_hash",
            "unsign_token_hash",
            "email_links",
            "email_due_at",
            "email_attempts",
            "updated_at",
        ]
    )
    return SignatureAdded(
        signature_id=existing.pk,
        created=False,
        confirm_token=prepared.confirm_token,
        unsign_token=prepared.unsign_token,
    )


def signature_add(
    *,
    campaign: Campaign,
    name: str,
    email: str,
    profession: str,
    bar_association: str = "",
    country: str = "",
    language: str = "en",
    consent_letter: bool,
    consent_updates: bool,
) -> SignatureAdded:
    """Record a pending signature; return the tokens the confirmation email must carry.

    `signature_prepare` then `signature_store`. Committed when this returns (unless the caller
    holds a transaction): the caller mails the tokens and answers only after, so whatever it
    acknowledges is stored.
    """
    prepared = signature_prepare(
        campaign=campaign,
        name=name,
        email=email,
        profession=profession,
        bar_association=bar_association,
        country=country,
        language=language,
        consent_letter=consent_letter,
        consent_updates=consent_updates,
    )
    return signature_store(prepared)


def signature_for_token(*, campaign: Campaign, token: str, purpose: str) -> Signature | None:
    """The signature a confirmation (`confirm`) or unsign (`unsign`) token opens, or None."""
    if not token or purpose not in {"confirm", "unsign"}:
        return None
    column = "confirm_token_hash" if purpose == "confirm" else "unsign_token_hash"
    key, dot, raw = token.partition(".")
    if not dot:
        # A link from an email sent before links carried the id.
        return Signature.objects.filter(campaign=campaign, legacy_links=True, **{column: token_hash(token)}).first()
    if not (key.isascii() and key.isdigit() and len(key) <= 18 and raw):
        return None
    signature = Signature.objects.filter(campaign=campaign, pk=int(key)).first()
    stored = getattr(signature, column, "") if signature is not None else ""
    return signature if stored and hmac.compare_digest(stored, token_hash(raw)) else None


@transaction.atomic
def signature_confirm(*, campaign: Campaign, token: str) -> Signature | None:
    """Confirm the signature the token belongs to. Idempotent; None for an unknown token.

    A public act: recorded by the row's status and `confirmed_at`, not in the audit log.
    """
    signature = signature_for_token(campaign=campaign, token=token, purpose="confirm")
    if signature is None:
        return None
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.status != Signature.Status.PENDING:
        return signature
    signature.status = Signature.Status.CONFIRMED
    signature.confirmed_at = timezone.now()
    signature.save(update_fields=["status", "confirmed_at", "updated_at"])
    return signature


@transaction.atomic
def signature_unsign(*, campaign: Campaign, token: str) -> Signature | None:
    """Withdraw the signature: it no longer counts and its name is no longer on letters. Idempotent.

    A public act: recorded by the row's status and `unsigned_at`, not in the audit log.
    """
    signature = signature_for_token(campaign=campaign, token=token, purpose="unsign")
    if signature is None:
        return None
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.status in {Signature.Status.UNSIGNED, Signature.Status.ERASED}:
        return signature
    signature.status = Signature.Status.UNSIGNED
    signature.unsigned_at = timezone.now()
    # A pending signature can no longer be confirmed through an older email.
    signature.confirm_token_hash = ""
    signature.save(update_fields=["status", "unsigned_at", "confirm_token_hash", "updated_at"])
    return signature


@transaction.atomic
def signatures_erase_after_retention(*, today: datetime.date) -> int:
    """Erase signers' personal data in campaigns closed more than `retention_days` ago.

    The rows stay (status `erased`, dates kept) so that the campaign's count does not change.
    The campaign's rendered letters, which list the signatories, are deleted with it.
    Returns how many signatures were erased.
    """
    erased_total = 0
    midnight = datetime.datetime.combine(today, datetime.time.min, tzinfo=timezone.get_default_timezone())
    campaigns = Campaign.objects.filter(status=Campaign.Status.CLOSED, closed_at__isnull=False)
    for campaign in campaigns:
        assert campaign.closed_at is not None
        if campaign.closed_at >= midnight - datetime.timedelta(days=campaign.retention_days):
            continue
        erased = (
            Signature.objects.filter(campaign=campaign)
            .exclude(status=Signature.Status.ERASED)
            .update(
                name="",
                email="",
                bar_association="",
                email_index="",
                confirm_token_hash="",
                unsign_token_hash="",
                legacy_links=False,
                email_links="",
                email_due_at=None,
                status=Signature.Status.ERASED,
                erased_at=timezone.now(),
                updated_at=timezone.now(),
            )
        )
        # The rendered letters list the signatories: they go with the signers' data.
        letter_files = render_files_erase(obj=campaign, kind=LETTERS_RENDER_KIND)
        if erased or letter_files:
            audit_record(
                actor=None,
                action="campaigns.signatures.erased",
                organisation=campaign.organisation_id,
                obj=campaign,
                changes={
                    "erased": erased,
                    "letter_files_erased": letter_files,
                    "retention_days": campaign.retention_days,
                },
            )
        erased_total += erased
    return erased_total


@transaction.atomic
def signature_unsign_token_issue(*, signature: Signature) -> str:
    """A fresh unsign token for an email to a signer (an update); earlier unsign links stop working."""
    unsign = secrets.token_urlsafe(32)
    Signature.objects.filter(pk=signature.pk).update(unsign_token_hash=token_hash(unsign), updated_at=timezone.now())
    signature.unsign_token_hash = token_hash(unsign)
    return unsign
