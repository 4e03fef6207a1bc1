"""1,000 canary strings written through encrypted fields and files appear nowhere at rest.

Not in the raw database (the SQLite image, or a pg_dump of PostgreSQL), not in the
media folder, not in the logs captured at DEBUG level for every logger (SQL and its
parameters included). A control canary written into an ordinary column, an ordinary
file and a log line is found in each place, so the search cannot pass by looking at
the wrong thing.
"""

from __future__ import annotations

import datetime
import io
import logging
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection

from defensor.core import crypto
from defensor.core.fields import encrypted_fields
from defensor.core.ledger import activity_record
from defensor.core.models import Activity, ActivityKind
from defensor.core.storage import EncryptedFileSystemStorage
from defensor.core.testing import make_organisation

CANARIES = 1000
PER_FILE = 10

# pg_dump reads from another connection: the rows must be committed there. SQLite is
# read from this very connection, inside the test's transaction.
pytestmark = pytest.mark.django_db(transaction=connection.vendor == "postgresql")


def _canary(n: int) -> str:
    # Non-ASCII on purpose: the search covers the UTF-8 bytes, not only ASCII.
    return f"canary{n:04d}{secrets.token_hex(8)}·Ирина"


def _needles(canary: str) -> list[bytes]:
    """The whole canary, its first 12 characters, and its random part."""
    return [canary.encode("utf-8"), canary[:12].encode("utf-8"), canary[10:26].encode("utf-8")]


@pytest.fixture
def every_log_line() -> Iterator[io.StringIO]:
    """Every logger at DEBUG into one buffer, with SQL statements and their parameters logged."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in list(logging.root.manager.loggerDict))]
    levels = {logger: logger.level for logger in loggers}
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    force_debug_cursor = connection.force_debug_cursor
    connection.force_debug_cursor = True
    try:
        yield buffer
    finally:
        connection.force_debug_cursor = force_debug_cursor
        logging.getLogger().removeHandler(handler)
        for logger, level in levels.items():
            logger.setLevel(level)


def _database_image() -> bytes:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        image = connection.connection.serialize()
        assert image.startswith(b"SQLite format 3\x00"), "not an SQLite database image"
        return bytes(image)
    if connection.vendor == "postgresql":
        return _pg_dump()
    pytest.fail(f"no way to read the raw database of {connection.vendor}")


def _pg_dump() -> bytes:
    binary = shutil.which("pg_dump")
    assert binary, "pg_dump is needed to check what a PostgreSQL dump holds"
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    command = [binary, "--no-owner", "--dbname", str(db["NAME"])]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command += [flag, str(db[key])]
    done = subprocess.run(command, env=env, capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout


def _media_folder() -> bytes:
    root = Path(settings.MEDIA_ROOT)
    return b"".join(path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file())


def _found(canaries: list[str], haystack: bytes) -> list[str]:
    return [canary for canary in canaries if any(needle in haystack for needle in _needles(canary))]


@pytest.fixture
def written(every_log_line):  # type: ignore[no-untyped-def]
    """Write the canaries through encrypted fields and files, and a control through plain ones."""
    assert encrypted_fields(Activity), "core.Activity.title is expected to be encrypted"
    organisation = make_organisation("Canary Watch", "canary-watch")
    canaries = [_canary(n) for n in range(CANARIES)]
    control = _canary(CANARIES)
    for n, canary in enumerate(canaries):
        activity_record(
            actor=None,
            organisation=organisation,
            kind=ActivityKind.LETTER_SENT,
            occurred_on=datetime.date(2025, 1, 1),
            title=canary,
        )
        if n % PER_FILE == 0:
            batch = "\n".join(canaries[n : n + PER_FILE]).encode("utf-8")
            default_storage.save(f"{organisation.pk}/canaries/batch.txt", ContentFile(batch))
    # The controls: an ordinary column, an ordinary file, an ordinary log line.
    plain = activity_record(
        actor=None,
        organisation=organisation,
        kind=ActivityKind.LETTER_SENT,
        occurred_on=datetime.date(2025, 1, 1),
        title="control row",
    )
    Activity.objects.filter(pk=plain.pk).update(source_id=control)
    FileSystemStorage(location=settings.MEDIA_ROOT).save("control/plain.txt", ContentFile(control.encode("utf-8")))
    logging.getLogger("defensor.canary").debug("control %s", control)
    return canaries, control, every_log_line


def test_the_storage_under_test_encrypts():
    assert isinstance(default_storage, EncryptedFileSystemStorage)


def test_no_canary_anywhere_at_rest(written):
    canaries, control, log = written
    places = {
        f"the raw {connection.vendor} database": _database_image(),
        "the media folder": _media_folder(),
        "the logs": log.getvalue().encode("utf-8"),
    }
    # The controls first: each place is searched for real, and holds what was written in clear.
    assert b"INSERT INTO" in places["the logs"], "SQL statements were not logged: the capture is not working"
    assert places["the media folder"].count(crypto.FILE_MAGIC) == CANARIES // PER_FILE
    for place, content in places.items():
        assert _found([control], content) == [control], f"the control is not found in {place}: wrong search"
    leaks = {place: found[:5] for place, content in places.items() if (found := _found(canaries, content))}
    assert leaks == {}
