"""Operations on the key hierarchy: status, re-wrapping, re-encrypting everything."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.core.files.storage import default_storage
from django.db import transaction

from defensor.core import crypto
from defensor.core.audit import audit_record
from defensor.core.fields import encrypted_fields
from defensor.core.models import DataKey
from defensor.core.storage import EncryptedFileSystemStorage


@dataclass
class RotationReport:
    rewrapped: int = 0
    new_data_keys: int = 0
    rows_reencrypted: int = 0
    files_reencrypted: int = 0


def master_keys_in_use() -> dict[str, int]:
    usage: dict[str, int] = {}
    for master_id in DataKey.objects.values_list("master_key_id", flat=True):
        usage[master_id] = usage.get(master_id, 0) + 1
    return usage


@transaction.atomic
def rewrap_all() -> int:
    """Wrap every data key with the active master key (after a new master key was added)."""
    active = crypto.active_master_key()
    count = 0
    for row in DataKey.objects.select_for_update().exclude(master_key_id=active.id):
        raw = crypto.unwrap_key(bytes(row.wrapped_key), key_id=row.key_id, master_key_id=row.master_key_id)
        row.wrapped_key = crypto.wrap_key(raw, key_id=row.key_id, master=active)
        row.master_key_id = active.id
        row.save(update_fields=["wrapped_key", "master_key_id"])
        count += 1
    return count


def _iter_files(storage: EncryptedFileSystemStorage, folder: str = ""):  # type: ignore[no-untyped-def]
    if not storage.exists(folder or "."):
        return
    dirs, files = storage.listdir(folder or ".")
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in dirs:
        yield from _iter_files(storage, f"{folder}/{sub}" if folder else sub)


def reencrypt_all() -> RotationReport:
    """New data keys for every organisation, then every encrypted value and file sealed again.

    Old data keys stay, inactive: a backup taken before the rotation still needs them.
    """
    report = RotationReport()
    owners = set(DataKey.objects.filter(purpose=DataKey.Purpose.DATA).values_list("organisation_id", flat=True))
    for owner in owners:
        crypto.create_data_key(organisation_id=owner, purpose=DataKey.Purpose.DATA)
        report.new_data_keys += 1
    for model in apps.get_models():
        fields = encrypted_fields(model)
        if not fields:
            continue
        names = [f.name for f in fields]
        for obj in model._default_manager.all().iterator(chunk_size=500):
            with transaction.atomic():
                obj.save(update_fields=names)
            report.rows_reencrypted += 1
    if isinstance(default_storage, EncryptedFileSystemStorage):
        for name in _iter_files(default_storage):
            default_storage.reencrypt(name)
            report.files_reencrypted += 1
    report.rows_reencrypted += _reencrypt_mfa_secrets()
    crypto.clear_caches()
    return report


def _reencrypt_mfa_secrets() -> int:
    """TOTP secrets are encrypted by the MFA adapter, outside any model field."""
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator

    adapter = get_adapter()
    count = 0
    for authenticator in Authenticator.objects.filter(type=Authenticator.Type.TOTP):
        secret = authenticator.data.get("secret")
        if secret:
            authenticator.data["secret"] = adapter.encrypt(adapter.decrypt(secret))
            authenticator.save(update_fields=["data"])
            count += 1
    return count


def rotate(*, reencrypt: bool) -> RotationReport:
    report = RotationReport(rewrapped=rewrap_all())
    if reencrypt:
        done = reencrypt_all()
        done.rewrapped = report.rewrapped
        report = done
    audit_record(
        actor=None,
        action="core.keys.rotated",
        changes={
            "master_key": crypto.active_master_key().id,
            "rewrapped": report.rewrapped,
            "reencrypted_rows": report.rows_reencrypted,
            "reencrypted_files": report.files_reencrypted,
        },
    )
    return report
