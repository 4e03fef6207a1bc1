"""The generator of a trial report's sections, from the plan's data, in the report's language.

The structure follows the domain notes (§3.4): executive summary with the grade, mandate and
method, background, charges and applicable law, procedural history, observations hearing by
hearing, analysis per guarantee (standard, facts, finding), conclusions, recommendations,
annexes. Each section is {key, heading, level, text, notes}: plain text that staff then edit,
and the sources it cites (footnotes).

What it leaves out, on purpose: observers are "Observer 1", "Observer 2" (never named);
observers' own assessments inform the analysis but are not quoted (only the factual part of
the questionnaire is); people's contacts and security notes, anonymous sources and
subjects without consent to publish their name never appear (see `protection`, which also
runs over everything generated).
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from defensor.cases.models import Document, Event, Source
from defensor.core.models import Sensitivity
from defensor.core.rendering.labels import document_date
from defensor.monitoring.answers import display_answer
from defensor.monitoring.grading import GRADING_SCALE
from defensor.monitoring.models import (
    Finding,
    FindingValue,
    Hearing,
    MonitoringPlan,
    Observation,
    Part,
    Question,
    SelectionCriterion,
    TrialGrade,
)
from defensor.monitoring.reports.protection import Redactor, defendant_label, redactor_for

OPEN_LEVELS = (Sensitivity.PUBLIC, Sensitivity.INTERNAL)

# Questionnaire sections whose facts describe a hearing (A is about the observer, L and M are
# context and narrative, handled apart).
HEARING_SECTIONS = ("B", "C", "D", "E", "F", "G", "H", "I", "J", "K")
# Facts that would name people (the bench, the parties, counsel, diplomats) or repeat what the
# report says elsewhere: never quoted from the questionnaire.
NEVER_QUOTED = {
    "B.case_number",
    "B.court_name",
    "B.judges",
    "B.prosecutor",
    "B.defence_counsel",
    "B.defendants",
    "B.charges",
    "B.hearing_type",
    "C.diplomats_present",
    "M.notable_quotes",
    "M.documents_obtained",
}
# Free-text facts that describe what happened rather than who was there: quoted.
QUOTED_TEXT = {
    "D.absence_reason",
    "C.closure_legal_basis",
    "C.refusal_reason",
    "C.recording_restrictions",
    "H.defence_motions_made",
    "H.counterbalancing_measures",
    "I.recusal_decision",
    "K.sentence",
    "M.narrative_chronology",
}
CONTEXT_QUESTIONS = ("L.political_context", "L.link_to_professional_activity", "L.prior_reprisals")

SECTION_ORDER = (
    "summary",
    "mandate",
    "background",
    "charges",
    "history",
    "observations",
    "analysis",
    "conclusions",
    "recommendations",
    "annexes",
)


def section(key: str, heading: str, text: str, *, level: int = 1, notes: list[str] | None = None) -> dict[str, Any]:
    return {"key": key, "heading": heading, "level": level, "text": text.strip(), "notes": notes or []}


def quotable(question: Question) -> bool:
    """Whether an answer to this question may appear in a report (facts only, no names)."""
    if question.part != Part.FACT or question.code in NEVER_QUOTED:
        return False
    if question.answer_type == "text":
        return question.code in QUOTED_TEXT
    return True


def answer_sentence(question: Question, value: Any) -> str:
    """An answer as a sentence: "Was the hearing open to the public? No." """
    answer = display_answer(question, value).strip()
    text = question.text.strip()
    if text.endswith("?"):
        return f"{text} {answer}" + ("" if answer.endswith((".", "!", "?")) else ".")
    return f"{text}: {answer}" + ("" if answer.endswith((".", "!", "?")) else ".")


@dataclass
class Material:
    """What the generator reads, loaded once."""

    plan: MonitoringPlan
    language: str
    hearings: list[Hearing]
    observations: list[Observation]
    questions: dict[tuple[int, str], Question]
    observer_numbers: dict[int, int]
    findings: list[Finding]
    grade: TrialGrade | None
    defendant: str
    named: bool
    redactor: Redactor
    organisation: str
    hearing_dates: dict[int, str] = field(default_factory=dict)

    @property
    def case(self) -> Any:
        return self.plan.proceeding.case

    def date(self, value: datetime.date | datetime.datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime.datetime):
            value = timezone.localtime(value).date()
        return document_date(value, self.language)

    def observer(self, user_id: int) -> str:
        return _("Observer %(number)s") % {"number": self.observer_numbers.get(user_id, 0)}

    def question(self, observation: Observation, code: str) -> Question | None:
        return self.questions.get((observation.questionnaire_id, code))

    def source_note(self, hearing_id: int) -> str:
        return _("Observation of the hearing of %(date)s") % {"date": self.hearing_dates.get(hearing_id, "")}


def load(plan: MonitoringPlan, language: str) -> Material:
    hearings = list(plan.hearings.select_related("court"))
    observations = list(
        Observation.objects.filter(hearing__plan=plan, status=Observation.Status.SUBMITTED)
        .select_related("hearing", "questionnaire")
        .order_by("hearing__scheduled_start", "id")
    )
    questionnaire_ids = {o.questionnaire_id for o in observations}
    questions = {
        (q.questionnaire_id, q.code): q
        for q in Question.objects.filter(questionnaire_id__in=questionnaire_ids).select_related("section")
    }
    numbers: dict[int, int] = {}
    for observation in observations:
        numbers.setdefault(observation.observer_id, len(numbers) + 1)
    defendant, named = defendant_label(plan.proceeding.case)
    material = Material(
        plan=plan,
        language=language,
        hearings=hearings,
        observations=observations,
        questions=questions,
        observer_numbers=numbers,
        findings=list(plan.findings.select_related("provision__instrument")),
        grade=plan.grades.order_by("-graded_at", "-id").first(),
        defendant=defendant,
        named=named,
        redactor=redactor_for(plan),
        organisation=plan.organisation.name,
    )
    material.hearing_dates = {h.pk: material.date(h.scheduled_start) for h in hearings}
    return material


# ------------------------------------------------------------------ sections


def _court(material: Material) -> str:
    body = material.plan.proceeding.body
    return str(body) if body is not None else _("the court")


def _finding_counts(material: Material) -> Counter[str]:
    return Counter(f.confirmed_value for f in material.findings)


def _findings_sentence(material: Material) -> str:
    counts = _finding_counts(material)
    parts = []
    for value in (FindingValue.SERIOUS_VIOLATION, FindingValue.VIOLATION, FindingValue.CONCERN, FindingValue.NO_ISSUE):
        if counts[value]:
            codes = ", ".join(f.provision.code for f in material.findings if f.confirmed_value == value)
            parts.append(f"{FindingValue(value).label}: {counts[value]} ({codes})")
    if not parts:
        return _("No finding has been confirmed yet.")
    return _("Findings confirmed by the expert, per guarantee: %(list)s.") % {"list": "; ".join(parts)}


def _grade_sentences(material: Material) -> str:
    grade = material.grade
    if grade is None:
        return _("The trial has not been graded.")
    meanings = dict(GRADING_SCALE)
    lines = [
        _("Grade: %(grade)s. %(meaning)s")
        % {"grade": grade.get_grade_display(), "meaning": meanings.get(grade.grade, "")},
    ]
    flags = []
    if grade.serious_violation:
        flags.append(_("a serious violation was found"))
    if grade.affected_outcome == "yes":
        flags.append(_("the violations affected the outcome"))
    if grade.significant_harm == "yes":
        flags.append(_("the violations resulted in significant harm"))
    if flags:
        lines.append(_("The expert noted that %(flags)s.") % {"flags": "; ".join(flags)})
    return " ".join(lines)


def summary(material: Material) -> dict[str, Any]:
    proceeding = material.plan.proceeding
    observed_ids = {o.hearing_id for o in material.observations}
    dates = sorted(h.scheduled_start for h in material.hearings if h.pk in observed_ids)
    observed = len(dates)
    first = _("%(organisation)s monitored the %(kind)s proceedings against %(defendant)s before %(court)s") % {
        "organisation": material.organisation,
        "kind": proceeding.get_kind_display().lower(),
        "defendant": material.defendant,
        "court": _court(material),
    }
    if proceeding.case_number:
        first += " " + _("(case no. %(number)s)") % {"number": proceeding.case_number}
    first += "."
    if observed:
        first += " " + ngettext(
            "Its observers attended %(count)s hearing, on %(first)s.",
            "Its observers attended %(count)s hearings, from %(first)s to %(last)s.",
            observed,
        ) % {"count": observed, "first": material.date(dates[0]), "last": material.date(dates[-1])}
    text = "\n\n".join([first, _grade_sentences(material), _findings_sentence(material)])
    return section("summary", _("Executive summary"), text)


def mandate(material: Material) -> dict[str, Any]:
    plan = material.plan
    labels = dict(SelectionCriterion.choices)
    paragraphs = [
        _("%(organisation)s decided to monitor this trial for the following reasons: %(reasons)s.")
        % {
            "organisation": material.organisation,
            "reasons": "; ".join(str(labels[c]).lower() for c in plan.selection_criteria if c in labels)
            or _("the risk the proceedings pose to the defendant"),
        }
    ]
    observers = len(material.observer_numbers)
    if observers:
        paragraphs.append(
            ngettext(
                "One observer attended the hearings and recorded what they saw in a structured questionnaire. "
                "To protect them, this report does not name them: they are Observer 1.",
                "%(count)s observers attended the hearings and recorded what they saw in a structured "
                "questionnaire. To protect them, this report does not name them: they are Observer 1 to "
                "Observer %(count)s.",
                observers,
            )
            % {"count": observers}
        )
    paragraphs.append(
        _("Accreditation: %(status)s.") % {"status": str(plan.get_accreditation_display()).lower()}
        + (
            " "
            + _("The authorities were notified of the observation on %(date)s.")
            % {"date": material.date(plan.notification_sent_on)}
            if plan.notification_sent_on
            else ""
        )
    )
    paragraphs.append(
        _(
            "The observers' answers were checked against international fair-trial standards: rules proposed a "
            "finding for each guarantee concerned, and an expert confirmed or changed each one, giving reasons. "
            "The observers' own assessments informed that analysis; only the facts they recorded are reported."
        )
    )
    scale = "\n".join(
        f"{letter if letter != 'ungraded' else _('Ungraded')}: {meaning}" for letter, meaning in GRADING_SCALE
    )
    paragraphs.append(
        _("The trial was graded on this scale (grading scale adapted from published practice; wording to be verified):")
        + "\n"
        + scale
    )
    return section("mandate", _("Mandate and method"), "\n\n".join(paragraphs))


def _context_answers(material: Material) -> list[str]:
    found: dict[str, str] = {}
    for observation in reversed(material.observations):
        for code in CONTEXT_QUESTIONS:
            value = (observation.answers or {}).get(code)
            question = material.question(observation, code)
            if value and question is not None and question.part == Part.FACT and code not in found:
                found[code] = f"{question.text}\n{value}"
    return [found[code] for code in CONTEXT_QUESTIONS if code in found]


def background(material: Material) -> dict[str, Any]:
    case = material.case
    publication = getattr(case, "publication", None)
    summary_text = publication.public_summary.strip() if publication is not None else ""
    paragraphs = [summary_text or (case.summary or "").strip()]
    paragraphs += _context_answers(material)
    paragraphs = [p for p in paragraphs if p]
    if not paragraphs:
        paragraphs = [_("Describe the political context, the defendant's profile and the link to their work.")]
    return section("background", _("Background"), "\n\n".join(paragraphs))


def charges(material: Material) -> dict[str, Any]:
    lines = []
    for charge in material.plan.proceeding.charges.all():
        line = charge.article + (f": {charge.text}" if charge.text else "")
        if charge.max_penalty:
            line += " " + _("(maximum penalty: %(penalty)s)") % {"penalty": charge.max_penalty}
        lines.append(line + ".")
    text = "\n".join(lines) if lines else _("The charges are not recorded.")
    standards = [f"{f.provision.code}: {f.provision.title}" for f in material.findings]
    if standards:
        text += "\n\n" + _("International standards applied:") + "\n" + "\n".join(standards)
    return section("charges", _("Charges and applicable law"), text)


def _source_note(source: Source, material: Material) -> str:
    if source.anonymous:
        return _("A source who asked not to be named.")
    if source.document is not None and Sensitivity.rank(source.document.sensitivity) <= Sensitivity.rank("internal"):
        return str(source.document.title)
    if source.description:
        return source.description
    return _("Information on file with %(organisation)s.") % {"organisation": material.organisation}


def history(material: Material) -> dict[str, Any]:
    proceeding = material.plan.proceeding
    entries: list[tuple[datetime.date, str]] = []
    notes: list[str] = []
    if proceeding.started_on:
        entries.append((proceeding.started_on, _("The proceedings opened.")))
    events = (
        Event.objects.filter(case=material.case, sensitivity__in=OPEN_LEVELS)
        .exclude(verification=Event.Verification.DISPUTED)
        .prefetch_related("sources__document")
        .order_by("occurred_on", "id")
    )
    for event in events:
        entries.append((event.occurred_on, f"{event.title}."))
        for source in event.sources.all():
            note = _source_note(source, material)
            if note not in notes:
                notes.append(note)
    for hearing in material.hearings:
        line = _("%(kind)s hearing.") % {"kind": hearing.get_kind_display()}
        if hearing.adjourned:
            line += " " + _("Adjourned (%(reason)s).") % {
                "reason": str(hearing.get_adjournment_reason_display()).lower()
            }
            if hearing.next_date:
                line += " " + _("Next hearing on %(date)s.") % {"date": material.date(hearing.next_date)}
        entries.append((timezone.localtime(hearing.scheduled_start).date(), line))
    if proceeding.outcome != proceeding.Outcome.PENDING:
        outcome = _("Outcome: %(outcome)s.") % {"outcome": str(proceeding.get_outcome_display()).lower()}
        if proceeding.sentence:
            outcome += " " + _("Sentence: %(sentence)s.") % {"sentence": proceeding.sentence}
        last = max((day for day, _line in entries), default=timezone.localdate())
        entries.append((proceeding.ended_on or last, outcome))
    entries.sort(key=lambda entry: entry[0])
    text = "\n".join(f"{material.date(day)}: {line}" for day, line in entries)
    return section("history", _("Procedural history"), text or _("No step is recorded yet."), notes=notes)


def hearing_section(material: Material, hearing: Hearing) -> dict[str, Any]:
    details = [
        _("%(kind)s hearing before %(court)s%(room)s, scheduled for %(time)s.")
        % {
            "kind": hearing.get_kind_display(),
            "court": hearing.court or _court(material),
            "room": (", " + _("courtroom %(room)s") % {"room": hearing.courtroom}) if hearing.courtroom else "",
            "time": timezone.localtime(hearing.scheduled_start).strftime("%H:%M"),
        }
    ]
    if hearing.actual_start:
        details.append(
            _("It started at %(time)s.") % {"time": timezone.localtime(hearing.actual_start).strftime("%H:%M")}
        )
    if hearing.adjourned:
        details.append(
            _("It was adjourned (%(reason)s).") % {"reason": str(hearing.get_adjournment_reason_display()).lower()}
        )
    paragraphs = [" ".join(details)]
    observations = [o for o in material.observations if o.hearing_id == hearing.pk]
    for observation in observations:
        lines = []
        answers = observation.answers or {}
        for code, value in answers.items():
            question = material.question(observation, code)
            if question is None or question.section.code not in (*HEARING_SECTIONS, "M"):
                continue
            if not quotable(question) or value in (None, "", "unknown"):
                continue
            lines.append((question.section.order, question.order, answer_sentence(question, value)))
        lines.sort()
        heading = _("%(observer)s recorded:") % {"observer": material.observer(observation.observer_id)}
        paragraphs.append(heading + "\n" + "\n".join(line for _s, _o, line in lines))
    if not observations:
        paragraphs.append(_("No observation of this hearing was submitted."))
    title = _("Hearing of %(date)s") % {"date": material.hearing_dates[hearing.pk]}
    notes = [material.source_note(hearing.pk)] if observations else []
    return section(f"hearing:{hearing.pk}", title, "\n\n".join(paragraphs), level=2, notes=notes)


def observations(material: Material) -> list[dict[str, Any]]:
    intro = _(
        "What the observers saw at each hearing, as they recorded it. Only facts are reported; the observers' "
        "own assessments are not quoted."
    )
    result = [section("observations", _("Observations, hearing by hearing"), intro)]
    result += [hearing_section(material, hearing) for hearing in material.hearings]
    return result


def _basis_facts(material: Material, finding: Finding) -> tuple[list[str], list[str]]:
    by_id = {o.pk: o for o in material.observations}
    facts: list[str] = []
    notes: list[str] = []
    seen: set[tuple[int, str]] = set()
    for basis in finding.proposed_basis or []:
        observation = by_id.get(basis.get("observation"))
        if observation is None or (observation.pk, basis.get("question")) in seen:
            continue
        seen.add((observation.pk, basis.get("question")))
        question = material.question(observation, basis.get("question", ""))
        if question is None or not quotable(question):
            continue
        facts.append(
            _("At the hearing of %(date)s, %(observer)s recorded: %(answer)s")
            % {
                "date": material.hearing_dates.get(observation.hearing_id, ""),
                "observer": material.observer(observation.observer_id),
                "answer": answer_sentence(question, basis.get("value")),
            }
        )
        note = material.source_note(observation.hearing_id)
        if note not in notes:
            notes.append(note)
    return facts, notes


def finding_section(material: Material, finding: Finding) -> dict[str, Any]:
    provision = finding.provision
    facts, notes = _basis_facts(material, finding)
    finding_text = f"{FindingValue(finding.confirmed_value).label}."
    if finding.rationale:
        finding_text += " " + finding.rationale.strip()
    text = "\n\n".join(
        [
            _("The standard") + ". " + provision.paraphrase,
            _("The facts")
            + ". "
            + (
                "\n".join(facts)
                if facts
                else _("No single answer of the observers bears on this guarantee; see the finding.")
            ),
            _("The finding") + ". " + finding_text,
        ]
    )
    return section(f"finding:{provision.code}", f"{provision.code} · {provision.title}", text, level=2, notes=notes)


def analysis(material: Material) -> list[dict[str, Any]]:
    intro = _(
        "For each guarantee on which a finding was confirmed: the standard, the facts the observers recorded, "
        "and the expert's finding with its reasons."
    )
    result = [section("analysis", _("Analysis per guarantee"), intro)]
    result += [finding_section(material, finding) for finding in material.findings]
    return result


def conclusions(material: Material) -> dict[str, Any]:
    paragraphs = [_grade_sentences(material), _findings_sentence(material)]
    if material.grade is not None and material.grade.rationale:
        paragraphs.append(material.grade.rationale.strip())
    return section("conclusions", _("Conclusions"), "\n\n".join(paragraphs))


def recommendations() -> dict[str, Any]:
    return section("recommendations", _("Recommendations"), _("We make the following recommendations."))


def annexes(material: Material) -> dict[str, Any]:
    documents = (
        Document.objects.filter(case=material.case, sensitivity__in=OPEN_LEVELS)
        .exclude(kind__in=(Document.Kind.STATEMENT, Document.Kind.PHOTO))
        .order_by("document_date", "created_at")
    )
    anonymous_documents = set(
        Source.objects.filter(event__case=material.case, anonymous=True, document__isnull=False).values_list(
            "document_id", flat=True
        )
    )
    lines = []
    for document in documents:
        if document.pk in anonymous_documents:
            continue
        line = str(document.title)
        if document.document_date:
            line += f" ({material.date(document.document_date)})"
        lines.append(line)
    return section("annexes", _("Annexes"), "\n".join(lines) or _("No annex."))


def report_title(material: Material) -> str:
    if material.named or material.defendant != _("the defendant"):
        return _("The trial of %(defendant)s") % {"defendant": material.defendant}
    return _("Trial observation report")


def build(plan: MonitoringPlan, language: str) -> tuple[str, list[dict[str, Any]]]:
    """The title and sections of a report on `plan` in `language`, every text already redacted."""
    with translation.override(language):
        material = load(plan, language)
        sections = [
            summary(material),
            mandate(material),
            background(material),
            charges(material),
            history(material),
            *observations(material),
            *analysis(material),
            conclusions(material),
            recommendations(),
            annexes(material),
        ]
        redactor = material.redactor
        for item in sections:
            item["heading"] = redactor.replace(item["heading"])
            item["text"] = redactor.replace(item["text"])
            item["notes"] = [redactor.replace(note) for note in item["notes"]]
        return redactor.replace(report_title(material)), sections
