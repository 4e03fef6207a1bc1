"""The public site's writes: a sign-on (one proof of work pays for one signature), and housekeeping.

A sign-on is one short write transaction: a look-up of the proofs spent on repeated sign-ons,
then one INSERT of the signature, whose row carries the proof that paid for it and its
confirmation email (an outbox on the row: see `defensor.public.mail`), so the email cannot be
lost and there is no second commit. The INSERT is prepared by `insert_prepare` (SQL built once
per process, no model instance, no savepoint). Everything that needs no lock (validation, the
blind index, the tokens, the encryption, and the row's values converted for the database) is
done before the transaction opens: on SQLite the transaction holds the database's single write
lock, so every microsecond inside it is paid by every other writer.
Signing is a public act, counted and not audited per row (see `defensor.campaigns.signatures`).
"""

from __future__ import annotations

import datetime
import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from defensor.campaigns.models import Campaign
from defensor.campaigns.signatures import (
    PreparedSignature,
    ProofSpent,
    SignatureAdded,
    normalise_email,
    signature_prepare,
    signature_store,
)
from defensor.core.inserts import insert_prepare
from defensor.public import proof_of_work, rate_limits
from defensor.public.forms import MIN_FILL_SECONDS, SignOnForm, seconds_since_start
from defensor.public.mail import confirmations_queue, confirmations_wake
from defensor.public.models import UsedChallenge
from defensor.public.proof_of_work import LIFETIME, Verdict

logger = logging.getLogger(__name__)


class Refusal(StrEnum):
    """Why a posted sign-on form was not taken."""

    CLOSED = "closed"  # the campaign takes no signatures now
    LIMITED = "limited"  # too many from this address, or for this email, in a short time
    INVALID = "invalid"  # the form has errors
    STALE = "stale"  # sent too quickly after the page was shown, or from a page too old
    PROOF = "proof"  # the proof of work is missing, wrong or expired
    REUSED = "reused"  # the proof of work was spent already


@dataclass(frozen=True)
class Receipt:
    """What became of a posted sign-on form. `taken`: answer "check your email"."""

    refusal: Refusal | None = None
    message: str = ""  # for PROOF: what was wrong with it, in the active language
    trapped: bool = False  # the honeypot was filled: answered as taken, nothing stored

    @property
    def taken(self) -> bool:
        return self.refusal is None


_writers_lock: dict[str, int] = {}
_keys_known: set[int] = set()  # organisations whose keys this process has looked up under the write lock


def writers_lock_path(database: dict[str, Any]) -> str | None:
    """The file sign-ons queue on before they write to a SQLite database file; None for other databases."""
    name = str(database.get("NAME") or "")
    if database.get("ENGINE") != "django.db.backends.sqlite3" or name in {"", ":memory:"} or "mode=memory" in name:
        return None
    return f"{name}-signon.lock"


@contextmanager
def _writers_queue() -> Iterator[bool]:
    """On SQLite, wait for the write lock in the kernel's queue, not in SQLite's busy handler.

    SQLite lets one writer in at a time; the others poll, sleeping 1, 2, 5, 10, 15… ms between
    tries, so under load they sleep while the lock is free. Sign-ons from every process first
    take an exclusive lock on a file next to the database: the kernel wakes the next one as
    soon as it is released. (Other writers still meet SQLite's own lock, which stays the rule.)
    """
    path = None if connection.in_atomic_block else writers_lock_path(connection.settings_dict)
    if path is None:
        yield False
        return
    descriptor = _writers_lock.get(path)
    if descriptor is None:
        descriptor = _writers_lock[path] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    try:
        yield True
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)


CHECKPOINT_EVERY = 64  # sign-ons of one process between its checkpoints of SQLite's write-ahead log
_since_checkpoint = 0


