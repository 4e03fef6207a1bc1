"""File storage that encrypts every file before it is written to disk.

Names are `<organisation id>/<random>/<original name>`: the first segment chooses
the organisation's data key, and the whole name is bound into the ciphertext as
associated data. Files are read back through `open()`, which decrypts; nothing in
the media folder is ever served directly.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from defensor.core import crypto


def organisation_of(name: str) -> int | None:
    head = name.replace("\\", "/").split("/", 1)[0]
    return int(head) if head.isdigit() else None


class EncryptedFileSystemStorage(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        if hasattr(content, "seek"):
            content.seek(0)
        data = content.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        name = self.get_available_name(name)
        sealed = crypto.encrypt_bytes(data, organisation_id=organisation_of(name), context=f"file:{name}")
        final = super()._save(name, ContentFile(sealed))  # type: ignore[misc]
        if final != name:
            # The name changed under us (a file appeared at the same moment): the
            # name is part of the associated data, so seal again under the new one.
            self._write_sealed(final, data)
        return final

    def _write_sealed(self, name: str, data: bytes) -> None:
        sealed = crypto.encrypt_bytes(data, organisation_id=organisation_of(name), context=f"file:{name}")
        path = self.path(name)
        tmp = f"{path}.rekey"
        with open(tmp, "wb") as handle:
            handle.write(sealed)
        os.replace(tmp, path)

    def _open(self, name: str, mode: str = "rb") -> Any:
        with super()._open(name, "rb") as handle:  # type: ignore[misc]
            sealed = handle.read()
        data = crypto.decrypt_bytes(sealed, context=f"file:{name}")
        file = ContentFile(data, name=name)
        return file

    def reencrypt(self, name: str) -> None:
        """Decrypt a file and encrypt it again with the organisation's active data key."""
        with super()._open(name, "rb") as handle:  # type: ignore[misc]
            sealed = handle.read()
        self._write_sealed(name, crypto.decrypt_bytes(sealed, context=f"file:{name}"))
