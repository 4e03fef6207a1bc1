"""The public site's writes: a sign-on (one proof of work pays for one signature), and housekeeping."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from defensor.campaigns.models import Campaign
from defensor.campaigns.signatures import SignatureAdded, signature_add
from defensor.core import crypto
from defensor.core.tasks import enqueue_on_commit
from defensor.public.models import UsedChallenge
from defensor.public.proof_of_work import LIFETIME, Verdict

TOKEN_CONTEXT = "public.signature.token"  # noqa: S105 - associated data of sealed tokens, not a secret


class ChallengeReused(Exception):
    """The proof of work was already spent on another sign-on."""


@transaction.atomic
def signon_submit(
    *,
    campaign: Campaign,
    proof: Verdict,
    name: str,
    email: str,
    profession: str,
    bar_association: str,
    country: str,
    language: str,
    consent_letter: bool,
    consent_updates: bool,
) -> SignatureAdded:
    """Spend the proof of work and record the signature, in one transaction; mail the link after commit.

    Committed when this returns: the view's "check your email" answer comes after.
    """
    if not proof.ok:
        raise ValueError("signon_submit needs a verified proof of work")
    try:
        with transaction.atomic():
            UsedChallenge.objects.create(digest=proof.digest, expires_at=proof.expires_at or timezone.now() + LIFETIME)
    except IntegrityError as exc:
        raise ChallengeReused from exc
    added = signature_add(
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
    if added.needs_email:
        from defensor.public.tasks import send_signature_confirmation

        # The task queue is a table that outlives the task: the links go in sealed.
        sealed = [
            crypto.encrypt_text(token, organisation_id=campaign.organisation_id, context=TOKEN_CONTEXT)
            for token in (added.confirm_token, added.unsign_token)
        ]
        enqueue_on_commit(send_signature_confirmation, added.signature.pk, sealed[0], sealed[1])
    return added


def used_challenges_purge(*, now: datetime.datetime | None = None) -> int:
    """Forget spent challenges that have expired anyway (an expired one is refused on its own)."""
    deleted, _by_model = UsedChallenge.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return int(deleted)
