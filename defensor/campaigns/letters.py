"""The letters of a campaign: merge fields, the live preview, and rendering them (PDF through Typst, DOCX).

A letter template is plain text with merge fields in double braces (`{{ salutation }}`). The
merge is a plain substitution of the known fields: no template engine ever sees what staff
typed, so a template cannot reach anything but the values listed in `MERGE_FIELDS`.

Two modes (Campaign.mode): a joint letter per target, signed by the organisation(s), with the
confirmed signatories who agreed to have their name on the letter in an annex; or one letter per
signatory to each target. Rendering runs as a core RenderJob of kind "campaigns.letters" and
produces a ZIP of merged PDFs of at most `LETTERS_PER_PDF` letters each (and, in joint mode,
one Word document per target).
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from defensor.campaigns.models import Campaign, CampaignPartner, LetterTemplate, Signature, Target
from defensor.core.iso import country_name
from defensor.core.languages import LANGUAGES
from defensor.core.models import RenderJob
from defensor.core.rendering import jobs
from defensor.core.rendering.docx import render_report_docx
from defensor.core.rendering.pdf import RenderError, merge_pdfs, render_many

LETTER_TEMPLATE = Path(__file__).resolve().parent / "typst" / "letter.typ"
ZIP_MIME = "application/zip"
RENDER_KIND = "campaigns.letters"
# Letters per merged PDF in the download, and per Typst compilation.
LETTERS_PER_PDF = 5000
COMPILE_CHUNK = 100

MERGE_FIELDS: dict[str, Any] = {
    "target": _("the addressee: person, office and institution"),
    "salutation": _("the salutation of the addressee, in the letter's language"),
    "case_facts": _("the facts of the campaign's cases that may be published"),
    "date": _("the date of the letter"),
    "signatory": _("the signatory (in joint letters: the organisation)"),
    "co_signing_organisations": _("the organisations that sign together"),
    "organisation": _("the lead organisation"),
}
_FIELD = re.compile(r"\{\{\s*(.*?)\s*\}\}", re.DOTALL)


# ---- merge fields ----


def template_fields(text: str) -> list[str]:
    """The names of the merge fields used in `text`, in order of appearance."""
    return [match.group(1) for match in _FIELD.finditer(text)]


def _braced(name: str) -> str:
    return "{{ " + name + " }}"


def template_errors(text: str) -> list[str]:
    """What is wrong with the merge fields of `text`, as messages for the editor (empty when fine)."""
    problems = []
    unknown = [name for name in template_fields(text) if name not in MERGE_FIELDS]
    if unknown:
        problems.append(
            gettext("Unknown merge fields: %(fields)s. Use only: %(known)s.")
            % {
                "fields": ", ".join(_braced(name) for name in dict.fromkeys(unknown)),
                "known": ", ".join(_braced(name) for name in MERGE_FIELDS),
            }
        )
    stripped = _FIELD.sub("", text)
    if "{{" in stripped or "}}" in stripped:
        problems.append(gettext("A merge field is not closed: write it as {{ name }}."))
    return problems


def validate_template_text(text: str, *, field: str) -> None:
    problems = template_errors(text)
    if problems:
        raise ValidationError({field: problems})


def merge(text: str, values: dict[str, str]) -> str:
    """`text` with each known merge field replaced by its value; values are never re-read as fields."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        return values.get(name, match.group(0)) if name in MERGE_FIELDS else match.group(0)

    return _FIELD.sub(substitute, text)


# ---- the values of the fields ----


def target_lines(target: Target) -> list[str]:
    """The address block of a target: the person, the office, the institution, its postal address."""
    lines = []
    if target.person_id:
        lines.append(target.person.display_name)  # type: ignore[union-attr]
    if target.position:
        lines.append(target.position)
    lines.append(target.institution.display_name)
    lines.extend(line.strip() for line in target.postal_address.splitlines() if line.strip())
    return lines


def target_label(target: Target) -> str:
    parts = []
    if target.person_id:
        parts.append(target.person.display_name)  # type: ignore[union-attr]
    if target.position:
        parts.append(target.position)
    parts.append(target.institution.display_name)
    return ", ".join(parts)


def case_facts(campaign: Campaign) -> str:
    """What the campaign's cases may say in public: only what their publication settings allow.

    A case without publication settings contributes nothing; its name is the pseudonym unless
    the real name may be published (consent is enforced when the settings are saved).
    """
    from defensor.cases.models import CasePublication

    blocks = []
    publications = CasePublication.objects.filter(case__in=campaign.cases.all()).select_related("case")
    for publication in publications.order_by("case__opened_on", "case_id"):
        case = publication.case
        name = publication.pseudonym
        if publication.use_real_name:
            subject = case.subjects.select_related("person").first()
            if subject is not None:
                name = subject.person.display_name
        facts = [name]
        if "country" in publication.fields and case.country:
            facts.append(country_name(case.country))
        text = ", ".join(facts)
        if publication.public_summary:
            text = f"{text}: {publication.public_summary}"
        blocks.append(text)
    return "\n\n".join(blocks)


