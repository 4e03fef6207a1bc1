"""One-row INSERTs with SQL built once per model and database, for the few write paths under public load.

`Model.save(force_insert=True)` builds its INSERT statement anew on every call (the query, its
compiler, the quoting of every column): on the public sign-on that was about a fifth of the CPU
a request costs. `insert_one` writes the same row with the same values (each field's `pre_save`,
so timestamps and encryption happen as in `save()`, then `get_db_prep_save`), from a statement
built the first time. What it does not do, and `save()` would: send `pre_save` and `post_save`.
It refuses a model that has receivers for them, so that no receiver is silently skipped, and a
model whose fields need placeholders other than plain parameters.

Use it for new rows of simple models only; everything else goes through `save()`.

`insert_values` writes a row from a mapping of values without building a model instance at
all (a model instance with its fields set is most of what a row costs in Python), and can
leave a row that breaks a unique constraint unwritten instead of raising (`ON CONFLICT DO
NOTHING`, on SQLite and PostgreSQL alike), so that the caller needs no savepoint.
`insert_prepare` does all of that but the statement itself, which its `execute()` runs later:
a caller that must hold a lock while writing holds it for the statement only. The values are
converted for the database as `get_db_prep_save` would, by shorter ways for the usual ones
(integers for automatic keys, a UTC date and time as SQLite's text, the ciphertext `sealed`
just made, a constant default found once per statement), checked against Django's.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from defensor.core.fields import RowIdField


class NotInsertable(Exception):
    """The model cannot be written by `insert_one` (it has save receivers, or special placeholders)."""


def _statement(
    model: type[models.Model], alias: str, ignore_conflicts: bool = False
) -> tuple[str, list[models.Field[Any, Any]], bool]:
    """The INSERT statement (Django's placeholders), its fields, and whether it returns the key."""
    if pre_save.has_listeners(model) or post_save.has_listeners(model):
        raise NotInsertable(f"{model._meta.label} has save receivers: write it with save()")
    connection = connections[alias]
    meta = model._meta
    generated_pk = meta.pk is not None and meta.pk.db_returning
    fields = [field for field in meta.local_concrete_fields if not (generated_pk and field is meta.pk)]
    if any(hasattr(field, "get_placeholder") for field in fields):
        raise NotInsertable(f"{meta.label} has a field with its own SQL placeholder: write it with save()")
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields)
    values = ", ".join(["%s"] * len(fields))
    # Names from the model, quoted by the backend; the values are parameters.
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({values})"  # noqa: S608
    if ignore_conflicts:
        if not connection.features.supports_ignore_conflicts:
            raise NotInsertable(f"{connection.vendor} cannot leave a conflicting row unwritten")
        # Only unique constraints: unlike SQLite's INSERT OR IGNORE, NOT NULL and CHECK still raise.
        sql += " ON CONFLICT DO NOTHING"
    returning = bool(generated_pk and connection.features.can_return_columns_from_insert)
    if ignore_conflicts and generated_pk and not returning:
        raise NotInsertable(f"{connection.vendor} cannot say which row ON CONFLICT DO NOTHING wrote")
    if returning:
        assert meta.pk is not None
        sql += f" RETURNING {quote(str(meta.pk.column))}"
    return sql, fields, returning


