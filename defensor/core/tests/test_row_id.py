"""`RowIdField`: SQLite's own row id as the key, without the AUTOINCREMENT bookkeeping."""

from __future__ import annotations

import pytest
from django.db import connection, models

from defensor.campaigns.models import Signature
from defensor.core.fields import RowIdField
from defensor.public.models import UsedChallenge

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's table definition")


@pytest.mark.parametrize("model", [Signature, UsedChallenge])
def test_the_key_is_a_row_id_field(model: type[models.Model]) -> None:
    assert isinstance(model._meta.pk, RowIdField)


@sqlite_only
@pytest.mark.parametrize("model", [Signature, UsedChallenge])
def test_on_sqlite_the_table_keeps_no_autoincrement_sequence(model: type[models.Model]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [model._meta.db_table])
        (definition,) = cursor.fetchone()
    assert '"id" integer NOT NULL PRIMARY KEY' in definition
    assert "AUTOINCREMENT" not in definition.upper()


@sqlite_only
def test_on_sqlite_an_insert_leaves_sqlite_sequence_alone() -> None:
    UsedChallenge.objects.create(digest="a" * 64, expires_at="2026-12-07T10:00:00Z")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_sequence WHERE name = %s", [UsedChallenge._meta.db_table])
        assert cursor.fetchone() == (0,)


def test_elsewhere_the_column_is_defined_as_a_big_auto_field() -> None:
    expected = None if connection.vendor == "sqlite" else models.BigAutoField().db_type_suffix(connection)
    assert RowIdField().db_type_suffix(connection) == expected
    assert RowIdField().db_type(connection) == models.BigAutoField().db_type(connection)


def test_keys_keep_rising_while_rows_are_added() -> None:
    first = UsedChallenge.objects.create(digest="b" * 64, expires_at="2026-12-07T10:00:00Z")
    second = UsedChallenge.objects.create(digest="c" * 64, expires_at="2026-12-07T10:00:00Z")
    assert second.pk == first.pk + 1