def coalition_names(campaign: Campaign) -> list[str]:
    """The lead organisation, the accepted partners, then the co-signing organisations outside Defensor."""
    names = [campaign.organisation.name]
    partners = campaign.partners.filter(status=CampaignPartner.Status.ACCEPTED).select_related("partner")
    names.extend(p.partner.name for p in partners.order_by("decided_at", "id"))
    names.extend(str(name).strip() for name in campaign.co_signing_organisations or [] if str(name).strip())
    return names


def letter_date(day: datetime.date, language: str) -> str:
    with translation.override(language):
        return str(formats.date_format(day, "DATE_FORMAT"))


@dataclass(frozen=True)
class Signatory:
    name: str
    profession: str
    bar_association: str
    country: str

    @classmethod
    def of(cls, signature: Signature) -> Signatory:
        return cls(
            name=signature.name,
            profession=str(signature.get_profession_display()) if signature.profession else "",
            bar_association=signature.bar_association,
            country=country_name(signature.country) if signature.country else "",
        )

    def as_row(self) -> list[str]:
        return [self.name, self.profession, self.bar_association, self.country]


def letter_signatures(campaign: Campaign) -> Iterator[Signature]:
    """Confirmed signatures whose signers agreed to have their name on the letter, oldest first."""
    return (
        Signature.objects.filter(campaign=campaign, status=Signature.Status.CONFIRMED, consent_letter=True)
        .order_by("confirmed_at", "id")
        .iterator(chunk_size=2000)
    )


class LetterContext:
    """The values of the merge fields for one campaign, computed once and reused for every letter."""

    def __init__(self, campaign: Campaign, *, on: datetime.date | None = None) -> None:
        self.campaign = campaign
        self.day = on or timezone.localdate()
        self.facts = case_facts(campaign)
        self.coalition = coalition_names(campaign)

    def values(self, target: Target, language: str, signatory: str | None = None) -> dict[str, str]:
        return {
            "target": target_label(target),
            "salutation": target.salutation,
            "case_facts": self.facts,
            "date": letter_date(self.day, language),
            "signatory": signatory if signatory is not None else self.campaign.organisation.name,
            "co_signing_organisations": ", ".join(self.coalition),
            "organisation": self.campaign.organisation.name,
        }


def template_for(campaign: Campaign, language: str, kind: str = LetterTemplate.Kind.LETTER) -> LetterTemplate | None:
    """The template of `kind` in `language`, else in English, else any language."""
    templates = {t.language: t for t in campaign.templates.filter(kind=kind)}
    return templates.get(language) or templates.get("en") or next(iter(templates.values()), None)


def preview(
    *, campaign: Campaign, subject: str, body: str, language: str, sample_signatory: str | None = None
) -> dict[str, Any]:
    """The letter as the first target would receive it, for the editor's live preview."""
    target = campaign.targets.filter(active=True).select_related("institution", "person").first()
    context = LetterContext(campaign)
    if target is None:
        # No addressee yet: the fields that depend on one show their names.
        values = {
            "target": f"[{gettext('addressee')}]",
            "salutation": f"[{gettext('salutation')}]",
            "case_facts": context.facts,
            "date": letter_date(context.day, language),
            "signatory": sample_signatory or campaign.organisation.name,
            "co_signing_organisations": ", ".join(context.coalition),
            "organisation": campaign.organisation.name,
        }
    else:
        signatory = sample_signatory
        if signatory is None and campaign.mode == Campaign.Mode.PER_SIGNATORY:
            signatory = gettext("Anna Example")
        values = context.values(target, language, signatory)
    return {
        "target": target,
        "subject": merge(subject, values),
        "body": merge(body, values),
        "errors": template_errors(subject) + template_errors(body),
    }


# ---- rendering ----


def _letter_item(
    campaign: Campaign,
    template: LetterTemplate,
    target: Target,
    values: dict[str, str],
    *,
    signatory: Signatory | None = None,
    annex: list[list[str]] | None = None,
) -> dict[str, Any]:
    language = template.language
    with translation.override(language):
        item: dict[str, Any] = {
            "language": language,
            "sender": {"name": campaign.organisation.name, "lines": []},
            "recipient": target_lines(target),
            "date": values["date"],
            "subject": merge(template.subject, values),
            "body": merge(template.body, values),
            "signature": {"name": values["signatory"]},
        }
        if signatory is not None:
            item["signature"]["lines"] = [
                line for line in (signatory.profession, signatory.bar_association, signatory.country) if line
            ]
        if annex is not None:
            item["annex"] = {
                "title": gettext("Signatories"),
                "count": ngettext(
                    "%(count)d person signed this letter.", "%(count)d people signed this letter.", len(annex)
                )
                % {"count": len(annex)},
                "columns": [gettext("Name"), gettext("Profession"), gettext("Bar association"), gettext("Country")],
                "rows": annex,
            }
    return item