def _wal_checkpoint_now_and_then() -> None:
    """Every CHECKPOINT_EVERY sign-ons of this process, copy SQLite's write-ahead log into the database file.

    Called after the writers' lock is released. SQLite checkpoints by itself once the log holds
    1,000 pages, but inside the commit that crosses the mark, while that sign-on still holds
    the writers' lock: every other sign-on then waits for its disk syncs, several milliseconds.
    A PASSIVE checkpoint here waits for no one and makes no one wait. With a few processes doing
    this, the log rarely reaches SQLite's own mark, which stays as the safety net. A checkpoint
    that fails is logged, not raised: the sign-on is committed, and the next one tries again.
    """
    global _since_checkpoint
    _since_checkpoint += 1
    if _since_checkpoint < CHECKPOINT_EVERY or connection.vendor != "sqlite":
        return
    _since_checkpoint = 0
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
    except DatabaseError:
        logger.warning("write-ahead log checkpoint failed; the next sign-on tries again", exc_info=True)


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
    """Spend the proof of work and record the signature with its email due, in one transaction.

    Committed when this returns: the view's "check your email" answer comes after. Raises
    `ProofSpent` (and stores nothing) when the proof of work was spent before.

    A proof is spent on the signature it pays for: the row carries its digest, under a unique
    constraint, so a new signer's sign-on writes one row. Only when the email had signed already
    (nothing new is written) is the proof kept in `UsedChallenge`, until it expires; every
    sign-on looks there first, in the same transaction, so that a proof spent either way is
    refused the next time.
    """
    if not proof.ok:
        raise ValueError("signon_submit needs a verified proof of work")

    def prepare() -> PreparedSignature:
        return signature_prepare(
            campaign=campaign,
            name=name,
            email=email,
            profession=profession,
            bar_association=bar_association,
            country=country,
            language=language,
            consent_letter=consent_letter,
            consent_updates=consent_updates,
            proof_digest=proof.digest,
        )

    # The organisation's data and index keys are looked up (and created, the very first time)
    # on first use. Two processes creating the same key at once would each keep their own, and
    # one process's blind indexes would then match nobody else's: the first sign-on of an
    # organisation in each process does that under the write lock, later ones before it.
    keys_known = campaign.organisation_id in _keys_known
    if keys_known:
        prepared = prepare()
    in_transaction = confirmations_queue().in_this_database
    with _writers_queue() as queued, transaction.atomic():
        # A replayed proof is refused before anything is written: nothing to roll back.
        if _spent_on_a_repeat(proof.digest):
            raise ProofSpent
        if not keys_known:
            prepared = prepare()
        added = signature_store(prepared)  # raises ProofSpent for a proof on another signature
        if not added.created and not _keep_spent(proof):
            raise ProofSpent
        if added.needs_email:
            if in_transaction:
                confirmations_wake()
            else:
                # A queue elsewhere (or the immediate backend of tests) must not see rolled-back work.
                transaction.on_commit(confirmations_wake)
    if campaign.organisation_id is not None and not connection.in_atomic_block:
        _keys_known.add(campaign.organisation_id)
    if queued:
        _wal_checkpoint_now_and_then()
    return added


def _spent_on_a_repeat(digest: str) -> bool:
    """Whether the proof of work was spent on a repeated sign-on (see `signon_submit`)."""
    with connection.cursor() as cursor:
        cursor.execute(_SPENT_ON_A_REPEAT, [digest])
        return cursor.fetchone() is not None


# `UsedChallenge.objects.filter(digest=…).exists()` without the query's construction (a few
# tens of µs on every sign-on); the statement is the same on SQLite and PostgreSQL.
_SPENT_ON_A_REPEAT = 'SELECT 1 FROM "public_usedchallenge" WHERE "digest" = %s'


def _keep_spent(proof: Verdict) -> bool:
    """Record a proof of work that paid for no new row; False when it was recorded already."""
    spent = insert_prepare(
        UsedChallenge,
        {"digest": proof.digest, "expires_at": proof.expires_at or timezone.now() + LIFETIME},
        ignore_conflicts=True,
    )
    return spent.execute() is not None


def used_challenges_purge(*, now: datetime.datetime | None = None) -> int:
    """Forget spent challenges that have expired anyway (an expired one is refused on its own)."""
    deleted, _by_model = UsedChallenge.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return int(deleted)


def signon_receive(*, campaign: Campaign, data: Any, address: str | None, language: str) -> Receipt:
    """Take a posted sign-on form, or say why not: the public sign-on page's whole decision.

    In this order: the campaign is open; the address is under its rate limit; the form is
    valid; the bot trap is empty (when it is not, the answer is the same as a success and
    nothing is stored); the form was shown long enough ago, by us, for this campaign; the proof
    of work holds; the email is under its rate limit; then the proof is spent and the signature
    stored (`signon_submit`), committed before this returns. `data` is the posted form (a
    QueryDict or a mapping of one value per name). Used by the view and by the sign-on lane.
    """
    if not campaign.is_open_for_signatures:
        return Receipt(Refusal.CLOSED)
    limited = not rate_limits.is_exempt(address)
    if limited and not rate_limits.hit(rate_limits.PER_ADDRESS, address or "unknown"):
        return Receipt(Refusal.LIMITED)
    cleaned = SignOnForm.cleaned_if_valid(data)
    if cleaned is None:
        return Receipt(Refusal.INVALID)
    if (cleaned["website"] or "").strip():
        return Receipt(trapped=True)
    elapsed = seconds_since_start(cleaned["started"], campaign.slug)
    if elapsed is None or elapsed < MIN_FILL_SECONDS:
        return Receipt(Refusal.STALE)
    proof = proof_of_work.payload_verify(data.get("altcha", ""))
    if not proof.ok:
        return Receipt(Refusal.PROOF, message=proof.message)
    if limited and not rate_limits.hit(rate_limits.PER_EMAIL, normalise_email(cleaned["email"])):
        return Receipt(Refusal.LIMITED)
    try:
        signon_submit(
            campaign=campaign,
            proof=proof,
            name=cleaned["name"],
            email=cleaned["email"],
            profession=cleaned["profession"],
            bar_association=cleaned["bar_association"],
            country=cleaned["country"],
            language=language,
            consent_letter=cleaned["consent_letter"],
            consent_updates=cleaned["consent_updates"],
        )
    except ProofSpent:
        return Receipt(Refusal.REUSED)
    return Receipt()
