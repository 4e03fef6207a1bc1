"""insert_one and insert_values: the same row as save(force_insert=True), from SQL built once."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import FieldError
from django.db import IntegrityError, connection, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from defensor.campaigns.models import Campaign, Signature
from defensor.core.inserts import NotInsertable, Sealed, _utc_text, insert_one, insert_prepare, insert_values, sealed
from defensor.core.testing import Personas, raw_column
from defensor.public.models import UsedChallenge
from defensor.public.testing import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(personas: Personas) -> Campaign:
    return make_campaign(personas.organisation, personas.users["director"])


def _signature(campaign: Campaign, email_index: str = "index-1") -> Signature:
    return Signature(
        organisation_id=campaign.organisation_id,
        campaign=campaign,
        name="Ирина Петрова",
        email="irina@example.org",
        email_index=email_index,
        profession=Signature.Profession.LAWYER,
        bar_association="Moscow Regional Bar",
        country="RU",
        language="ru",
        consent_letter=True,
        email_due_at=timezone.now(),
        email_links="confirm-token unsign-token",
    )


def test_the_row_reads_back_with_every_value_and_the_primary_key_set(campaign: Campaign) -> None:
    signature = _signature(campaign)
    insert_one(signature)
    assert signature.pk is not None
    assert not signature._state.adding
    stored = Signature.objects.get(pk=signature.pk)
    for field in Signature._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(signature, field.attname), field.name


def test_timestamps_are_filled_as_save_fills_them(campaign: Campaign) -> None:
    before = timezone.now()
    signature = _signature(campaign)
    insert_one(signature)
    stored = Signature.objects.get(pk=signature.pk)
    assert stored.created_at >= before
    assert stored.updated_at >= before


def test_encrypted_fields_are_encrypted_at_rest(campaign: Campaign) -> None:
    signature = _signature(campaign)
    insert_one(signature)
    assert "Ирина" not in raw_column("campaigns_signature", "name", signature.pk)
    assert "confirm-token" not in raw_column("campaigns_signature", "email_links", signature.pk)


def test_a_constraint_raises_the_databases_integrity_error(campaign: Campaign) -> None:
    expires = timezone.now() + datetime.timedelta(minutes=5)
    insert_one(UsedChallenge(digest="a" * 64, expires_at=expires))
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_one(UsedChallenge(digest="a" * 64, expires_at=expires))
    assert UsedChallenge.objects.count() == 1


def test_two_rows_get_two_keys(campaign: Campaign) -> None:
    first, second = _signature(campaign, "index-1"), _signature(campaign, "index-2")
    insert_one(first)
    insert_one(second)
    assert first.pk != second.pk
    assert Signature.objects.count() == 2


def test_a_model_with_save_receivers_is_refused(campaign: Campaign) -> None:
    # Campaign saves tell the public site to forget what it remembered: they must go through save().
    copy = Campaign(
        organisation=campaign.organisation, slug="another", title_en="Another", created_by=campaign.created_by
    )
    with pytest.raises(NotInsertable):
        insert_one(copy)


def _values(campaign: Campaign, email_index: str = "index-1") -> dict[str, object]:
    values: dict[str, object] = {
        "organisation_id": campaign.organisation_id,
        "campaign_id": campaign.pk,
        "name": "Ирина Петрова",
        "email": "irina@example.org",
        "email_index": email_index,
        "profession": Signature.Profession.LAWYER,
        "bar_association": "Moscow Regional Bar",
        "country": "RU",
        "language": "ru",
        "consent_letter": True,
        "email_due_at": timezone.now(),
        "email_links": "confirm-token unsign-token",
    }
    return sealed(Signature, values)


def test_insert_values_writes_the_row_save_would_write(campaign: Campaign) -> None:
    values = _values(campaign)
    key = insert_values(Signature, values)
    stored = Signature.objects.get(pk=key)
    by_save = _signature(campaign, "index-2")
    by_save.email_due_at = stored.email_due_at
    by_save.save()
    for field in Signature._meta.concrete_fields:
        if field.attname in {"id", "email_index", "created_at", "updated_at"}:
            continue
        assert getattr(stored, field.attname) == getattr(by_save, field.attname), field.name
    assert stored.status == Signature.Status.PENDING  # a default
    assert stored.created_at is not None and stored.updated_at is not None  # auto_now(_add)


def test_insert_values_leaves_a_duplicate_unwritten_when_asked(campaign: Campaign) -> None:
    assert insert_values(Signature, _values(campaign), ignore_conflicts=True) is not None
    assert insert_values(Signature, _values(campaign), ignore_conflicts=True) is None
    assert Signature.objects.count() == 1


def test_insert_values_raises_on_a_duplicate_otherwise(campaign: Campaign) -> None:
    insert_values(Signature, _values(campaign))
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_values(Signature, _values(campaign))
    assert Signature.objects.count() == 1


def test_insert_values_refuses_plaintext_for_an_encrypted_field(campaign: Campaign) -> None:
    values = {**_values(campaign), "name": "Ирина Петрова"}
    with pytest.raises(FieldError):
        insert_values(Signature, values)
    assert not Signature.objects.exists()


def test_insert_values_refuses_a_name_that_is_not_a_column(campaign: Campaign) -> None:
    with pytest.raises(ValueError, match="no column"):
        insert_values(Signature, {**_values(campaign), "nickname": "x"})
    assert not Signature.objects.exists()


def test_insert_values_is_seen_by_whoever_watches_the_queries(campaign: Campaign) -> None:
    values = _values(campaign)  # the organisation's keys are looked up here
    with CaptureQueriesContext(connection) as queries:
        insert_values(Signature, values)
    assert len(queries.captured_queries) == 1
    assert queries.captured_queries[0]["sql"].startswith('INSERT INTO "campaigns_signature"')


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2026, 11, 23, 9, 30, 5, 123456, tzinfo=datetime.UTC),
        datetime.datetime(2026, 11, 23, 9, 30, 5, tzinfo=datetime.UTC),  # no microseconds
        datetime.datetime(2026, 11, 23, 12, 30, 5, 7, tzinfo=datetime.timezone(datetime.timedelta(hours=3))),
    ],
    ids=["utc", "utc-whole-second", "moscow-offset"],
)
def test_a_date_and_time_reads_back_as_the_same_moment(campaign: Campaign, moment: datetime.datetime) -> None:
    key = insert_values(Signature, {**_values(campaign), "email_due_at": moment})
    assert Signature.objects.get(pk=key).email_due_at == moment


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2026, 11, 23, 9, 30, 5, 123456, tzinfo=datetime.UTC),
        datetime.datetime(2026, 11, 23, 9, 30, 5, tzinfo=datetime.UTC),
    ],
    ids=["microseconds", "whole-second"],
)
def test_a_utc_moment_is_written_as_djangos_own_text_on_sqlite(moment: datetime.datetime) -> None:
    # SQLite's own backend, whatever database the suite runs on: it is never connected.
    sqlite = SQLiteWrapper({**connection.settings_dict, "ENGINE": "django.db.backends.sqlite3", "TIME_ZONE": None})
    field = Signature._meta.get_field("email_due_at")
    assert _utc_text(moment) == field.get_db_prep_save(moment, sqlite)


def test_only_a_utc_datetime_takes_the_short_way() -> None:
    moscow = datetime.timezone(datetime.timedelta(hours=3))
    assert _utc_text(datetime.datetime(2026, 11, 23, 12, 0, tzinfo=moscow)) is None
    assert _utc_text(datetime.datetime(2026, 11, 23, 12, 0)) is None  # naive: Django decides
    assert _utc_text("2026-11-23 12:00:00") is None


def test_preparing_an_insert_sends_nothing_to_the_database(campaign: Campaign) -> None:
    values = _values(campaign)
    with CaptureQueriesContext(connection) as queries:
        prepared = insert_prepare(Signature, values)
    assert queries.captured_queries == []
    assert not Signature.objects.exists()
    key = prepared.execute()
    assert Signature.objects.get(pk=key).email_index == "index-1"


def test_plaintext_for_an_encrypted_field_is_refused_when_the_insert_is_prepared(campaign: Campaign) -> None:
    with pytest.raises(FieldError):
        insert_prepare(Signature, {**_values(campaign), "name": "Ирина Петрова"})


def test_sealed_values_reach_the_driver_as_plain_text(campaign: Campaign) -> None:
    values = _values(campaign)
    assert type(values["name"]) is Sealed
    prepared = insert_prepare(Signature, values)
    by_column = {
        column.attname: param for column, param in zip(prepared.statement.columns, prepared.params, strict=True)
    }
    for attname in ("name", "email", "bar_association", "email_links"):
        assert type(by_column[attname]) is str, attname
        assert by_column[attname] == values[attname]


def test_a_token_not_made_by_sealed_is_still_checked_by_the_field(campaign: Campaign) -> None:
    values = _values(campaign)
    copied = {**values, "name": str(values["name"])}  # a real token, as a plain str: the field checks it
    assert insert_values(Signature, copied) is not None