def _docx(item: dict[str, Any]) -> bytes:
    blocks: list[dict[str, Any]] = [
        {"kind": "paragraph", "text": "\n".join(item["recipient"])},
        {"kind": "paragraph", "text": item["date"]},
        {"kind": "paragraph", "text": item["body"]},
        {"kind": "paragraph", "text": item["signature"]["name"]},
    ]
    annex = item.get("annex")
    if annex:
        blocks.append({"kind": "heading", "level": 1, "text": annex["title"]})
        blocks.append({"kind": "list", "items": [", ".join(v for v in row if v) for row in annex["rows"]]})
    data = {"title": item["subject"], "organisation": item["sender"]["name"], "language": item["language"]}
    data["blocks"] = blocks
    return render_report_docx(data, language=item["language"])


class _Parts:
    """Collects compiled chunks into merged PDFs of at most LETTERS_PER_PDF letters."""

    def __init__(self, stem: str) -> None:
        self.stem = stem
        self.files: list[tuple[str, bytes]] = []
        self.pending: list[bytes] = []
        self.pending_letters = 0

    def add(self, pdf: bytes, letters: int) -> None:
        if self.pending_letters + letters > LETTERS_PER_PDF and self.pending:
            self.flush()
        self.pending.append(pdf)
        self.pending_letters += letters

    def flush(self) -> None:
        if self.pending:
            number = len(self.files) + 1
            self.files.append((f"{self.stem}-{number:03d}.pdf", merge_pdfs(self.pending)))
            self.pending, self.pending_letters = [], 0


def _chunks(items: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def render_letters(job: RenderJob, progress: jobs.Progress) -> tuple[bytes, str, str]:
    """The renderer of "campaigns.letters": a ZIP of merged PDFs (and DOCX per target in joint mode)."""
    campaign = jobs.target_of(job)
    if not isinstance(campaign, Campaign):
        raise RenderError(gettext("What this document was for no longer exists, or you may no longer see it."))
    kind = job.params.get("kind") or LetterTemplate.Kind.LETTER
    targets = list(campaign.targets.filter(active=True).select_related("institution", "person"))
    if not targets:
        raise RenderError(gettext("Add at least one target before producing the letters."))
    templates = {target.pk: template_for(campaign, target.language, kind) for target in targets}
    if any(template is None for template in templates.values()):
        raise RenderError(gettext("Write the letter template before producing the letters."))
    context = LetterContext(campaign)
    signatories = [Signatory.of(signature) for signature in letter_signatures(campaign)]
    stem = slugify(campaign.slug) or "letters"
    parts = _Parts(f"{stem}-letters")
    documents: list[tuple[str, bytes]] = []
    if campaign.mode == Campaign.Mode.PER_SIGNATORY:
        if not signatories:
            raise RenderError(gettext("No confirmed signatory has agreed to have their name on the letter yet."))
        total = len(targets) * len(signatories)
    else:
        total = len(targets)
    done = 0
    progress(0, total)
    annex = [s.as_row() for s in signatories]
    for target in targets:
        template = templates[target.pk]
        assert template is not None
        language = template.language
        if campaign.mode == Campaign.Mode.PER_SIGNATORY:
            items: Iterable[dict[str, Any]] = (
                _letter_item(
                    campaign,
                    template,
                    target,
                    context.values(target, language, signatory.name),
                    signatory=signatory,
                )
                for signatory in signatories
            )
        else:
            item = _letter_item(campaign, template, target, context.values(target, language), annex=annex)
            documents.append((f"{stem}-{target.pk}-{slugify(target.institution.display_name)[:40]}.docx", _docx(item)))
            items = [item]
        for batch in _chunks(items, COMPILE_CHUNK):
            for pdf in render_many(LETTER_TEMPLATE, batch, chunk=len(batch), language=language):
                parts.add(pdf, len(batch))
            done += len(batch)
            progress(done, total)
    parts.flush()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.files + documents:
            archive.writestr(name, content)
    return buffer.getvalue(), ZIP_MIME, f"{stem}-letters.zip"


def render_letter_pdf(campaign: Campaign, target: Target, kind: str = LetterTemplate.Kind.LETTER) -> bytes:
    """The joint letter to one target as a PDF (with the annex of signatories): what delivery by email attaches."""
    template = template_for(campaign, target.language, kind)
    if template is None:
        raise ValidationError(gettext("Write the letter template before sending the letters."))
    context = LetterContext(campaign)
    values = context.values(target, template.language)
    annex = [Signatory.of(s).as_row() for s in letter_signatures(campaign)]
    item = _letter_item(campaign, template, target, values, annex=annex if kind == LetterTemplate.Kind.LETTER else None)
    return merge_pdfs(render_many(LETTER_TEMPLATE, [item], chunk=1, language=template.language))


def letter_subject(campaign: Campaign, target: Target, kind: str = LetterTemplate.Kind.LETTER) -> str:
    template = template_for(campaign, target.language, kind)
    if template is None:
        return campaign.title
    return merge(template.subject, LetterContext(campaign).values(target, template.language))


def languages() -> tuple[str, ...]:
    return LANGUAGES
