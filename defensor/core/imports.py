"""Bulk import from the spreadsheets organisations keep (CSV or XLSX).

Apps describe what they import with an `Importer` and `register` it (in their `ready()`):

    class PersonImporter(imports.Importer):
        kind = "directory.person"
        label = _("People")
        model = Person
        fields = (
            imports.ImportField("full_name", _("Full name"), required=True, aliases=("name", "ФИО", "Имя")),
            imports.ImportField("email", _("Email"), aliases=("e-mail", "Электронная почта")),
        )

        def natural_key(self, row): return row["email"] or row["full_name"]
        def validate_row(self, *, organisation, row): ...      # translated messages, [] when good
        def apply_row(self, *, actor, organisation, row, existing): ...  # calls the app's services

    imports.register(PersonImporter())

The framework does the rest: it reads the file (through `uploads.sanitise_upload`), stages its
rows encrypted in an `ImportBatch`, proposes a column mapping from the header, validates every
row and lists the bad ones with their reasons, and imports nothing until the user confirms.
Applying runs in one transaction. Each imported row is remembered in `ImportedRecord` by a keyed
hash of its natural key, so importing the same file again updates or skips instead of duplicating.
"""

from __future__ import annotations

import abc
import csv
import datetime
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from defensor.core import crypto, uploads
from defensor.core.audit import audit_record
from defensor.core.models import ImportBatch, ImportedRecord
from defensor.core.permissions import Capability, has_capability

MAX_ROWS = 5000
MAX_COLUMNS = 100
PREVIEW_GOOD_ROWS = 50
ACCEPTED_TYPES = {uploads.CSV, uploads.TEXT, uploads.XLSX}
STALE_AFTER = datetime.timedelta(days=7)

Text = str | Promise
Row = dict[str, str]


# --- what apps describe -------------------------------------------------------------------


@dataclass(frozen=True)
class ImportField:
    """A field an importer fills. `aliases` are column headers (English, Russian…) that propose it."""

    name: str
    label: Text
    required: bool = False
    help: Text = ""
    aliases: tuple[str, ...] = ()


class Importer(abc.ABC):
    """What an app imports. Subclass, set the attributes, implement the abstract methods, `register` an instance."""

    kind: str = ""  # stable, e.g. "directory.person"
    label: Text = ""
    help: Text = ""
    capability: str = Capability.EDIT
    fields: tuple[ImportField, ...] = ()
    # The model the rows become; used to load a record imported before (by its id).
    model: type[models.Model] | None = None

    def validate_row(self, *, organisation: Any, row: Row) -> list[str]:
        """Translated messages for what is wrong with a row; [] when it is good.

        Called only once every required field has a value.
        """
        return []

    @abc.abstractmethod
    def natural_key(self, row: Row) -> str:
        """What identifies the record a row describes (an email, a registration number, a name and date…)."""

    def find_existing(self, *, organisation: Any, key: str) -> models.Model | None:
        """A record that exists already, made by hand, with this natural key (normalised); None if there is none."""
        return None

    def get_imported(self, *, organisation: Any, object_id: str) -> models.Model | None:
        """The record an earlier import made from this key; None when it was deleted since."""
        if self.model is None:
            return None
        manager = self.model._default_manager
        return manager.filter(organisation=organisation, pk=object_id).first()  # type: ignore[misc]

    @abc.abstractmethod
    def apply_row(self, *, actor: Any, organisation: Any, row: Row, existing: models.Model | None) -> tuple[Any, bool]:
        """Create the record (existing is None) or update `existing`, through the app's services.

        Returns (record, created). Raise ValidationError to fail the row with a message.
        """

    def field_labels(self) -> dict[str, str]:
        return {f.name: str(f.label) for f in self.fields}


_registry: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    """Make an importer available in the import pages. Registering the same kind again replaces it."""
    if not importer.kind or not importer.fields:
        raise ValueError("an importer needs a kind and at least one field")
    _registry[importer.kind] = importer
    return importer


def unregister(kind: str) -> None:
    _registry.pop(kind, None)


def get_importer(kind: str) -> Importer | None:
    return _registry.get(kind)


def label_of(kind: str) -> str:
    """What an import kind is called, for lists; the kind itself when its importer is gone."""
    importer = _registry.get(kind)
    return str(importer.label) if importer is not None else kind


