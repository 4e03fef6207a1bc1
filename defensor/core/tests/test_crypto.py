"""Encryption at rest: encrypted fields and files, tokens bound to their place, blind indexes."""

from __future__ import annotations

import base64
import datetime
import hashlib
import os
from types import SimpleNamespace

import pytest
from django.core.exceptions import FieldError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction

from defensor.core import crypto
from defensor.core.fields import EncryptedJSONField
from defensor.core.ledger import activity_record
from defensor.core.models import Activity, ActivityKind, DataKey
from defensor.core.testing import give_second_factor, make_member, make_organisation

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Meeting with Ирина Петрова about the detention in Diyarbakır"
TITLE_CONTEXT = "core.activity.title"


@pytest.fixture
def organisation():
    return make_organisation("Justice International", "justice-international")


@pytest.fixture
def other_organisation():
    return make_organisation("Lawyers for Lawyers", "lawyers-for-lawyers")


def _activity(organisation, title: str = SECRET_TITLE) -> Activity:  # type: ignore[no-untyped-def]
    return activity_record(
        actor=None,
        organisation=organisation,
        kind=ActivityKind.MEETING_HELD,
        occurred_on=datetime.date(2025, 5, 1),
        title=title,
    )


def _stored_title(activity: Activity) -> str:
    """The title column exactly as the database holds it."""
    table = connection.ops.quote_name(Activity._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT title FROM {table} WHERE id = %s", [activity.pk])  # noqa: S608
        return str(cursor.fetchone()[0])


def _store_title(activity: Activity, raw: str) -> None:
    table = connection.ops.quote_name(Activity._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET title = %s WHERE id = %s", [raw, activity.pk])  # noqa: S608


def _flip_last_byte(token: str) -> str:
    sealed = bytearray(base64.urlsafe_b64decode(token[len(crypto.TOKEN_PREFIX) :]))
    sealed[-1] ^= 0x01
    return crypto.TOKEN_PREFIX + base64.urlsafe_b64encode(bytes(sealed)).decode()


def _active_data_key(organisation) -> str:  # type: ignore[no-untyped-def]
    return DataKey.objects.get(organisation=organisation, purpose=DataKey.Purpose.DATA, active=True).key_id


# --- fields -------------------------------------------------------------------------------------


def test_text_field_round_trips(organisation):
    activity = _activity(organisation)
    assert Activity.objects.get(pk=activity.pk).title == SECRET_TITLE


def test_text_field_round_trips_through_values_list(organisation):
    activity = _activity(organisation)
    assert list(Activity.objects.filter(pk=activity.pk).values_list("title", flat=True)) == [SECRET_TITLE]


def test_the_column_holds_a_token_not_the_text(organisation):
    stored = _stored_title(_activity(organisation))
    assert crypto.is_token(stored)
    assert "Ирина" not in stored
    assert "Diyarbak" not in stored


def test_the_same_text_is_sealed_differently_each_time(organisation):
    first, second = _activity(organisation), _activity(organisation)
    assert _stored_title(first) != _stored_title(second)


def test_json_field_round_trips(organisation):
    field = EncryptedJSONField()
    field.set_attributes_from_name("details")
    field.model = Activity
    value = {"names": ["Ирина", "İpek"], "count": 2, "nested": {"ok": True, "none": None}}
    holder = SimpleNamespace(details=value, organisation_id=organisation.pk)
    token = field.pre_save(holder, add=True)  # type: ignore[arg-type]
    assert crypto.is_token(token)
    assert "Ирина" not in token
    assert field.from_db_value(token, None, connection) == value


def test_json_field_seals_falsy_values_too(organisation):
    # An empty list or False is data: it must not reach the column as plain JSON.
    field = EncryptedJSONField()
    field.set_attributes_from_name("details")
    field.model = Activity
    for value in ([], {}, False, 0):
        token = field.pre_save(SimpleNamespace(details=value, organisation_id=organisation.pk), add=True)  # type: ignore[arg-type]
        assert crypto.is_token(token)
        assert field.from_db_value(token, None, connection) == value


def test_bulk_create_seals_the_values(organisation):
    Activity.objects.bulk_create(
        [Activity(organisation=organisation, kind=ActivityKind.MEETING_HELD, occurred_on="2025-05-01", title="bulk")]
    )
    activity = Activity.objects.get()
    assert crypto.is_token(_stored_title(activity))
    assert activity.title == "bulk"


# --- key ids --------------------------------------------------------------------------------------


def test_a_token_names_the_data_key_of_its_organisation(organisation):
    stored = _stored_title(_activity(organisation))
    assert crypto.key_id_of(stored) == _active_data_key(organisation)


def test_each_organisation_seals_with_its_own_data_key(organisation, other_organisation):
    ours = crypto.key_id_of(_stored_title(_activity(organisation)))
    theirs = crypto.key_id_of(_stored_title(_activity(other_organisation)))
    assert ours != theirs


def test_data_keys_are_stored_only_wrapped(organisation):
    _activity(organisation)
    row = DataKey.objects.get(organisation=organisation, purpose=DataKey.Purpose.DATA)
    _aead, raw = crypto._load_key(row.key_id)
    assert raw not in bytes(row.wrapped_key)
    assert row.master_key_id == crypto.active_master_key().id


# --- tampering and misplacement -------------------------------------------------------------------


def test_a_tampered_token_fails_to_decrypt(organisation):
    token = _stored_title(_activity(organisation))
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(_flip_last_byte(token), context=TITLE_CONTEXT)


def test_a_tampered_column_fails_to_load(organisation):
    activity = _activity(organisation)
    _store_title(activity, _flip_last_byte(_stored_title(activity)))
    with pytest.raises(crypto.DecryptionError):
        Activity.objects.get(pk=activity.pk)


def test_a_token_copied_into_another_field_fails_to_decrypt(organisation):
    token = _stored_title(_activity(organisation))
    assert crypto.decrypt_text(token, context=TITLE_CONTEXT) == SECRET_TITLE
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_text(token, context="cases.case.summary")


def test_a_field_token_copied_into_the_mfa_secret_fails_to_decrypt(organisation):
    from allauth.mfa.adapter import get_adapter

    token = _stored_title(_activity(organisation))
    with pytest.raises(crypto.DecryptionError):
        get_adapter().decrypt(token)


def test_plaintext_written_behind_the_fields_back_fails_to_load(organisation):
    activity = _activity(organisation)
    _store_title(activity, "written with raw SQL")
    with pytest.raises(crypto.DecryptionError):
        Activity.objects.get(pk=activity.pk)


def test_a_token_with_an_unknown_key_id_is_a_key_error(organisation):
    token = _stored_title(_activity(organisation))
    sealed = bytearray(base64.urlsafe_b64decode(token[len(crypto.TOKEN_PREFIX) :]))
    sealed[1:9] = bytes(8)
    with pytest.raises(crypto.KeyError_):
        crypto.decrypt_text(
            crypto.TOKEN_PREFIX + base64.urlsafe_b64encode(bytes(sealed)).decode(), context=TITLE_CONTEXT
        )


# --- no way around save() -------------------------------------------------------------------------


def test_queryset_update_cannot_write_plaintext(organisation):
    activity = _activity(organisation)
    with pytest.raises(FieldError), transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(title="plaintext through update()")
    assert Activity.objects.get(pk=activity.pk).title == SECRET_TITLE


def test_bulk_update_cannot_write_plaintext(organisation):
    activity = _activity(organisation)
    activity.title = "plaintext through bulk_update()"
    with pytest.raises(FieldError), transaction.atomic():
        Activity.objects.bulk_update([activity], ["title"])
    assert Activity.objects.get(pk=activity.pk).title == SECRET_TITLE


@pytest.mark.parametrize("lookup", ["title", "title__exact", "title__iexact", "title__icontains", "title__startswith"])
def test_an_encrypted_field_cannot_be_filtered_on(organisation, lookup):
    _activity(organisation)
    with pytest.raises(FieldError):
        list(Activity.objects.filter(**{lookup: SECRET_TITLE}))


def test_an_encrypted_field_can_be_tested_for_null(organisation):
    _activity(organisation)
    assert Activity.objects.filter(title__isnull=False).count() == 1


def test_an_encrypted_field_has_no_transforms(organisation):
    _activity(organisation)
    with pytest.raises(FieldError):
        list(Activity.objects.filter(title__lower="x"))


# --- files ----------------------------------------------------------------------------------------


def _disk_bytes(name: str) -> bytes:
    with open(default_storage.path(name), "rb") as handle:
        return handle.read()


def test_file_round_trips(organisation):
    content = "Witness statement: Ирина saw the arrest.".encode()
    name = default_storage.save(f"{organisation.pk}/statements/witness.txt", ContentFile(content))
    with default_storage.open(name) as handle:
        assert handle.read() == content


def test_file_on_disk_is_sealed(organisation):
    name = default_storage.save(f"{organisation.pk}/statements/witness.txt", ContentFile(b"the safe house address"))
    on_disk = _disk_bytes(name)
    assert on_disk.startswith(crypto.FILE_MAGIC)
    assert b"safe house" not in on_disk


def test_file_names_the_data_key_of_its_organisation(organisation):
    _activity(organisation)  # the organisation's data key exists first
    name = default_storage.save(f"{organisation.pk}/statements/witness.txt", ContentFile(b"statement"))
    assert crypto.key_id_of(_disk_bytes(name)) == _active_data_key(organisation)


def test_a_tampered_file_fails_to_open(organisation):
    name = default_storage.save(f"{organisation.pk}/statements/witness.txt", ContentFile(b"statement"))
    sealed = bytearray(_disk_bytes(name))
    sealed[-1] ^= 0x01
    with open(default_storage.path(name), "wb") as handle:
        handle.write(bytes(sealed))
    with pytest.raises(crypto.DecryptionError):
        default_storage.open(name)


def test_a_file_copied_under_another_name_fails_to_open(organisation):
    name = default_storage.save(f"{organisation.pk}/statements/witness.txt", ContentFile(b"statement"))
    copy = f"{organisation.pk}/public/leaflet.txt"
    target = default_storage.path(copy)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as handle:
        handle.write(_disk_bytes(name))
    with pytest.raises(crypto.DecryptionError):
        default_storage.open(copy)


def test_a_file_renamed_on_save_still_opens(organisation):
    # Saving twice under one name makes the storage pick a new name; the seal must follow it.
    first = default_storage.save(f"{organisation.pk}/statements/witness.txt", ContentFile(b"first"))
    second = default_storage.save(f"{organisation.pk}/statements/witness.txt", ContentFile(b"second"))
    assert first != second
    with default_storage.open(second) as handle:
        assert handle.read() == b"second"


# --- blind index ----------------------------------------------------------------------------------


def test_blind_index_is_stable_within_an_organisation(organisation):
    first = crypto.blind_index("AB-1234", organisation_id=organisation.pk, context="directory.person.bar_number")
    crypto.clear_caches()
    again = crypto.blind_index("AB-1234", organisation_id=organisation.pk, context="directory.person.bar_number")
    assert first == again


def test_blind_index_differs_between_organisations(organisation, other_organisation):
    ours = crypto.blind_index("AB-1234", organisation_id=organisation.pk, context="directory.person.bar_number")
    theirs = crypto.blind_index("AB-1234", organisation_id=other_organisation.pk, context="directory.person.bar_number")
    assert ours != theirs


def test_blind_index_differs_between_fields(organisation):
    bar = crypto.blind_index("AB-1234", organisation_id=organisation.pk, context="directory.person.bar_number")
    passport = crypto.blind_index("AB-1234", organisation_id=organisation.pk, context="directory.person.passport")
    assert bar != passport


def test_blind_index_is_not_a_plain_hash(organisation):
    index = crypto.blind_index("AB-1234", organisation_id=organisation.pk, context="directory.person.bar_number")
    assert index != hashlib.sha256(b"AB-1234").hexdigest()
    assert "AB-1234" not in index


def test_blind_index_uses_its_own_key(organisation):
    crypto.blind_index("AB-1234", organisation_id=organisation.pk, context="directory.person.bar_number")
    _activity(organisation)
    keys = DataKey.objects.filter(organisation=organisation, active=True)
    assert set(keys.values_list("purpose", flat=True)) == {DataKey.Purpose.DATA, DataKey.Purpose.INDEX}
    assert keys.values("key_id").distinct().count() == 2


# --- master keys ----------------------------------------------------------------------------------


def test_without_a_master_key_nothing_is_sealed(organisation, settings):
    settings.MASTER_KEYS = ""
    settings.MASTER_KEY_FILE = ""
    with pytest.raises(crypto.KeyError_, match="No master key is configured"):
        _activity(organisation)


def test_a_wrong_master_key_cannot_open_the_data(organisation, settings):
    activity = _activity(organisation)
    other = crypto.generate_master_key()
    settings.MASTER_KEYS = crypto.format_master_key(crypto.MasterKey(id=crypto.active_master_key().id, key=other.key))
    with pytest.raises(crypto.KeyError_):
        Activity.objects.get(pk=activity.pk)


def test_totp_secrets_are_stored_sealed(organisation):
    user = make_member(organisation, "volunteer")
    authenticator = give_second_factor(user)
    authenticator.refresh_from_db()
    stored = authenticator.data["secret"]
    assert crypto.is_token(stored)
    assert "JBSWY3DPEHPK3PXP" not in stored


def test_a_first_key_never_switches_off_the_key_another_process_just_made(db):
    from django.db import IntegrityError, transaction

    from defensor.core.models import DataKey
    from defensor.core.testing import make_organisation

    organisation = make_organisation("Race Test", "race-test")
    theirs = crypto.create_data_key(organisation_id=organisation.pk, purpose="index", replace=False)
    crypto.clear_caches()  # this process has not seen their key yet
    with pytest.raises(IntegrityError), transaction.atomic():
        crypto.create_data_key(organisation_id=organisation.pk, purpose="index", replace=False)
    assert DataKey.objects.get(key_id=theirs.key_id).active
    crypto.clear_caches()
    assert crypto.active_key_id(organisation.pk, "index") == theirs.key_id
