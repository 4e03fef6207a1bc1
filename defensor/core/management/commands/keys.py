from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from defensor.core import crypto, keyring
from defensor.core.models import DataKey


class Command(BaseCommand):
    help = "Manage encryption keys: init, new-master, rotate, status."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("init", help="Create the master key file if there is none (development and first install).")
        new = sub.add_parser("new-master", help="Generate a new master key.")
        new.add_argument("--write", action="store_true", help="Put it first (active) in the configured key file.")
        rotate = sub.add_parser("rotate", help="Re-wrap every data key with the active master key.")
        rotate.add_argument(
            "--reencrypt", action="store_true", help="Also make new data keys and re-encrypt every value and file."
        )
        sub.add_parser("status", help="Show master keys and the data keys each one wraps.")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"do_{action.replace('-', '_')}")(**options)

    def _key_file(self) -> Path:
        if not settings.MASTER_KEY_FILE:
            raise CommandError("DEFENSOR_MASTER_KEY_FILE is not set: keys given in the environment are managed there.")
        return Path(settings.MASTER_KEY_FILE)

    def do_init(self, **_options: Any) -> None:
        if settings.MASTER_KEYS:
            self.stdout.write("Master keys come from DEFENSOR_MASTER_KEYS; nothing to do.")
            return
        path = self._key_file()
        if path.exists():
            self.stdout.write(f"A master key file exists already ({path.name}); nothing to do.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(crypto.format_master_key(crypto.generate_master_key()) + "\n")
        crypto.clear_caches()
        self.stdout.write(
            self.style.SUCCESS(f"Created master key file {path.name} (mode 600). Back it up apart from the database.")
        )

    def do_new_master(self, write: bool = False, **_options: Any) -> None:
        master = crypto.generate_master_key()
        line = crypto.format_master_key(master)
        if not write:
            self.stdout.write(line)
            self.stdout.write(
                "Put it first in DEFENSOR_MASTER_KEYS (keep the old keys after it), then run `defensor keys rotate`."
            )
            return
        path = self._key_file()
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        tmp = path.with_suffix(".new")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(line + "\n" + old)
        os.replace(tmp, path)
        crypto.clear_caches()
        self.stdout.write(
            self.style.SUCCESS(
                f"Master key {master.id} is now active. Run `defensor keys rotate` to re-wrap data keys."
            )
        )

    def do_rotate(self, reencrypt: bool = False, **_options: Any) -> None:
        report = keyring.rotate(reencrypt=reencrypt)
        self.stdout.write(f"Re-wrapped {report.rewrapped} data keys with master key {crypto.active_master_key().id}.")
        if reencrypt:
            self.stdout.write(
                f"New data keys: {report.new_data_keys}; re-encrypted {report.rows_reencrypted} rows and "
                f"{report.files_reencrypted} files. Old data keys are kept inactive for older backups."
            )
        self._report_retirable()

    def do_status(self, **_options: Any) -> None:
        configured = crypto.master_keys()
        usage = keyring.master_keys_in_use()
        for index, master in enumerate(configured):
            state = "active" if index == 0 else "old"
            self.stdout.write(f"master {master.id} ({state}): wraps {usage.get(master.id, 0)} data keys")
        missing = sorted(set(usage) - {m.id for m in configured})
        for key_id in missing:
            self.stdout.write(
                self.style.ERROR(f"master {key_id} is NOT configured but wraps {usage[key_id]} data keys")
            )
        active = DataKey.objects.filter(active=True).count()
        inactive = DataKey.objects.filter(active=False).count()
        self.stdout.write(f"data keys: {active} active, {inactive} inactive")
        self._report_retirable()

    def _report_retirable(self) -> None:
        usage = keyring.master_keys_in_use()
        for master in crypto.master_keys()[1:]:
            if usage.get(master.id, 0) == 0:
                self.stdout.write(f"master {master.id} wraps nothing any more: it can be retired.")