def importers_for(*, user: Any, organisation: Any) -> list[Importer]:
    """The importers this user may run in this organisation, by label."""
    allowed = [i for i in _registry.values() if has_capability(user, organisation.pk, i.capability)]
    return sorted(allowed, key=lambda i: str(i.label))


# --- reading spreadsheets -------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number in the spreadsheet, cells)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\x00", "").strip()


def _table_from(records: Iterable[tuple[int, list[Any]]]) -> Table:
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    width = 0
    for number, raw in records:
        cells = [_cell_text(value) for value in raw]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue  # blank lines between rows are common in hand-kept spreadsheets
        if len(cells) > MAX_COLUMNS:
            raise ValidationError(
                _("Row %(row)s has more than %(max)s columns. Remove the columns you do not import.")
                % {"row": number, "max": MAX_COLUMNS}
            )
        if header is None:
            header = cells
            width = len(cells)
            continue
        if len(rows) >= MAX_ROWS:
            raise ValidationError(
                _("The file has more than %(max)s rows. Split it into smaller files and import them one by one.")
                % {"max": MAX_ROWS}
            )
        width = max(width, len(cells))
        rows.append((number, cells))
    if header is None:
        raise ValidationError(_("The file is empty: the first row must hold the column names."))
    if not rows:
        raise ValidationError(_("The file has column names but no rows below them."))
    header = header + [""] * (width - len(header))
    return Table(header=header, rows=[(n, cells + [""] * (width - len(cells))) for n, cells in rows])


def _delimiter(text: str) -> str:
    sample = text[: 64 * 1024]
    first_line = next((line for line in sample.splitlines() if line.strip()), "")
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ""
    if not delimiter or delimiter not in first_line:
        counts = {candidate: first_line.count(candidate) for candidate in (";", "\t", ",")}
        delimiter = max(counts, key=lambda c: counts[c]) if any(counts.values()) else ","
    return delimiter


def read_delimited(text: str) -> Table:
    """Rows of a CSV (or tab-separated) text; the delimiter (comma, semicolon or tab) is detected."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), quotechar='"', strict=False)
    try:
        return _table_from(enumerate(reader, start=1))
    except csv.Error as exc:
        raise ValidationError(_("The file could not be read as CSV: %(reason)s.") % {"reason": exc}) from exc


def read_xlsx(content: bytes) -> Table:
    """Rows of the first sheet of a workbook, values only (formulas as last calculated)."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged workbook
        raise ValidationError(_("The workbook could not be read. It may be damaged.")) from exc
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # do not trust the size the file declares

        def records() -> Iterator[tuple[int, list[Any]]]:
            for row in sheet.iter_rows():
                cells = [c for c in row if getattr(c, "row", None) is not None]
                if not cells:
                    continue
                values: list[Any] = [None] * max(c.column for c in cells)  # type: ignore[union-attr]
                for cell in cells:
                    values[cell.column - 1] = cell.value  # type: ignore[union-attr,operator]
                yield cells[0].row, values  # type: ignore[misc]

        return _table_from(records())
    finally:
        workbook.close()


def read_table(clean: uploads.CleanFile) -> Table:
    if clean.mime == uploads.XLSX:
        return read_xlsx(clean.content)
    text = uploads.decode_text(clean.content)
    if text is None:
        raise ValidationError(_("The file is not a text file."))
    return read_delimited(text)


# --- mapping columns to fields ------------------------------------------------------------