def insert_one(instance: models.Model, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """INSERT `instance` as a new row, as `instance.save(force_insert=True)` would, and set its primary key.

    Raises the database's IntegrityError on a constraint (inside the caller's transaction, as
    `save()` does), NotInsertable for a model that must go through `save()`.
    """
    model = type(instance)
    statement = _driver_statement(model, using, False)
    # Each field's `pre_save`: timestamps set and encrypted fields encrypted, as `save()` does.
    values = {column.attname: column.field.pre_save(instance, True) for column in statement.columns}
    key = insert_values(model, values, using=using)
    if model._meta.pk is not None and model._meta.pk.db_returning:
        instance.pk = model._meta.pk.to_python(key)
    instance._state.adding = False
    instance._state.db = using


class Sealed(str):
    """An encrypted field's value as `sealed` made it: `insert_prepare` passes it on as it is.

    Any other value of an encrypted field is checked by the field (`get_db_prep_save`), which
    refuses plaintext; this one was encrypted a moment ago, by the field itself.
    """

    __slots__ = ()


def sealed(model: type[models.Model], values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` with each encrypted field's plaintext encrypted (with its owner's key), as `pre_save` would.

    Done before the write transaction opens: encryption needs no lock.
    """
    out = dict(values)
    for field in _encrypted_fields(model):
        if field.attname in out:
            token = field.encrypt(out[field.attname], owner=out[field.key_owner])
            out[field.attname] = Sealed(token) if type(token) is str and token else token
    return out


_encrypted: dict[type[models.Model], list[Any]] = {}


def _encrypted_fields(model: type[models.Model]) -> list[Any]:
    fields = _encrypted.get(model)
    if fields is None:
        fields = _encrypted[model] = [f for f in model._meta.concrete_fields if getattr(f, "encrypted", False)]
    return fields


# Field classes whose database value is the Python value itself, for the types listed: for
# these, `get_db_prep_save` returns what it is given, and the driver adapts it.
_PLAIN_TYPES: dict[type[models.Field[Any, Any]], tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.BooleanField: (bool,),
    models.IntegerField: (int,),
    models.BigIntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.PositiveBigIntegerField: (int,),
}


# Automatic keys, as the target of a foreign key: SQLite and PostgreSQL take the integer as it is.
_PLAIN_KEYS: dict[type[models.Field[Any, Any]], tuple[type, ...]] = {
    models.AutoField: (int,),
    models.BigAutoField: (int,),
    models.SmallAutoField: (int,),
    RowIdField: (int,),
}


def _plain_types(field: models.Field[Any, Any], vendor: str) -> tuple[type, ...]:
    """The value types `field` passes to the driver unchanged (exact types only; nothing for the rest)."""
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if vendor in {"sqlite", "postgresql"} and type(field) in _PLAIN_KEYS:
        return _PLAIN_KEYS[type(field)]
    return _PLAIN_TYPES.get(type(field), ())


def _utc_as_text(field: models.Field[Any, Any], alias: str) -> bool:
    """Whether the driver gets a UTC date and time of `field` as SQLite's text, which `_utc_text` writes.

    Django's way (`get_db_prep_save`: the prepared value, then the backend's adaptation) costs
    five times as much for the same text: "YYYY-MM-DD HH:MM:SS[.ffffff]", in the connection's
    time zone, which must then be UTC.
    """
    connection = connections[alias]
    return (
        type(field) is models.DateTimeField
        and connection.vendor == "sqlite"
        and bool(settings.USE_TZ)
        and connection.timezone is datetime.UTC
    )


def _utc_text(value: Any) -> str | None:
    """An aware datetime in UTC as SQLite's backend writes it; None for any other value."""
    if type(value) is datetime.datetime and value.tzinfo is datetime.UTC:
        return str(value.replace(tzinfo=None))
    return None


@dataclass(frozen=True)
class _Column:
    """What `insert_prepare` needs to know of one column, found once per statement."""

    attname: str
    field: Any
    plain: tuple[type, ...]  # the value types passed to the driver unchanged
    utc_as_text: bool  # a UTC datetime becomes `_utc_text`
    sealed: bool  # an encrypted field: a `Sealed` value is passed on as it is
    auto_now: bool  # left out, it takes the time of the call
    default: Any  # left out (and not `auto_now`), its value for the driver; `_CALL` when made per row


_CALL = object()  # a default made anew for each row (a callable one, or one the field converts)


def _column(field: Any, plain: tuple[type, ...], utc_as_text: bool) -> _Column:
    auto_now = bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
    default: Any = _CALL
    if not auto_now and not (field.has_default() and callable(field.default)):
        value = field.get_default()
        if value is None or type(value) in plain:
            default = value  # a constant the driver takes as it is, like a value given
    return _Column(
        field.attname, field, plain, utc_as_text, bool(getattr(field, "encrypted", False)), auto_now, default
    )


@dataclass(frozen=True)
class _DriverStatement:
    generic_sql: str  # Django's placeholders, for its cursor wrapper
    sql: str  # the driver's own placeholders
    columns: list[_Column]
    attnames: frozenset[str]
    returning: bool


_drivers: dict[tuple[type[models.Model], str, bool], _DriverStatement] = {}


def _driver_statement(model: type[models.Model], alias: str, ignore_conflicts: bool) -> _DriverStatement:
    key = (model, alias, ignore_conflicts)
    built = _drivers.get(key)
    if built is None:
        generic_sql, fields, returning = _statement(model, alias, ignore_conflicts)
        # Names quoted by the backend contain no "%"; "%s" are only the placeholders.
        vendor = connections[alias].vendor
        sql = generic_sql.replace("%s", "?") if vendor == "sqlite" else generic_sql
        columns = [_column(field, _plain_types(field, vendor), _utc_as_text(field, alias)) for field in fields]
        attnames = frozenset(column.attname for column in columns)
        built = _drivers[key] = _DriverStatement(generic_sql, sql, columns, attnames, returning)
    return built


def insert_values(
    model: type[models.Model],
    values: Mapping[str, Any],
    *,
    using: str = DEFAULT_DB_ALIAS,
    ignore_conflicts: bool = False,
) -> Any:
    """INSERT one row of `model` from `values` (by attribute name) and return its primary key.

    Each value is what the model instance's attribute would hold, except that encrypted fields
    take their encrypted value (`sealed`): plaintext there raises FieldError, as a queryset's
    `update()` would. A field left out gets its default, and an `auto_now`/`auto_now_add` field
    the time now. With `ignore_conflicts`, a row that breaks a unique constraint is not written
    and None is returned; without it the database's IntegrityError is raised (Django's, as for
    any query). Nothing is validated here: the caller passes values it has checked (as the
    model's `full_clean` would).

    The statement goes straight to the database driver's cursor, with Django's error
    translation but without its cursor wrapper, unless someone is watching the queries (DEBUG's
    query log, `CaptureQueriesContext`, an `execute_wrapper`): then through the wrapper, so
    that they see it. The same statement and values either way.
    """
    return insert_prepare(model, values, using=using, ignore_conflicts=ignore_conflicts).execute()


@dataclass(frozen=True)
class PreparedInsert:
    """One row's INSERT with its parameters converted for the database: only running it is left.

    Made by `insert_prepare` before a write transaction opens, so that the transaction (on
    SQLite, the database's single write lock) holds only the statement itself.
    """

    statement: _DriverStatement
    params: list[Any]
    using: str
    ignore_conflicts: bool

    def execute(self) -> Any:
        """Run the INSERT, as `insert_values` describes, and return the new row's key (or None)."""
        statement, params = self.statement, self.params
        returning, ignore_conflicts = statement.returning, self.ignore_conflicts
        connection = connections[self.using]
        if connection.queries_logged or connection.execute_wrappers:
            with connection.cursor() as cursor:
                cursor.execute(statement.generic_sql, params)
                return _inserted(cursor, returning=returning, ignore_conflicts=ignore_conflicts)
        connection.ensure_connection()
        with connection.wrap_database_errors:
            cursor = connection.connection.cursor()
            try:
                cursor.execute(statement.sql, params)
                return _inserted(cursor, returning=returning, ignore_conflicts=ignore_conflicts)
            finally:
                cursor.close()


def insert_prepare(
    model: type[models.Model],
    values: Mapping[str, Any],
    *,
    using: str = DEFAULT_DB_ALIAS,
    ignore_conflicts: bool = False,
) -> PreparedInsert:
    """The INSERT that `insert_values` would run now, with its values converted; `execute()` runs it.

    Raises what `insert_values` raises before writing (an unknown name, plaintext for an
    encrypted field). `auto_now` fields take the time of this call.
    """
    statement = _driver_statement(model, using, ignore_conflicts)
    if not statement.attnames.issuperset(values):
        unknown = set(values) - statement.attnames
        raise ValueError(f"{model._meta.label} has no column for {sorted(unknown)}")
    connection = connections[using]
    now = None
    params = []
    for column in statement.columns:
        if column.attname in values:
            value = values[column.attname]
        elif column.auto_now:
            now = now or timezone.now()
            value = now
        elif column.default is not _CALL:
            params.append(column.default)
            continue
        else:
            value = column.field.get_default()
        if value is None or type(value) in column.plain:
            params.append(value)
        elif column.sealed and type(value) is Sealed:
            params.append(str(value))  # the driver gets a plain str
        elif column.utc_as_text and (text := _utc_text(value)) is not None:
            params.append(text)
        else:
            params.append(column.field.get_db_prep_save(value, connection))
    return PreparedInsert(statement=statement, params=params, using=using, ignore_conflicts=ignore_conflicts)


def _inserted(cursor: Any, *, returning: bool, ignore_conflicts: bool) -> Any:
    """The new row's primary key, or None when ON CONFLICT DO NOTHING left it unwritten."""
    if returning:
        row = cursor.fetchone()
        return None if row is None else row[0]
    if ignore_conflicts and cursor.rowcount == 0:
        return None
    return cursor.lastrowid
