"""Signatures gathered on the public sign-on page: add, confirm (double opt-in), unsign, erase, count.

The signer is anonymous: there is no `actor`, and the audit entries these services write carry
no personal data and no IP address (only the signature's id, its campaign and what happened).

Tokens: the confirmation and unsign links carry random tokens; only their SHA-256 is stored.
The services hand the raw tokens back to their caller (the public site), which mails them; every
email carries fresh tokens: the links of the newest email work, earlier ones no longer do.

Counting: a signature counts once confirmed and never withdrawn. After the retention period its
personal data is erased and its status becomes `erased`, but `confirmed_at` and `unsigned_at` are
kept, so an erased signature that was confirmed and not withdrawn still counts.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from defensor.campaigns.models import Campaign, Signature
from defensor.core import context, crypto
from defensor.core.audit import audit_record


class SignatureClosed(Exception):
    """The campaign does not take signatures (not live, or without a public page)."""


@dataclass(frozen=True)
class SignatureAdded:
    """What `signature_add` did. The tokens are set when a confirmation email must be sent."""

    signature: Signature
    created: bool
    confirm_token: str = ""
    unsign_token: str = ""

    @property
    def needs_email(self) -> bool:
        return bool(self.confirm_token)


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


@contextmanager
def _without_ip_address() -> Iterator[None]:
    """Audit entries about signers must not record where they signed from."""
    current = context.current()
    token = context.activate(context.RequestContext(request_id=current.request_id, ip_address=None))
    try:
        yield
    finally:
        context.deactivate(token)


def counted_signatures(campaign: Campaign) -> QuerySet[Signature]:
    """The signatures that count: confirmed and not withdrawn, erased ones included."""
    return Signature.objects.filter(campaign=campaign).filter(
        Q(status=Signature.Status.CONFIRMED)
        | Q(status=Signature.Status.ERASED, confirmed_at__isnull=False, unsigned_at__isnull=True)
    )


def signature_count(*, campaign: Campaign) -> int:
    return counted_signatures(campaign).count()


def _issue_tokens(signature: Signature) -> tuple[str, str]:
    confirm, unsign = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    signature.confirm_token_hash = token_hash(confirm)
    signature.unsign_token_hash = token_hash(unsign)
    return confirm, unsign


@transaction.atomic
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

    A second signature from the same email for the same campaign creates nothing: new tokens
    (for a new email) are issued only while the first one is still waiting for confirmation.
    The caller mails the tokens after commit, and answers only after this returns, so whatever
    it acknowledges is committed.
    """
    if not campaign.is_open_for_signatures:
        raise SignatureClosed
    index = email_index(campaign=campaign, email=email)
    signature = Signature(
        organisation_id=campaign.organisation_id,
        campaign=campaign,
        name=name.strip(),
        email=normalise_email(email),
        email_index=index,
        profession=profession,
        bar_association=bar_association.strip(),
        country=country.upper(),
        language=language,
        consent_letter=consent_letter,
        consent_updates=consent_updates,
    )
    confirm, unsign = _issue_tokens(signature)
    # The campaign and organisation were just read, and one email per campaign is the
    # database's constraint (caught below): checking them here would only cost queries.
    signature.full_clean(exclude=["campaign", "organisation"], validate_unique=False, validate_constraints=False)
    try:
        # Insert first: a new signer (the usual case) costs one statement, not a look-up and an insert.
        with transaction.atomic():
            signature.save(force_insert=True)
    except IntegrityError:
        existing = Signature.objects.get(campaign=campaign, email_index=index)
    else:
        with _without_ip_address():
            audit_record(
                actor=None,
                action="campaigns.signature.added",
                organisation=campaign.organisation_id,
                obj=signature,
                changes={"campaign": campaign.pk},
            )
        return SignatureAdded(signature=signature, created=True, confirm_token=confirm, unsign_token=unsign)
    if existing.status != Signature.Status.PENDING:
        return SignatureAdded(signature=existing, created=False)
    confirm, unsign = _issue_tokens(existing)
    existing.save(update_fields=["confirm_token_hash", "unsign_token_hash", "updated_at"])
    return SignatureAdded(signature=existing, created=False, confirm_token=confirm, unsign_token=unsign)


def signature_for_token(*, campaign: Campaign, token: str, purpose: str) -> Signature | None:
    """The signature a confirmation (`confirm`) or unsign (`unsign`) token opens, or None."""
    if not token or purpose not in {"confirm", "unsign"}:
        return None
    column = "confirm_token_hash" if purpose == "confirm" else "unsign_token_hash"
    return Signature.objects.filter(campaign=campaign, **{column: token_hash(token)}).first()


@transaction.atomic
def signature_confirm(*, campaign: Campaign, token: str) -> Signature | None:
    """Confirm the signature the token belongs to. Idempotent; None for an unknown token."""
    signature = signature_for_token(campaign=campaign, token=token, purpose="confirm")
    if signature is None:
        return None
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.status != Signature.Status.PENDING:
        return signature
    signature.status = Signature.Status.CONFIRMED
    signature.confirmed_at = timezone.now()
    signature.save(update_fields=["status", "confirmed_at", "updated_at"])
    with _without_ip_address():
        audit_record(
            actor=None,
            action="campaigns.signature.confirmed",
            organisation=signature.organisation_id,
            obj=signature,
            changes={"status": {"from": "pending", "to": "confirmed"}},
        )
    return signature


@transaction.atomic
def signature_unsign(*, campaign: Campaign, token: str) -> Signature | None:
    """Withdraw the signature: it no longer counts and its name is no longer on letters. Idempotent."""
    signature = signature_for_token(campaign=campaign, token=token, purpose="unsign")
    if signature is None:
        return None
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.status in {Signature.Status.UNSIGNED, Signature.Status.ERASED}:
        return signature
    before = signature.status
    signature.status = Signature.Status.UNSIGNED
    signature.unsigned_at = timezone.now()
    # A pending signature can no longer be confirmed through an older email.
    signature.confirm_token_hash = ""
    signature.save(update_fields=["status", "unsigned_at", "confirm_token_hash", "updated_at"])
    with _without_ip_address():
        audit_record(
            actor=None,
            action="campaigns.signature.unsigned",
            organisation=signature.organisation_id,
            obj=signature,
            changes={"status": {"from": before, "to": "unsigned"}},
        )
    return signature


@transaction.atomic
def signatures_erase_after_retention(*, today: datetime.date) -> int:
    """Erase signers' personal data in campaigns closed more than `retention_days` ago.

    The rows stay (status `erased`, dates kept) so that the campaign's count does not change.
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
                status=Signature.Status.ERASED,
                erased_at=timezone.now(),
                updated_at=timezone.now(),
            )
        )
        if erased:
            audit_record(
                actor=None,
                action="campaigns.signatures.erased",
                organisation=campaign.organisation_id,
                obj=campaign,
                changes={"erased": erased, "retention_days": campaign.retention_days},
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
