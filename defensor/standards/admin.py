"""Read-only admin views of the catalogue: the data files are the source, `defensor standards load` the only writer."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from defensor.standards.models import DatasetVersion, Instrument, Provision, Term, Vocabulary


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Instrument)
class InstrumentAdmin(ReadOnlyAdmin):
    list_display = ["code", "short_title_en", "kind", "system", "year", "binding", "to_verify", "active"]
    list_filter = ["system", "kind", "binding", "to_verify", "active"]


@admin.register(Provision)
class ProvisionAdmin(ReadOnlyAdmin):
    list_display = ["code", "instrument", "kind", "number", "title_en", "to_verify", "active"]
    list_filter = ["instrument", "kind", "to_verify", "active"]
    search_fields = ["code", "title_en", "title_ru"]


@admin.register(Vocabulary)
class VocabularyAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_en", "hierarchical", "active"]


@admin.register(Term)
class TermAdmin(ReadOnlyAdmin):
    list_display = ["code", "vocabulary", "label_en", "selectable", "to_verify", "active"]
    list_filter = ["vocabulary", "active", "to_verify"]
    search_fields = ["code", "label_en", "label_ru"]


@admin.register(DatasetVersion)
class DatasetVersionAdmin(ReadOnlyAdmin):
    list_display = ["name", "version", "checksum", "loaded_at"]
