"""The import pages: upload, choose the columns, preview, import; and the list of recent imports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from defensor.core import imports
from defensor.core.decorators import capability_required
from defensor.core.models import ImportBatch
from defensor.core.permissions import Capability, has_capability

BAD_ROWS_SHOWN = 500
SAMPLE_VALUES = 3


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What to import"))
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet"),
        help_text=gettext_lazy(
            "CSV or Excel (XLSX). The first row holds the column names; only the first sheet is read."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt,.tsv"}),
    )

    def __init__(self, *args: Any, importers: list[imports.Importer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [(i.kind, i.label) for i in importers]


class ImportMappingForm(forms.Form):
    """One choice per column of the spreadsheet: the field it fills, or nothing."""

    def __init__(self, *args: Any, batch: ImportBatch, importer: imports.Importer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = [("", _("— ignore this column —"))]
        for import_field in importer.fields:
            label = str(import_field.label)
            choices.append(
                (import_field.name, _("%(field)s (required)") % {"field": label} if import_field.required else label)
            )
        self.columns: list[tuple[int, str]] = []
        for index, _title in enumerate(batch.header):
            samples = [cells[index] for _n, cells in batch.rows if index < len(cells) and cells[index]][:SAMPLE_VALUES]
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(
                label=imports.column_title(batch.header, index),
                choices=choices,
                required=False,
                initial=batch.mapping.get(str(index), ""),
                help_text=(
                    _("For example: %(values)s") % {"values": ", ".join(v[:40] for v in samples)}
                    if samples
                    else _("This column is empty.")
                ),
            )
            self.columns.append((index, name))

    def mapping(self) -> dict[str, str]:
        return {str(index): self.cleaned_data.get(name) or "" for index, name in self.columns}


def _batch_and_importer(request: HttpRequest, pk: int) -> tuple[ImportBatch, imports.Importer]:
    organisation = request.organisation  # type: ignore[attr-defined]
    batch = imports.import_batch_get(user=request.user, organisation=organisation, pk=pk)
    if batch is None:
        raise Http404
    importer = imports.get_importer(batch.kind)
    if importer is None:
        raise Http404
    if not has_capability(request.user, organisation.pk, importer.capability):
        raise PermissionDenied
    return batch, importer


def _is_open(batch: ImportBatch) -> bool:
    return batch.status in (ImportBatch.Status.MAPPING, ImportBatch.Status.READY)


@capability_required(Capability.EDIT)
def import_start(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    importers = imports.importers_for(user=request.user, organisation=organisation)
    form = ImportUploadForm(request.POST or None, request.FILES or None, importers=importers)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        # Read one byte past the limit: enough to refuse an oversize file without reading all of it.
        data = upload.read(int(settings.UPLOAD_MAX_BYTES) + 1)
        try:
            batch = imports.import_upload(
                actor=request.user,
                organisation=organisation,
                kind=form.cleaned_data["kind"],
                file_name=upload.name or "",
                data=data,
            )
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        else:
            messages.success(
                request,
                _("%(count)s rows read. Check which column fills which field.") % {"count": len(batch.rows)},
            )
            return redirect("core:import_mapping", pk=batch.pk)
    context = {
        "form": form,
        "importers": importers,
        "batches": [
            (batch, imports.label_of(batch.kind))
            for batch in imports.import_batch_list(user=request.user, organisation=organisation)
        ],
        "max_rows": imports.MAX_ROWS,
    }
    return render(request, "core/imports/start.html", context, status=400 if form.errors else 200)


@capability_required(Capability.EDIT)
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    batch, importer = _batch_and_importer(request, pk)
    if not _is_open(batch):
        return redirect("core:import_detail", pk=batch.pk)
    form = ImportMappingForm(request.POST or None, batch=batch, importer=importer)
    if request.method == "POST" and form.is_valid():
        try:
            imports.import_set_mapping(actor=request.user, batch=batch, mapping=form.mapping())
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return redirect("core:import_preview", pk=batch.pk)
    context = {"batch": batch, "importer": importer, "form": form}
    return render(request, "core/imports/mapping.html", context, status=400 if form.errors else 200)


def _render_preview(
    request: HttpRequest,
    batch: ImportBatch,
    importer: imports.Importer,
    *,
    errors: list[str] | None = None,
    skip_invalid: bool = False,
    status: int = 200,
) -> HttpResponse:
    checked = imports.preview(batch=batch, importer=importer)
    mapped = set(batch.mapping.values())
    columns = [f for f in importer.fields if f.name in mapped]
    good_rows = [
        (row.number, [row.values[f.name] for f in columns]) for row in checked.good[: imports.PREVIEW_GOOD_ROWS]
    ]
    context = {
        "batch": batch,
        "importer": importer,
        "preview": checked,
        "columns": columns,
        "good_rows": good_rows,
        "good_count": len(checked.good),
        "bad_rows": checked.bad[:BAD_ROWS_SHOWN],
        "bad_hidden": max(0, len(checked.bad) - BAD_ROWS_SHOWN),
        "previous": imports.import_previous_of(batch=batch),
        "errors": errors or [],
        "skip_invalid": skip_invalid,
    }
    return render(request, "core/imports/preview.html", context, status=status)


@capability_required(Capability.EDIT)
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    batch, importer = _batch_and_importer(request, pk)
    if batch.status == ImportBatch.Status.MAPPING:
        return redirect("core:import_mapping", pk=batch.pk)
    if not _is_open(batch):
        return redirect("core:import_detail", pk=batch.pk)
    return _render_preview(request, batch, importer)


@require_POST
@capability_required(Capability.EDIT)
def import_apply(request: HttpRequest, pk: int) -> HttpResponse:
    batch, importer = _batch_and_importer(request, pk)
    if not _is_open(batch):
        messages.info(request, _("This import is finished: it was already imported or cancelled."))
        return redirect("core:import_detail", pk=batch.pk)
    if batch.status == ImportBatch.Status.MAPPING:
        return redirect("core:import_mapping", pk=batch.pk)
    skip_invalid = request.POST.get("skip_invalid") == "1"
    try:
        batch = imports.import_apply(actor=request.user, batch=batch, skip_invalid=skip_invalid)
    except ValidationError as exc:
        return _render_preview(request, batch, importer, errors=exc.messages, skip_invalid=skip_invalid, status=400)
    results = batch.results
    messages.success(
        request,
        _("Import finished: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(failed)s skipped.")
        % {key: results.get(key, 0) for key in ("created", "updated", "unchanged", "failed")},
    )
    return redirect("core:import_detail", pk=batch.pk)


@require_POST
@capability_required(Capability.EDIT)
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    batch, _importer = _batch_and_importer(request, pk)
    if not _is_open(batch):
        messages.info(request, _("This import is finished: it was already imported or cancelled."))
        return redirect("core:import_detail", pk=batch.pk)
    imports.import_cancel(actor=request.user, batch=batch)
    messages.success(request, _("Import cancelled. The rows read from the file were erased."))
    return redirect("core:import_start")


@capability_required(Capability.EDIT)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch, importer = _batch_and_importer(request, pk)
    results = batch.results or {}
    context = {
        "batch": batch,
        "importer": importer,
        "results": results,
        "errors": results.get("errors", [])[:BAD_ROWS_SHOWN],
        "is_open": _is_open(batch),
    }
    return render(request, "core/imports/detail.html", context)
