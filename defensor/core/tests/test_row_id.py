"""`RowIdField`: SQLite's own row id as the key, without the AUTOINCREMENT bookkeeping."""

from __future__ import annotations

import pytest
from django.db import connection, models

from defensor.campaigns.models import Signature
from defensor.core.fields import RowIdField
from defensor.public.models import UsedChallenge

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Signature, UsedChallenge])
def test_the_key_is_a_row_id_field(model: type[models.Model]) -> None:
    assert isinstance(model._meta.pk, RowIdField)


def _key_definition(model: type[models.Model]) -> str:
    """How the database defines the table's key: SQLite's table text, PostgreSQL's identity column."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [model._meta.db_table])
        else:
            cursor.execute(
                "SELECT data_type || ' ' || is_identity || ' ' || identity_generation"
                " FROM information_schema.columns WHERE table_name = %s AND column_name = 'id'",
                [model._meta.db_table],
            )
        (definition,) = cursor.fetchone()
    return str(definition)


@pytest.mark.parametrize("model", [Signature, UsedChallenge])
def test_the_key_is_the_row_id_on_sqlite_and_an_identity_column_on_postgresql(model: type[models.Model]) -> None:
    definition = _key_definition(model)
    if connection.vendor == "sqlite":
        assert '"id" integer NOT NULL PRIMARY KEY' in definition
        assert "AUTOINCREMENT" not in definition.upper()
    else:
        assert definition == "bigint YES BY DEFAULT"


def test_the_key_comes_from_the_row_id_on_sqlite_and_the_identity_sequence_on_postgresql() -> None:
    UsedChallenge.objects.create(digest="a" * 64, expires_at="2026-12-07T10:00:00Z")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_sequence WHERE name = %s", [UsedChallenge._meta.db_table])
            assert cursor.fetchone() == (0,)
        else:  # the identity column's own sequence gave the key
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id') IS NOT NULL", [UsedChallenge._meta.db_table])
            assert cursor.fetchone() == (True,)


def test_elsewhere_the_column_is_defined_as_a_big_auto_field() -> None:
    expected = None if connection.vendor == "sqlite" else models.BigAutoField().db_type_suffix(connection)
    assert RowIdField().db_type_suffix(connection) == expected
    assert RowIdField().db_type(connection) == models.BigAutoField().db_type(connection)


def test_keys_keep_rising_while_rows_are_added() -> None:
    first = UsedChallenge.objects.create(digest="b" * 64, expires_at="2026-12-07T10:00:00Z")
    second = UsedChallenge.objects.create(digest="c" * 64, expires_at="2026-12-07T10:00:00Z")
    assert second.pk == first.pk + 1
