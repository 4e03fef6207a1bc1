"""`defensor keys`: master-key rotation, re-encryption with new data keys, status; each audited."""

from __future__ import annotations

import datetime
import io

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from defensor.core import crypto
from defensor.core.ledger import activity_record
from defensor.core.models import Activity, ActivityKind, AuditEntry, DataKey
from defensor.core.testing import give_second_factor, make_member, make_organisation

pytestmark = pytest.mark.django_db

TITLES = {"ji": "Hearing of Ирина Петрова", "l4l": "Letter to the prosecutor of Diyarbakır"}
FILES = {"ji": b"Witness statement about the raid", "l4l": "Лист свидетелей".encode()}
TOTP_SECRET = "JBSWY3DPEHPK3PXP"
BAR_CONTEXT = "directory.person.bar_number"


class Estate:
    """Encrypted data of two organisations: ledger titles, files, a TOTP secret, a blind index."""

    def __init__(self) -> None:
        self.organisations = {
            "ji": make_organisation("Justice International", "justice-international"),
            "l4l": make_organisation("Lawyers for Lawyers", "lawyers-for-lawyers"),
        }
        self.activities = {
            code: activity_record(
                actor=None,
                organisation=org,
                kind=ActivityKind.LETTER_SENT,
                occurred_on=datetime.date(2025, 1, 15),
                title=TITLES[code],
            )
            for code, org in self.organisations.items()
        }
        self.files = {
            code: default_storage.save(f"{org.pk}/documents/statement.txt", ContentFile(FILES[code]))
            for code, org in self.organisations.items()
        }
        self.user = make_member(self.organisations["ji"], "volunteer")
        self.authenticator = give_second_factor(self.user)
        self.bar_index = crypto.blind_index("AB-1234", organisation_id=self.organisations["ji"].pk, context=BAR_CONTEXT)

    def stored_titles(self) -> dict[str, str]:
        table = connection.ops.quote_name(Activity._meta.db_table)
        out = {}
        with connection.cursor() as cursor:
            for code, activity in self.activities.items():
                cursor.execute(f"SELECT title FROM {table} WHERE id = %s", [activity.pk])  # noqa: S608
                out[code] = str(cursor.fetchone()[0])
        return out

    def file_blobs(self) -> dict[str, bytes]:
        out = {}
        for code, name in self.files.items():
            with open(default_storage.path(name), "rb") as handle:
                out[code] = handle.read()
        return out

    def stored_totp_secret(self) -> str:
        self.authenticator.refresh_from_db()
        return str(self.authenticator.data["secret"])

    def assert_all_readable(self) -> None:
        from allauth.mfa.adapter import get_adapter

        crypto.clear_caches()
        for code, activity in self.activities.items():
            assert Activity.objects.get(pk=activity.pk).title == TITLES[code]
        for code, name in self.files.items():
            with default_storage.open(name) as handle:
                assert handle.read() == FILES[code]
        assert get_adapter().decrypt(self.stored_totp_secret()) == TOTP_SECRET
        index = crypto.blind_index("AB-1234", organisation_id=self.organisations["ji"].pk, context=BAR_CONTEXT)
        assert index == self.bar_index


@pytest.fixture
def estate() -> Estate:
    return Estate()


@pytest.fixture
def old_master():
    return crypto.active_master_key()


@pytest.fixture
def new_master(settings, old_master):
    """A new master key put first (active), the old one kept after it, as an operator would."""
    master = crypto.generate_master_key()
    settings.MASTER_KEYS = f"{crypto.format_master_key(master)},{crypto.format_master_key(old_master)}"
    return master


def _keys(*args: str) -> str:
    out = io.StringIO()
    call_command("keys", *args, stdout=out)
    return out.getvalue()


def _only(settings, master: crypto.MasterKey) -> None:  # type: ignore[no-untyped-def]
    settings.MASTER_KEYS = crypto.format_master_key(master)


def _active_data_keys() -> dict[int | None, str]:
    return dict(
        DataKey.objects.filter(purpose=DataKey.Purpose.DATA, active=True).values_list("organisation_id", "key_id")
    )


# --- rotate (re-wrap) -----------------------------------------------------------------------------


def test_rotate_rewraps_every_data_key_with_the_new_master_key(estate, new_master):
    assert DataKey.objects.exclude(master_key_id=new_master.id).exists()
    _keys("rotate")
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {new_master.id}


def test_after_rotate_everything_decrypts_with_only_the_new_master_key(estate, new_master, settings):
    _keys("rotate")
    _only(settings, new_master)
    estate.assert_all_readable()


def test_without_rotate_the_old_master_key_is_still_needed(estate, new_master, settings):
    # The control for the test above: retiring the old key too early loses the data.
    _only(settings, new_master)
    crypto.clear_caches()
    with pytest.raises(crypto.KeyError_, match="is not configured"):
        Activity.objects.get(pk=estate.activities["ji"].pk)


def test_rotate_keeps_data_keys_and_ciphertexts(estate, new_master):
    keys_before = set(DataKey.objects.values_list("key_id", flat=True))
    titles_before = estate.stored_titles()
    _keys("rotate")
    assert set(DataKey.objects.values_list("key_id", flat=True)) == keys_before
    assert estate.stored_titles() == titles_before


def test_rotate_says_when_the_old_master_key_can_be_retired(estate, new_master, old_master):
    out = _keys("rotate")
    assert f"with master key {new_master.id}" in out
    assert f"master {old_master.id} wraps nothing any more: it can be retired." in out


def test_rotate_is_audited(estate, new_master):
    _keys("rotate")
    entry = AuditEntry.objects.get(action="core.keys.rotated")
    assert entry.changes["master_key"] == new_master.id
    assert entry.changes["rewrapped"] == DataKey.objects.count()


