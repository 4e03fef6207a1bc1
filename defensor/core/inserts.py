"""One-row INSERTs with SQL built once per model and database, for the few write paths under public load.

`Model.save(force_insert=True)` builds its INSERT statement anew on every call (the query, its
compiler, the quoting of every column): on the public sign-on that was about a fifth of the CPU
a request costs. `insert_one` writes the same row with the same values (each field's `pre_save`,
so timestamps and encryption happen as in `save()`, then `get_db_prep_save`), from a statement
built the first time. What it does not do, and `save()` would: send `pre_save` and `post_save`.
It refuses a model that has receivers for them, so that no receiver is silently skipped, and a
model whose fields need placeholders other than plain parameters.

Use it for new rows of simple models only; everything else goes through `save()`.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.signals import post_save, pre_save

_statements: dict[tuple[type[models.Model], str], tuple[str, list[models.Field[Any, Any]], bool]] = {}


class NotInsertable(Exception):
    """The model cannot be written by `insert_one` (it has save receivers, or special placeholders)."""


def _statement(model: type[models.Model], alias: str) -> tuple[str, list[models.Field[Any, Any]], bool]:
    key = (model, alias)
    built = _statements.get(key)
    if built is not None:
        return built
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
    returning = bool(generated_pk and connection.features.can_return_columns_from_insert)
    if returning:
        assert meta.pk is not None
        sql += f" RETURNING {quote(str(meta.pk.column))}"
    built = _statements[key] = (sql, fields, returning)
    return built


def insert_one(instance: models.Model, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """INSERT `instance` as a new row, as `instance.save(force_insert=True)` would, and set its primary key.

    Raises the database's IntegrityError on a constraint (inside the caller's transaction, as
    `save()` does), NotInsertable for a model that must go through `save()`.
    """
    model = type(instance)
    sql, fields, returning = _statement(model, using)
    connection = connections[using]
    params = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if model._meta.pk is not None and model._meta.pk.db_returning:
            key = cursor.fetchone()[0] if returning else cursor.lastrowid
            instance.pk = model._meta.pk.to_python(key)
    instance._state.adding = False
    instance._state.db = using