def _normalise_header(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def normalise_key(key: str) -> str:
    """Natural keys compare without case, accents of width, or extra spaces."""
    return " ".join(unicodedata.normalize("NFKC", key).casefold().split())


def _names_of(import_field: ImportField) -> set[str]:
    names = {_normalise_header(import_field.name), *(_normalise_header(alias) for alias in import_field.aliases)}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(_normalise_header(str(import_field.label)))
    names.discard("")
    return names


def propose_mapping(importer: Importer, header: list[str]) -> dict[str, str]:
    """Column index (as a string) -> field name, from the column names and the fields' aliases."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    names = {f.name: _names_of(f) for f in importer.fields}
    for index, title in enumerate(header):
        normalised = _normalise_header(title)
        if not normalised:
            continue
        for import_field in importer.fields:
            if import_field.name not in taken and normalised in names[import_field.name]:
                mapping[str(index)] = import_field.name
                taken.add(import_field.name)
                break
    return mapping


def column_title(header: list[str], index: int) -> str:
    return header[index] if index < len(header) and header[index] else _("Column %(number)s") % {"number": index + 1}


# --- validating staged rows ----------------------------------------------------------------


@dataclass(frozen=True)
class StagedRow:
    number: int
    values: Row
    key: str


@dataclass(frozen=True)
class RowProblem:
    number: int
    messages: tuple[str, ...]


@dataclass
class Preview:
    good: list[StagedRow] = field(default_factory=list)
    bad: list[RowProblem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.good) + len(self.bad)


def mapped_row(importer: Importer, mapping: dict[str, str], cells: list[str]) -> Row:
    row = {f.name: "" for f in importer.fields}
    for index, name in mapping.items():
        position = int(index)
        if name in row and position < len(cells):
            row[name] = cells[position].strip()
    return row


def preview(*, batch: ImportBatch, importer: Importer) -> Preview:
    """Every staged row validated: the good ones with their natural key, the bad ones with their reasons."""
    result = Preview()
    first_row_of: dict[str, int] = {}
    labels = importer.field_labels()
    for number, cells in batch.rows:
        row = mapped_row(importer, batch.mapping, cells)
        messages = [
            _("%(field)s is required.") % {"field": labels[f.name]}
            for f in importer.fields
            if f.required and not row[f.name]
        ]
        key = ""
        if not messages:
            messages = [str(m) for m in importer.validate_row(organisation=batch.organisation, row=row)]
            key = normalise_key(importer.natural_key(row))
            if not key:
                messages.append(_("Nothing in this row identifies the record."))
            elif key in first_row_of:
                messages.append(
                    _("Row %(row)s describes the same record; each record may appear only once.")
                    % {"row": first_row_of[key]}
                )
            else:
                first_row_of[key] = number
        if messages:
            result.bad.append(RowProblem(number=number, messages=tuple(messages)))
        else:
            result.good.append(StagedRow(number=number, values=row, key=key))
    return result


# --- reads ---------------------------------------------------------------------------------


def import_batch_list(*, user: Any, organisation: Any, limit: int = 20) -> QuerySet[ImportBatch]:
    """The organisation's recent imports, for those who may import."""
    if not has_capability(user, organisation.pk, Capability.EDIT):
        return ImportBatch.objects.none()
    batches = ImportBatch.objects.visible_to(user, organisation=organisation)
    return batches.select_related("created_by", "applied_by").order_by("-created_at", "-id")[:limit]


def import_batch_get(*, user: Any, organisation: Any, pk: int) -> ImportBatch | None:
    """One import of the organisation. Its staged rows may be confidential: only the person who
    uploaded them, or someone cleared for confidential records, sees them."""
    batch: ImportBatch | None = (
        ImportBatch.objects.visible_to(user, organisation=organisation)
        .select_related("organisation")
        .filter(pk=pk)
        .first()
    )
    if batch is None:
        return None
    if batch.created_by_id != getattr(user, "pk", None) and not has_capability(
        user, organisation.pk, Capability.VIEW_CONFIDENTIAL
    ):
        return None
    return batch


def import_previous_of(*, batch: ImportBatch) -> ImportBatch | None:
    """An earlier, applied import of the same file, if there is one."""
    return (
        ImportBatch.objects.filter(
            organisation_id=batch.organisation_id,
            kind=batch.kind,
            file_sha256=batch.file_sha256,
            status=ImportBatch.Status.APPLIED,
        )
        .exclude(pk=batch.pk)
        .order_by("-applied_at")
        .first()
    )


# --- writes --------------------------------------------------------------------------------


def _importer_or_error(kind: str) -> Importer:
    importer = get_importer(kind)
    if importer is None:
        raise ValidationError(_("This kind of import is not available."))
    return importer


def _require(actor: Any, organisation: Any, importer: Importer) -> None:
    if not has_capability(actor, organisation.pk, importer.capability):
        raise PermissionDenied(_("You do not have permission to do this."))


def _require_open(batch: ImportBatch) -> None:
    if batch.status not in (ImportBatch.Status.MAPPING, ImportBatch.Status.READY):
        raise ValidationError(_("This import is finished: it was already imported or cancelled."))


@transaction.atomic
def import_upload(*, actor: Any, organisation: Any, kind: str, file_name: str, data: bytes) -> ImportBatch:
    """Read a spreadsheet and stage its rows (encrypted), with a proposed column mapping. Nothing is imported."""
    importer = _importer_or_error(kind)
    _require(actor, organisation, importer)
    clean = uploads.sanitise_upload(data, file_name, allowed=ACCEPTED_TYPES)
    table = read_table(clean)
    batch = ImportBatch(
        organisation=organisation,
        kind=importer.kind,
        status=ImportBatch.Status.MAPPING,
        file_name=uploads.safe_filename(file_name, clean.extension)[:255],
        file_sha256=clean.original_sha256,
        mapping=propose_mapping(importer, table.header),
        created_by=actor,
    )
    batch.header = table.header
    batch.rows = [[number, cells] for number, cells in table.rows]
    # The encrypted JSON fields are validated by their own serialisation, not as text.
    batch.full_clean(exclude=["header", "rows", "results"])
    batch.save()
    audit_record(
        actor=actor,
        action="core.import.uploaded",
        organisation=organisation,
        obj=batch,
        changes={"kind": importer.kind, "rows": len(table.rows), "columns": len(table.header)},
    )
    return batch


@transaction.atomic
def import_set_mapping(*, actor: Any, batch: ImportBatch, mapping: dict[str, str]) -> ImportBatch:
    """Choose which column fills which field ("" ignores a column). Every required field must be mapped."""
    importer = _importer_or_error(batch.kind)
    _require(actor, batch.organisation, importer)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    _require_open(batch)
    labels = importer.field_labels()
    clean: dict[str, str] = {}
    errors: list[str] = []
    for index, name in mapping.items():
        if not name:
            continue
        if name not in labels or not str(index).isdigit() or int(index) >= len(batch.header):
            errors.append(_("Choose a field from the list."))
            continue
        if name in clean.values():
            errors.append(_("%(field)s is chosen for more than one column.") % {"field": labels[name]})
            continue
        clean[str(int(index))] = name
    missing = [labels[f.name] for f in importer.fields if f.required and f.name not in clean.values()]
    if missing:
        errors.append(_("Choose a column for each required field: %(fields)s.") % {"fields": ", ".join(missing)})
    if errors:
        raise ValidationError(list(dict.fromkeys(errors)))
    batch.mapping = clean
    batch.status = ImportBatch.Status.READY
    batch.save(update_fields=["mapping", "status", "updated_at"])
    audit_record(
        actor=actor,
        action="core.import.mapped",
        organisation=batch.organisation,
        obj=batch,
        changes={"fields": sorted(clean.values())},
    )
    return batch


@dataclass
class _Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


def _hash(value: str, *, organisation_id: int, context: str) -> str:
    return crypto.blind_index(value, organisation_id=organisation_id, context=context)


def _apply_one(*, actor: Any, batch: ImportBatch, importer: Importer, staged: StagedRow, outcome: _Outcome) -> None:
    organisation = batch.organisation
    key_hash = _hash(staged.key, organisation_id=organisation.pk, context=f"core.import.key:{importer.kind}")
    row_hash = _hash(
        json.dumps(staged.values, sort_keys=True, ensure_ascii=False),
        organisation_id=organisation.pk,
        context=f"core.import.row:{importer.kind}",
    )
    record = ImportedRecord.objects.filter(organisation=organisation, kind=importer.kind, key_hash=key_hash).first()
    existing = None
    if record is not None:
        existing = importer.get_imported(organisation=organisation, object_id=record.object_id)
    if existing is None:
        existing = importer.find_existing(organisation=organisation, key=staged.key)
    elif record is not None and record.row_hash == row_hash:
        outcome.unchanged += 1
        return
    obj, created = importer.apply_row(actor=actor, organisation=organisation, row=staged.values, existing=existing)
    if created:
        outcome.created += 1
    else:
        outcome.updated += 1
    if record is None:
        record = ImportedRecord(organisation=organisation, kind=importer.kind, key_hash=key_hash)
    record.object_id = str(obj.pk)
    record.row_hash = row_hash
    record.batch = batch
    record.save()


@transaction.atomic
def import_apply(*, actor: Any, batch: ImportBatch, skip_invalid: bool = False) -> ImportBatch:
    """Import the staged rows in one transaction; then erase them and keep the summary.

    With bad rows, nothing is imported unless `skip_invalid` is set, in which case the good rows
    are imported and the bad ones listed. A row that its importer refuses while applying fails the
    whole import, or, with `skip_invalid`, only itself.
    """
    importer = _importer_or_error(batch.kind)
    _require(actor, batch.organisation, importer)
    batch = ImportBatch.objects.select_for_update().select_related("organisation").get(pk=batch.pk)
    _require_open(batch)
    if batch.status != ImportBatch.Status.READY:
        raise ValidationError(_("Choose the columns first."))
    checked = preview(batch=batch, importer=importer)
    if checked.bad and not skip_invalid:
        raise ValidationError(
            _(
                "%(count)s rows have errors, so nothing was imported. Correct the file and upload it again, "
                "or choose to import the good rows and skip the bad ones."
            )
            % {"count": len(checked.bad)}
        )
    if not checked.good:
        raise ValidationError(_("There are no good rows to import."))
    outcome = _Outcome(errors=[{"row": p.number, "messages": list(p.messages)} for p in checked.bad])
    failed_on_apply: list[dict[str, Any]] = []
    for staged in checked.good:
        try:
            with transaction.atomic():
                _apply_one(actor=actor, batch=batch, importer=importer, staged=staged, outcome=outcome)
        except ValidationError as exc:
            failed_on_apply.append({"row": staged.number, "messages": [str(m) for m in exc.messages]})
    if failed_on_apply and not skip_invalid:
        details = "; ".join(
            _("row %(row)s: %(reason)s") % {"row": f["row"], "reason": " ".join(f["messages"])}
            for f in failed_on_apply[:10]
        )
        raise ValidationError(
            _("Nothing was imported, because some rows were refused: %(details)s.") % {"details": details}
        )
    outcome.errors = sorted(outcome.errors + failed_on_apply, key=lambda e: int(e["row"]))
    batch.results = {
        "total": checked.total,
        "created": outcome.created,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "failed": len(outcome.errors),
        "errors": outcome.errors,
    }
    batch.status = ImportBatch.Status.APPLIED
    batch.skip_invalid = skip_invalid
    batch.applied_by = actor
    batch.applied_at = timezone.now()
    batch.rows = []
    batch.save()
    audit_record(
        actor=actor,
        action="core.import.applied",
        organisation=batch.organisation,
        obj=batch,
        changes={
            "kind": importer.kind,
            "created": outcome.created,
            "updated": outcome.updated,
            "unchanged": outcome.unchanged,
            "failed": len(outcome.errors),
            "skip_invalid": skip_invalid,
        },
    )
    return batch


@transaction.atomic
def import_cancel(*, actor: Any, batch: ImportBatch) -> ImportBatch:
    """Give up an import before it is applied; its staged rows are erased."""
    importer = _importer_or_error(batch.kind)
    _require(actor, batch.organisation, importer)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    _require_open(batch)
    batch.status = ImportBatch.Status.CANCELLED
    batch.rows = []
    batch.save(update_fields=["status", "rows", "updated_at"])
    audit_record(actor=actor, action="core.import.cancelled", organisation=batch.organisation, obj=batch)
    return batch


@transaction.atomic
def import_expire_stale(*, now: datetime.datetime | None = None) -> int:
    """Cancel imports left unfinished for longer than STALE_AFTER, erasing their staged rows.

    For a periodic task: staged spreadsheets must not linger in the database.
    """
    cutoff = (now or timezone.now()) - STALE_AFTER
    stale = ImportBatch.objects.select_for_update().filter(
        status__in=[ImportBatch.Status.MAPPING, ImportBatch.Status.READY], updated_at__lt=cutoff
    )
    count = 0
    for batch in stale:
        batch.status = ImportBatch.Status.CANCELLED
        batch.rows = []
        batch.save(update_fields=["status", "rows", "updated_at"])
        audit_record(actor=None, action="core.import.expired", organisation=batch.organisation_id, obj=batch)
        count += 1
    return count
