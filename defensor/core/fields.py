"""Model fields whose values are encrypted before they reach the database.

The plaintext lives only on the model instance. `pre_save` encrypts with the data key
of the instance's organisation (`organisation_id`, or the attribute named by
`key_owner`), so the column only ever holds tokens. Writing plaintext around `save()`
(a queryset `update()`, a raw filter) is refused, and the only lookup allowed is
`isnull`: an encrypted value cannot be searched; use a blind index for exact matches.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import FieldError
from django.db import models

from defensor.core import crypto


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest (AES-GCM)"
    encrypted = True

    def __init__(self, *args: Any, key_owner: str = "organisation_id", **kwargs: Any) -> None:
        self.key_owner = key_owner
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.key_owner != "organisation_id":
            kwargs["key_owner"] = self.key_owner
        return name, path, args, kwargs

    def context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def serialise(self, value: Any) -> str:
        return str(value)

    def deserialise(self, text: str) -> Any:
        return text

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        return self.encrypt(getattr(model_instance, self.attname), owner=getattr(model_instance, self.key_owner))

    def encrypt(self, value: Any, *, owner: Any) -> Any:
        """The column's value for plaintext `value`, encrypted with the data key of organisation `owner`."""
        if value is None or value == "":
            return value
        return crypto.encrypt_text(self.serialise(value), organisation_id=owner, context=self.context())

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return self.deserialise(crypto.decrypt_text(value, context=self.context()))

    def get_prep_value(self, value: Any) -> Any:
        if value is None or value == "" or crypto.is_token(value):
            return value
        raise FieldError(f"{self.context()} is encrypted: write it through save(), never update() or a raw value")

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None

    def get_transform(self, name: str) -> Any:
        return None


class EncryptedJSONField(EncryptedTextField):
    description = "JSON encrypted at rest (AES-GCM)"

    def to_python(self, value: Any) -> Any:
        # The value on the instance is already the Python structure; full_clean() must not
        # turn a list or dict into its string form.
        return value

    def serialise(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    def deserialise(self, text: str) -> Any:
        return json.loads(text)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if value is None:
            return value
        owner = getattr(model_instance, self.key_owner)
        return crypto.encrypt_text(self.serialise(value), organisation_id=owner, context=self.context())

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        return self.deserialise(crypto.decrypt_text(value, context=self.context()))

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        return super(models.TextField, self).formfield(**{"form_class": forms.JSONField, **kwargs})


def encrypted_fields(model: type[models.Model]) -> list[EncryptedTextField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


class RowIdField(models.BigAutoField):
    """An automatic key that on SQLite is the table's own row id, without AUTOINCREMENT.

    AUTOINCREMENT makes SQLite keep the highest key ever given in a table of its own
    (`sqlite_sequence`) and update it with every INSERT: one more B-tree to write in every
    transaction that adds a row. Without it, a new row takes the highest key in the table plus
    one, so a key is given again only if the row holding the highest one is deleted. For tables
    whose rows are never deleted (signatures) or that nothing refers to (spent challenges), that
    makes no difference. On PostgreSQL this is a plain `BigAutoField`.
    """

    def db_type_suffix(self, connection: Any) -> str | None:
        if connection.vendor == "sqlite":
            return None
        return super().db_type_suffix(connection)
