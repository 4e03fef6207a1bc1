"""Encryption at rest: master keys, per-organisation data keys, AES-GCM, blind indexes.

Layout of the key hierarchy:

* Master keys live outside the database (environment or a key file). The first one is
  active; the others are kept only to unwrap data keys that were wrapped before a
  rotation.
* Each organisation has an active data key (purpose ``data``) for field and file
  encryption, and an index key (purpose ``index``) for blind indexes. Both are stored
  in ``core.DataKey``, wrapped (AES-GCM) by a master key whose id is kept beside them.
* A ciphertext names the data key that made it, so old ciphertexts stay readable after
  a new data key is introduced.

Text token: ``dfe1:`` + urlsafe-base64(version | key id (8 bytes) | nonce (12) | ct+tag).
Binary blob (files): b"DFE1" + version | key id | nonce | ct+tag.
The associated data binds a ciphertext to where it belongs (model and field, or a file
name), so a ciphertext copied into another column does not decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.signals import setting_changed
from django.db import IntegrityError, transaction

TOKEN_PREFIX = "dfe1:"  # noqa: S105 - a format marker, not a secret
FILE_MAGIC = b"DFE1"
VERSION = 1
KEY_ID_BYTES = 8
NONCE_BYTES = 12
TAG_BYTES = 16


class KeyError_(Exception):
    """A key needed to decrypt is not available (missing master key or data key)."""


class DecryptionError(Exception):
    """A ciphertext is malformed, was tampered with, or belongs elsewhere."""


@dataclass(frozen=True)
class MasterKey:
    id: str
    key: bytes


def generate_master_key() -> MasterKey:
    return MasterKey(id=secrets.token_hex(4), key=AESGCM.generate_key(bit_length=256))


def format_master_key(master: MasterKey) -> str:
    return f"{master.id}:{base64.b64encode(master.key).decode()}"


def parse_master_keys(text: str) -> list[MasterKey]:
    keys = []
    for raw in text.replace(",", "\n").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key_id, sep, encoded = line.partition(":")
        if not sep:
            raise KeyError_("a master key must be written as id:base64key")
        key = base64.b64decode(encoded)
        if len(key) != 32:
            raise KeyError_(f"master key {key_id} must be 32 bytes (256 bits)")
        keys.append(MasterKey(id=key_id.strip(), key=key))
    return keys


_lock = threading.Lock()
_master_keys: list[MasterKey] | None = None
_aead_by_key_id: dict[str, tuple[AESGCM, bytes]] = {}
_active_key_id: dict[tuple[int | None, str], str] = {}


def clear_caches(**_kwargs: object) -> None:
    global _master_keys
    with _lock:
        _master_keys = None
        _aead_by_key_id.clear()
        _active_key_id.clear()


setting_changed.connect(clear_caches)


def master_keys() -> list[MasterKey]:
    global _master_keys
    if _master_keys is None:
        text = settings.MASTER_KEYS
        if not text and settings.MASTER_KEY_FILE and Path(settings.MASTER_KEY_FILE).is_file():
            text = Path(settings.MASTER_KEY_FILE).read_text(encoding="utf-8")
        keys = parse_master_keys(text)
        if not keys:
            raise KeyError_(
                "No master key is configured. Set DEFENSOR_MASTER_KEYS or DEFENSOR_MASTER_KEY_FILE "
                "(`defensor keys init` creates a key file for development)."
            )
        _master_keys = keys
    return _master_keys


def active_master_key() -> MasterKey:
    return master_keys()[0]


def _master_by_id(key_id: str) -> MasterKey:
    for master in master_keys():
        if master.id == key_id:
            return master
    raise KeyError_(f"master key {key_id} is not configured; it is needed to unwrap a data key")


def wrap_key(raw: bytes, *, key_id: str, master: MasterKey) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(master.key).encrypt(nonce, raw, b"defensor-data-key:" + key_id.encode())


def unwrap_key(wrapped: bytes, *, key_id: str, master_key_id: str) -> bytes:
    master = _master_by_id(master_key_id)
    try:
        return AESGCM(master.key).decrypt(
            wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], b"defensor-data-key:" + key_id.encode()
        )
    except InvalidTag as exc:
        raise KeyError_(f"data key {key_id} does not unwrap with master key {master_key_id}") from exc


def _data_key_model():  # type: ignore[no-untyped-def]
    from defensor.core.models import DataKey

    return DataKey


def _load_key(key_id: str) -> tuple[AESGCM, bytes]:
    cached = _aead_by_key_id.get(key_id)
    if cached is not None:
        return cached
    DataKey = _data_key_model()
    try:
        row = DataKey.objects.get(key_id=key_id)
    except DataKey.DoesNotExist as exc:
        raise KeyError_(f"data key {key_id} does not exist") from exc
    raw = unwrap_key(bytes(row.wrapped_key), key_id=row.key_id, master_key_id=row.master_key_id)
    entry = (AESGCM(raw), raw)
    _aead_by_key_id[key_id] = entry
    return entry


def create_data_key(*, organisation_id: int | None, purpose: str, replace: bool = True):  # type: ignore[no-untyped-def]
    """Create a new active data key for an organisation.

    With `replace` (a rotation) the previous active key is switched off. Without it (the first
    key of an organisation) nothing is switched off: if another process created one at the same
    moment, the database's one-active-key constraint refuses this one (IntegrityError) and the
    caller takes theirs, so that every process encrypts and indexes with the same key.
    """
    DataKey = _data_key_model()
    master = active_master_key()
    raw = AESGCM.generate_key(bit_length=256)
    key_id = secrets.token_hex(KEY_ID_BYTES)
    with transaction.atomic():
        if replace:
            DataKey.objects.filter(organisation_id=organisation_id, purpose=purpose, active=True).update(active=False)
        row = DataKey.objects.create(
            key_id=key_id,
            organisation_id=organisation_id,
            purpose=purpose,
            wrapped_key=wrap_key(raw, key_id=key_id, master=master),
            master_key_id=master.id,
            active=True,
        )
    _aead_by_key_id[key_id] = (AESGCM(raw), raw)
    _active_key_id[(organisation_id, purpose)] = key_id
    return row


def active_key_id(organisation_id: int | None, purpose: str = "data") -> str:
    cached = _active_key_id.get((organisation_id, purpose))
    if cached is not None:
        return cached
    DataKey = _data_key_model()
    row = DataKey.objects.filter(organisation_id=organisation_id, purpose=purpose, active=True).first()
    if row is None:
        try:
            with transaction.atomic():
                row = create_data_key(organisation_id=organisation_id, purpose=purpose, replace=False)
        except IntegrityError:
            # Another process created it at the same moment: use theirs.
            row = DataKey.objects.get(organisation_id=organisation_id, purpose=purpose, active=True)
    _active_key_id[(organisation_id, purpose)] = row.key_id
    return str(row.key_id)


def forget_active_keys() -> None:
    """Forget which data key is active (after a rotation in another process)."""
    _active_key_id.clear()


def _seal(plaintext: bytes, *, organisation_id: int | None, context: bytes) -> bytes:
    key_id = active_key_id(organisation_id)
    aead, _raw = _load_key(key_id)
    nonce = os.urandom(NONCE_BYTES)
    return bytes([VERSION]) + bytes.fromhex(key_id) + nonce + aead.encrypt(nonce, plaintext, context)


def _open(sealed: bytes, *, context: bytes) -> bytes:
    if len(sealed) < 1 + KEY_ID_BYTES + NONCE_BYTES + TAG_BYTES or sealed[0] != VERSION:
        raise DecryptionError("not a Defensor ciphertext")
    key_id = sealed[1 : 1 + KEY_ID_BYTES].hex()
    nonce = sealed[1 + KEY_ID_BYTES : 1 + KEY_ID_BYTES + NONCE_BYTES]
    aead, _raw = _load_key(key_id)
    try:
        return aead.decrypt(nonce, sealed[1 + KEY_ID_BYTES + NONCE_BYTES :], context)
    except InvalidTag as exc:
        raise DecryptionError("ciphertext was altered or belongs to another field") from exc


def key_id_of(token_or_blob: str | bytes) -> str:
    if isinstance(token_or_blob, str):
        sealed = base64.urlsafe_b64decode(token_or_blob[len(TOKEN_PREFIX) :])
    else:
        sealed = token_or_blob[len(FILE_MAGIC) :]
    return sealed[1 : 1 + KEY_ID_BYTES].hex()


def encrypt_text(plaintext: str, *, organisation_id: int | None, context: str) -> str:
    sealed = _seal(plaintext.encode("utf-8"), organisation_id=organisation_id, context=context.encode())
    return TOKEN_PREFIX + base64.urlsafe_b64encode(sealed).decode("ascii")


def decrypt_text(token: str, *, context: str) -> str:
    if not is_token(token):
        raise DecryptionError("not a Defensor text token")
    sealed = base64.urlsafe_b64decode(token[len(TOKEN_PREFIX) :])
    return _open(sealed, context=context.encode()).decode("utf-8")


def is_token(value: object) -> bool:
    if not isinstance(value, str) or not value.startswith(TOKEN_PREFIX):
        return False
    try:
        sealed = base64.urlsafe_b64decode(value[len(TOKEN_PREFIX) :])
    except ValueError:
        return False
    return len(sealed) >= 1 + KEY_ID_BYTES + NONCE_BYTES + TAG_BYTES and sealed[0] == VERSION


def encrypt_bytes(data: bytes, *, organisation_id: int | None, context: str) -> bytes:
    return FILE_MAGIC + _seal(data, organisation_id=organisation_id, context=context.encode())


def decrypt_bytes(blob: bytes, *, context: str) -> bytes:
    if not blob.startswith(FILE_MAGIC):
        raise DecryptionError("not a Defensor encrypted file")
    return _open(blob[len(FILE_MAGIC) :], context=context.encode())


def blind_index(value: str, *, organisation_id: int | None, context: str) -> str:
    """A keyed hash for exact lookups on an encrypted value (normalise before calling)."""
    key_id = active_key_id(organisation_id, purpose="index")
    _aead, raw = _load_key(key_id)
    digest = hmac.new(raw, context.encode() + b"\x00" + value.encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()
