"""The append-only, hash-chained audit log.

Each entry's hash covers its own fields and the hash of the entry before it, and the
chain head is kept in `AuditHead`, locked while an entry is appended so that entries
from concurrent requests form one line. `verify()` walks the chain and reports any
entry that was edited, deleted, inserted or reordered, and a truncated tail.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from defensor.core import context
from defensor.core.models import AuditEntry, AuditHead

GENESIS = "0" * 64


def _object_ref(obj: Any) -> tuple[str, str]:
    if obj is None:
        return "", ""
    if isinstance(obj, models.Model):
        return obj._meta.label_lower, str(obj.pk)
    return str(type(obj).__name__), str(obj)


def entry_digest(
    *,
    seq: int,
    created_at: str,
    organisation_id: int | None,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    changes: Any,
    request_id: str,
    ip_address: str | None,
    prev_hash: str,
) -> str:
    payload = json.dumps(
        [
            seq,
            created_at,
            organisation_id,
            actor_id,
            actor_label,
            action,
            object_type,
            object_id,
            changes,
            request_id,
            ip_address,
            prev_hash,
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _digest_of(entry: AuditEntry) -> str:
    return entry_digest(
        seq=entry.seq,
        created_at=entry.created_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        organisation_id=entry.organisation_id,
        actor_id=entry.actor_id,
        actor_label=entry.actor_label,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        changes=entry.changes,
        request_id=entry.request_id,
        ip_address=entry.ip_address,
        prev_hash=entry.prev_hash,
    )


def changed_fields(before: dict[str, Any], after: dict[str, Any], *, secret: Iterable[str] = ()) -> dict[str, Any]:
    """A summary of what changed: values for ordinary fields, only the name for secret ones."""
    secret_names = set(secret)
    summary: dict[str, Any] = {}
    for name in sorted(set(before) | set(after)):
        if before.get(name) == after.get(name):
            continue
        summary[name] = "changed" if name in secret_names else {"from": before.get(name), "to": after.get(name)}
    return summary


@transaction.atomic
def audit_record(
    *,
    actor: Any,
    action: str,
    organisation: Any = None,
    obj: Any = None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Services call this inside their own transaction."""
    head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
    ctx = context.current()
    object_type, object_id = _object_ref(obj)
    org_id = getattr(organisation, "pk", organisation)
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    actor_label = getattr(actor, "email", "") if actor is not None else "system"
    now = timezone.now()
    seq = head.seq + 1
    prev_hash = head.entry_hash or GENESIS
    clean_changes = json.loads(json.dumps(changes or {}, default=str))
    entry = AuditEntry(
        seq=seq,
        created_at=now,
        organisation_id=org_id,
        actor_id=actor_id,
        actor_label=actor_label or "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        changes=clean_changes,
        request_id=ctx.request_id,
        # Hashed as the database will store it (IPv6 in canonical form), or verify() fails.
        ip_address=context.canonical_ip(ctx.ip_address),
        prev_hash=prev_hash,
    )
    entry.entry_hash = _digest_of(entry)
    entry.save()
    head.seq = seq
    head.entry_hash = entry.entry_hash
    head.save(update_fields=["seq", "entry_hash"])
    return entry


@dataclass
class VerificationResult:
    checked: int = 0
    head_seq: int = 0
    head_hash: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(*, expect_head: str | None = None) -> VerificationResult:
    result = VerificationResult()
    expected_seq = 1
    prev_hash = GENESIS
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            result.problems.append(
                f"entry #{expected_seq} is missing (next entry is #{entry.seq}): deleted or reordered"
            )
        if entry.prev_hash != prev_hash:
            result.problems.append(f"entry #{entry.seq} does not follow the entry before it")
        if _digest_of(entry) != entry.entry_hash:
            result.problems.append(f"entry #{entry.seq} was altered after it was written")
        prev_hash = entry.entry_hash
        expected_seq = entry.seq + 1
        result.checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    head_seq = head.seq if head else 0
    head_hash = head.entry_hash if head else ""
    result.head_seq, result.head_hash = head_seq, head_hash
    if head_seq != expected_seq - 1 or (head_hash or GENESIS) != prev_hash:
        result.problems.append(
            f"the chain ends at #{expected_seq - 1} but its head says #{head_seq}: entries were removed from the end"
        )
    if expect_head is not None and expect_head != head_hash:
        result.problems.append("the chain head differs from the one recorded outside the database")
    return result