def test_the_audit_of_a_rotation_holds_no_key_material(estate, new_master):
    _keys("rotate", "--reencrypt")
    logged = str(list(AuditEntry.objects.values_list("changes", flat=True)))
    assert crypto.format_master_key(new_master).split(":", 1)[1] not in logged


# --- rotate --reencrypt ---------------------------------------------------------------------------


def test_reencrypt_makes_a_new_data_key_for_every_owner(estate):
    before = _active_data_keys()
    _keys("rotate", "--reencrypt")
    after = _active_data_keys()
    assert set(after) == set(before)
    assert not set(after.values()) & set(before.values())


def test_reencrypt_keeps_the_old_data_keys_inactive(estate):
    before = set(_active_data_keys().values())
    _keys("rotate", "--reencrypt")
    kept = DataKey.objects.filter(key_id__in=before)
    assert kept.count() == len(before)
    assert not kept.filter(active=True).exists()


def test_reencrypt_seals_every_stored_value_with_the_new_data_key(estate):
    _keys("rotate", "--reencrypt")
    active = _active_data_keys()
    for code, token in estate.stored_titles().items():
        assert crypto.key_id_of(token) == active[estate.organisations[code].pk], code


def test_reencrypt_seals_every_file_with_the_new_data_key(estate):
    _keys("rotate", "--reencrypt")
    active = _active_data_keys()
    for code, blob in estate.file_blobs().items():
        assert crypto.key_id_of(blob) == active[estate.organisations[code].pk], code


def test_reencrypt_seals_the_totp_secret_with_the_new_system_key(estate):
    _keys("rotate", "--reencrypt")
    assert crypto.key_id_of(estate.stored_totp_secret()) == _active_data_keys()[None]


def test_everything_reads_back_after_reencrypt(estate):
    _keys("rotate", "--reencrypt")
    estate.assert_all_readable()


def test_reencrypt_with_a_new_master_key_leaves_only_the_new_master_needed(estate, new_master, settings):
    _keys("rotate", "--reencrypt")
    _only(settings, new_master)
    estate.assert_all_readable()


def test_old_ciphertexts_stay_readable_while_the_old_data_key_exists(estate):
    old_title = estate.stored_titles()["ji"]
    old_blob = estate.file_blobs()["ji"]
    _keys("rotate", "--reencrypt")
    crypto.clear_caches()
    assert crypto.decrypt_text(old_title, context="core.activity.title") == TITLES["ji"]
    assert crypto.decrypt_bytes(old_blob, context=f"file:{estate.files['ji']}") == FILES["ji"]


def test_old_ciphertexts_need_the_old_data_key(estate):
    # The control for the test above: the old key, not the new one, opens an old token.
    old_title = estate.stored_titles()["ji"]
    old_key = crypto.key_id_of(old_title)
    _keys("rotate", "--reencrypt")
    DataKey.objects.filter(key_id=old_key).delete()
    crypto.clear_caches()
    with pytest.raises(crypto.KeyError_, match="does not exist"):
        crypto.decrypt_text(old_title, context="core.activity.title")


def test_reencrypt_leaves_blind_indexes_unchanged(estate):
    index_keys = set(DataKey.objects.filter(purpose=DataKey.Purpose.INDEX).values_list("key_id", "active"))
    _keys("rotate", "--reencrypt")
    assert set(DataKey.objects.filter(purpose=DataKey.Purpose.INDEX).values_list("key_id", "active")) == index_keys
    crypto.clear_caches()
    index = crypto.blind_index("AB-1234", organisation_id=estate.organisations["ji"].pk, context=BAR_CONTEXT)
    assert index == estate.bar_index


def test_reencrypt_reports_what_it_did(estate):
    out = _keys("rotate", "--reencrypt")
    owners = len(_active_data_keys())
    assert f"New data keys: {owners}; re-encrypted 3 rows and 2 files." in out


def test_reencrypt_is_audited(estate):
    _keys("rotate", "--reencrypt")
    entry = AuditEntry.objects.get(action="core.keys.rotated")
    assert entry.changes["reencrypted_rows"] == 3
    assert entry.changes["reencrypted_files"] == 2


def test_each_rotation_is_audited_once(estate, new_master):
    _keys("rotate")
    _keys("rotate", "--reencrypt")
    assert AuditEntry.objects.filter(action="core.keys.rotated").count() == 2


# --- status ---------------------------------------------------------------------------------------


def test_status_lists_master_keys_and_what_they_wrap(estate, new_master, old_master):
    count = DataKey.objects.count()
    out = _keys("status")
    assert f"master {new_master.id} (active): wraps 0 data keys" in out
    assert f"master {old_master.id} (old): wraps {count} data keys" in out
    assert f"data keys: {count} active, 0 inactive" in out


def test_status_after_rotation_counts_inactive_keys_and_retirable_masters(estate, new_master, old_master):
    _keys("rotate", "--reencrypt")
    out = _keys("status")
    assert f"master {new_master.id} (active): wraps {DataKey.objects.count()} data keys" in out
    assert f"data keys: {DataKey.objects.filter(active=True).count()} active, 3 inactive" in out
    assert f"master {old_master.id} wraps nothing any more: it can be retired." in out


def test_status_flags_data_keys_wrapped_by_an_unconfigured_master(estate, settings, old_master):
    _only(settings, crypto.generate_master_key())
    out = _keys("status")
    assert f"master {old_master.id} is NOT configured but wraps {DataKey.objects.count()} data keys" in out


def test_status_never_prints_key_material(estate, old_master):
    out = _keys("status")
    assert crypto.format_master_key(old_master).split(":", 1)[1] not in out
    assert django_settings.MASTER_KEYS.split(":", 1)[1] not in out
