"""A trial report as a document: the data both `report.typ` (PDF) and `render_report_docx` (DOCX) take,
and the background renderer of both formats.

The title page carries the title, the case and court, the organisation and the date; every
other page has the running header "case reference · date" and "page X of Y"; sources are
footnotes (PDF) or numbered notes (DOCX). Everything that goes in passes through the
source-protection redactor once more, since editors type freely.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from defensor.core.models import RenderJob, Sensitivity
from defensor.core.rendering import jobs
from defensor.core.rendering.docx import DOCX_MIME, render_report_docx
from defensor.core.rendering.labels import document_date
from defensor.core.rendering.pdf import PDF_MIME, REPORT_TEMPLATE, RenderError, render_pdf
from defensor.directory.models import Institution
from defensor.monitoring.models import TrialReport
from defensor.monitoring.reports.protection import redactor_for
from defensor.recommendations.models import Priority

RENDER_KIND = "monitoring.report"
FORMATS = ("pdf", "docx")


def recommendation_line(entry: dict[str, Any], addressees: dict[int, Institution], language: str) -> str:
    """One recommendation as the report prints it: the text, then to whom, how urgent and by when."""
    parts = [entry.get("text", "").strip()]
    addressee = addressees.get(entry.get("addressee") or 0)
    details = []
    if addressee is not None:
        details.append(_("Addressed to: %(addressee)s") % {"addressee": addressee.display_name})
    priorities = dict(Priority.choices)
    if entry.get("priority") in priorities:
        details.append(_("Priority: %(priority)s") % {"priority": str(priorities[entry["priority"]]).lower()})
    if entry.get("due_on"):
        due = datetime.date.fromisoformat(entry["due_on"])
        details.append(_("Response due by %(date)s") % {"date": document_date(due, language)})
    if details:
        parts.append("(" + "; ".join(details) + ")")
    return " ".join(part for part in parts if part)


def addressees_of(report: TrialReport) -> dict[int, Institution]:
    ids = [entry.get("addressee") for entry in report.recommendations or [] if entry.get("addressee")]
    return {institution.pk: institution for institution in Institution.objects.filter(pk__in=ids)}


def marking(report: TrialReport) -> str:
    words = []
    if report.status != TrialReport.Status.PUBLISHED:
        words.append(str(TrialReport.Status(report.status).label))
    if Sensitivity.is_restricted(report.sensitivity):
        words.append(str(Sensitivity(report.sensitivity).label))
    return " · ".join(words)


def report_document(report: TrialReport) -> dict[str, Any]:
    """The report's data for `report.typ` and `render_report_docx`: title page, blocks, footnotes."""
    language = report.language
    with translation.override(language):
        plan = report.plan
        case = plan.proceeding.case
        proceeding = plan.proceeding
        date = document_date(report.dated or timezone.localdate(), language)
        court = str(proceeding.body) if proceeding.body is not None else ""
        subtitle = " · ".join(
            part
            for part in (
                # The title already says it when the defendant is not named.
                _("Trial observation report") if report.title != _("Trial observation report") else "",
                court,
                _("case no. %(number)s") % {"number": proceeding.case_number} if proceeding.case_number else "",
            )
            if part
        )
        blocks: list[dict[str, Any]] = []
        addressees = addressees_of(report)
        for item in report.sections or []:
            blocks.append({"kind": "heading", "level": int(item.get("level", 1)), "text": item.get("heading", "")})
            if item.get("text"):
                blocks.append({"kind": "paragraph", "text": item["text"], "notes": list(item.get("notes") or [])})
            if item.get("key") == "recommendations":
                lines = [recommendation_line(entry, addressees, language) for entry in report.recommendations or []]
                if lines:
                    blocks.append({"kind": "list", "items": lines})
        data = {
            "language": language,
            "title": report.title,
            "subtitle": subtitle,
            "organisation": report.organisation.name,
            "date": date,
            "short_title": case.reference,
            "marking": marking(report),
            "numbered": True,
            "contents": True,
            "blocks": blocks,
        }
        redactor = redactor_for(plan)
        cleaned: dict[str, Any] = redactor.clean(data)
        # The reference, the language code and the marking are the application's, not free text.
        cleaned.update(language=language, short_title=case.reference, marking=data["marking"])
        return cleaned


def report_filename(report: TrialReport, extension: str) -> str:
    reference = report.plan.proceeding.case.reference
    return f"{reference}-trial-report-{report.language}-v{report.version}.{extension}"


def render_trial_report(job: RenderJob, progress: jobs.Progress) -> tuple[bytes, str, str]:
    """The renderer of `monitoring.report` jobs: params {"format": "pdf" | "docx"}."""
    report = jobs.target_of(job)
    if not isinstance(report, TrialReport):
        raise RenderError(_("What this document was for no longer exists, or you may no longer see it."))
    kind = job.params.get("format", "pdf")
    if kind not in FORMATS:
        raise RenderError(_("This document format is not available."))
    progress(0, 2)
    data = report_document(report)
    progress(1, 2)
    if kind == "docx":
        content = render_report_docx(data, language=report.language)
        result = (content, DOCX_MIME, report_filename(report, "docx"))
    else:
        content = render_pdf(REPORT_TEMPLATE, data, language=report.language)
        result = (content, PDF_MIME, report_filename(report, "pdf"))
    progress(2, 2)
    return jobs.Rendered(*result)
