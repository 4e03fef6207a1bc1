"""Reads of trial monitoring, always through `visible_to`: what the user may not see does not exist.

A plan is visible exactly when its case is. Observations are narrower still: the observer
who wrote one, plan staff and the plan's expert reviewers read it; anyone else gets a 404.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from defensor.cases.models import Case
from defensor.monitoring.access import can_read_observation
from defensor.monitoring.checklist import ChecklistItem, checklist_items
from defensor.monitoring.grading import GradeWarning, warnings_for
from defensor.monitoring.models import (
    FINDING_STRENGTH,
    CalendarFeed,
    Finding,
    FindingValue,
    Hearing,
    MonitoringPlan,
    Observation,
    ObserverAssignment,
    PlanCheck,
    Question,
    Questionnaire,
    TrialGrade,
)
from defensor.monitoring.rules import Rule, evaluate, shipped_rules
from defensor.standards.models import Provision

# ------------------------------------------------------------------ plans


def plan_list(*, user: Any, organisation: Any, status: str = "") -> QuerySet[MonitoringPlan]:
    plans = MonitoringPlan.objects.visible_to(user, organisation=organisation)
    if status:
        plans = plans.filter(status=status)
    return cast(
        "QuerySet[MonitoringPlan]",
        plans.select_related("proceeding__case", "proceeding__body").annotate(hearing_count=Count("hearings")),
    )


def plan_get(*, user: Any, pk: int) -> MonitoringPlan:
    plan = (
        MonitoringPlan.objects.visible_to(user)
        .select_related("proceeding__case", "proceeding__body", "organisation", "notify_court", "notify_ministry")
        .filter(pk=pk)
        .first()
    )
    if plan is None:
        raise Http404
    return plan


def hearing_get(*, user: Any, pk: int) -> Hearing:
    plans = MonitoringPlan.objects.visible_to(user)
    hearing = (
        Hearing.objects.filter(pk=pk, plan__in=plans.values("pk"))
        .select_related("plan__proceeding__case", "court", "prosecutor")
        .first()
    )
    if hearing is None:
        raise Http404
    return hearing


def plan_hearings(*, plan: MonitoringPlan) -> list[Hearing]:
    return list(plan.hearings.select_related("court", "prosecutor").prefetch_related("bench", "defence_counsel"))


def plan_assignments(*, plan: MonitoringPlan) -> list[ObserverAssignment]:
    return list(plan.assignments.select_related("user", "assigned_by").prefetch_related("hearings"))


def plan_observations(*, plan: MonitoringPlan) -> list[Observation]:
    return list(Observation.objects.filter(hearing__plan=plan).select_related("hearing", "observer", "questionnaire"))


def proceedings_for_new_plan(*, user: Any, organisation: Any) -> list[Any]:
    """Proceedings of the cases the user may edit in this organisation."""
    from defensor.cases.access import can_edit_case
    from defensor.cases.models import Proceeding

    cases = Case.objects.visible_to(user, organisation=organisation)
    proceedings = Proceeding.objects.filter(case__in=cases.values("pk")).select_related("case", "body")
    return [p for p in proceedings.order_by("case__reference", "id") if can_edit_case(user, p.case)]


@dataclass
class ChecklistRow:
    item: ChecklistItem
    check: PlanCheck | None

    @property
    def checked(self) -> bool:
        return self.check is not None and self.check.checked


def plan_checklist(*, plan: MonitoringPlan) -> list[ChecklistRow]:
    latest: dict[str, PlanCheck] = {}
    for check in plan.checks.select_related("by").order_by("at", "id"):
        latest[check.item] = check
    return [ChecklistRow(item, latest.get(item.code)) for item in checklist_items()]


# ------------------------------------------------------------------ observers


@dataclass
class AssignedHearing:
    hearing: Hearing
    observation: Observation | None


@dataclass
class MyAssignment:
    assignment: ObserverAssignment
    hearings: list[AssignedHearing] = field(default_factory=list)


def my_assignments(*, user: Any) -> list[MyAssignment]:
    """The user's own open assignments (on plans they can still see), with their hearings."""
    plans = MonitoringPlan.objects.visible_to(user).exclude(status=MonitoringPlan.Status.CANCELLED)
    assignments = (
        ObserverAssignment.objects.filter(user=user, ended_at__isnull=True, plan__in=plans.values("pk"))
        .select_related("plan__proceeding__case", "plan__proceeding__body")
        .prefetch_related("hearings", Prefetch("plan__hearings", queryset=Hearing.objects.select_related("court")))
        .order_by("plan__created_at")
    )
    observations = {o.hearing_id: o for o in Observation.objects.filter(observer=user)}
    result = []
    for assignment in assignments:
        chosen = list(assignment.hearings.all()) or list(assignment.plan.hearings.all())
        chosen.sort(key=lambda h: h.scheduled_start)
        result.append(MyAssignment(assignment, [AssignedHearing(h, observations.get(h.pk)) for h in chosen]))
    return result


def observation_for_observer(*, user: Any, pk: int) -> Observation:
    """The observer's own observation, to fill in; anyone else gets a 404."""
    observation = (
        Observation.objects.visible_to(user)
        .filter(pk=pk, observer_id=getattr(user, "pk", None))
        .select_related("hearing__plan__proceeding__case", "questionnaire")
        .first()
    )
    if observation is None:
        raise Http404
    return observation


def observation_for_reader(*, user: Any, pk: int) -> Observation:
    observation = (
        Observation.objects.visible_to(user)
        .filter(pk=pk)
        .select_related("hearing__plan__proceeding__case", "questionnaire", "observer")
        .first()
    )
    if observation is None or not can_read_observation(user, observation):
        raise Http404
    return observation


def questionnaire_questions(questionnaire: Questionnaire) -> dict[str, Question]:
    return {q.code: q for q in questionnaire.questions.select_related("section")}


# ------------------------------------------------------------------ findings


@dataclass(frozen=True)
class Basis:
    observation_id: int
    hearing_id: int
    hearing: str
    question: str
    value: Any
    rule: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "observation": self.observation_id,
            "hearing": self.hearing_id,
            "hearing_label": self.hearing,
            "question": self.question,
            "value": self.value,
            "rule": self.rule,
        }


@dataclass
class Proposal:
    provision: str
    value: str
    basis: list[Basis] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(FindingValue(self.value).label)


def findings_propose(plan: MonitoringPlan, *, rules: tuple[Rule, ...] | None = None) -> dict[str, Proposal]:
    """Per guarantee code, the strongest finding the rules propose from the plan's submitted
    observations, with the answers (observation, hearing, question, value) behind it."""
    rules = shipped_rules() if rules is None else rules
    observations = Observation.objects.filter(hearing__plan=plan, status=Observation.Status.SUBMITTED).select_related(
        "hearing"
    )
    proposals: dict[str, Proposal] = {}
    for observation in observations.order_by("hearing__scheduled_start", "id"):
        answers = observation.answers or {}
        for rule in rules:
            holds, questions = evaluate(rule.when, answers)
            if not holds:
                continue
            current = proposals.get(rule.provision)
            strength = FINDING_STRENGTH[FindingValue(rule.finding)]
            if current is not None and FINDING_STRENGTH[FindingValue(current.value)] > strength:
                continue
            if current is None or FINDING_STRENGTH[FindingValue(current.value)] < strength:
                current = proposals[rule.provision] = Proposal(rule.provision, rule.finding)
            if rule not in current.rules:
                current.rules.append(rule)
            hearing = observation.hearing
            label = f"{hearing.get_kind_display()} {timezone.localtime(hearing.scheduled_start):%Y-%m-%d}"
            for code in dict.fromkeys(questions):
                current.basis.append(
                    Basis(observation.pk, observation.hearing_id, label, code, answers.get(code), rule.code)
                )
    return proposals


@dataclass
class FindingRow:
    provision: Provision
    proposal: Proposal | None
    finding: Finding | None

    @property
    def confirmed(self) -> bool:
        return self.finding is not None

    @property
    def proposal_changed(self) -> bool:
        """The observations now propose something else than when the expert confirmed."""
        if self.finding is None:
            return False
        return (self.proposal.value if self.proposal else "") != self.finding.proposed_value


def plan_findings(*, plan: MonitoringPlan) -> list[FindingRow]:
    proposals = findings_propose(plan)
    findings = {f.provision.code: f for f in plan.findings.select_related("provision__instrument", "confirmed_by")}
    codes = set(proposals) | set(findings)
    provisions = {p.code: p for p in Provision.objects.filter(code__in=codes).select_related("instrument")}
    rows = [
        FindingRow(provisions[code], proposals.get(code), findings.get(code)) for code in codes if code in provisions
    ]
    rows.sort(key=lambda row: (row.provision.instrument.order, row.provision.order, row.provision.code))
    return rows


def grade_current(*, plan: MonitoringPlan) -> TrialGrade | None:
    return plan.grades.select_related("grader").order_by("-graded_at", "-id").first()


def grade_warnings(plan: MonitoringPlan) -> list[GradeWarning]:
    """Where the current grade and the confirmed findings disagree (empty when ungraded)."""
    grade = grade_current(plan=plan)
    if grade is None or grade.grade == TrialGrade.Grade.UNGRADED:
        return []
    rows = plan_findings(plan=plan)
    confirmed = [row.finding.confirmed_value for row in rows if row.finding is not None]
    unconfirmed = sum(1 for row in rows if row.finding is None)
    return warnings_for(grade=grade, confirmed_values=confirmed, unconfirmed=unconfirmed)


# ------------------------------------------------------------------ dashboard and calendar


def upcoming_hearings(*, user: Any, organisation: Any, days: int = 30) -> list[Hearing]:
    """Hearings of monitored trials in the next `days` days that the user may see, soonest first."""
    now = timezone.now()
    plans = MonitoringPlan.objects.visible_to(user, organisation=organisation).exclude(
        status=MonitoringPlan.Status.CANCELLED
    )
    return list(
        Hearing.objects.filter(
            plan__in=plans.values("pk"),
            scheduled_start__gte=now,
            scheduled_start__lte=now + datetime.timedelta(days=days),
        )
        .select_related("plan__proceeding__case", "court")
        .order_by("scheduled_start")
    )


FEED_PAST_DAYS = 30


def feed_for_token(*, token_hash: str) -> CalendarFeed | None:
    return (
        CalendarFeed.objects.filter(token_hash=token_hash, revoked_at__isnull=True, user__is_active=True)
        .select_related("user")
        .first()
    )


def feed_hearings(*, user: Any) -> list[Hearing]:
    """Hearings for a user's calendar: those they may see, from 30 days ago onwards, in every
    organisation they belong to."""
    since = timezone.now() - datetime.timedelta(days=FEED_PAST_DAYS)
    plans = MonitoringPlan.objects.visible_to(user)
    return list(
        Hearing.objects.filter(plan__in=plans.values("pk"), scheduled_start__gte=since)
        .select_related("plan__proceeding__case", "court")
        .order_by("scheduled_start")
    )


def calendar_feed_of(*, user: Any) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


# ------------------------------------------------------------------ analytics


@dataclass
class AnalyticsRow:
    country: str
    provision: Provision
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def findings_analytics(*, user: Any, organisation: Any, country: str = "") -> list[AnalyticsRow]:
    """Confirmed findings across the visible trials, counted per country and guarantee."""
    plans = MonitoringPlan.objects.visible_to(user, organisation=organisation)
    findings = Finding.objects.filter(plan__in=plans.values("pk"))
    if country:
        findings = findings.filter(plan__proceeding__case__country=country.upper())
    counts: dict[tuple[str, int], dict[str, int]] = defaultdict(dict)
    grouped = findings.values("plan__proceeding__case__country", "provision_id", "confirmed_value").annotate(
        n=Count("id")
    )
    for row in grouped:
        key = (row["plan__proceeding__case__country"], row["provision_id"])
        counts[key][row["confirmed_value"]] = row["n"]
    provisions = Provision.objects.in_bulk({provision_id for _country, provision_id in counts})
    rows = [AnalyticsRow(c, provisions[p], values) for (c, p), values in counts.items()]
    rows.sort(key=lambda r: (r.country, r.provision.instrument_id, r.provision.order, r.provision.code))
    return rows


def analytics_countries(*, user: Any, organisation: Any) -> list[str]:
    plans = MonitoringPlan.objects.visible_to(user, organisation=organisation)
    return sorted(set(plans.values_list("proceeding__case__country", flat=True)))


# ------------------------------------------------------------------ questionnaires


def questionnaire_list(*, organisation: Any) -> QuerySet[Questionnaire]:
    from django.db.models import Q

    return (
        Questionnaire.objects.filter(Q(organisation__isnull=True) | Q(organisation=organisation))
        .annotate(question_count=Count("questions"))
        .order_by("-created_at", "-id")
    )


def questionnaire_get(*, organisation: Any, pk: int) -> Questionnaire:
    questionnaire = questionnaire_list(organisation=organisation).filter(pk=pk).first()
    if questionnaire is None:
        raise Http404
    return questionnaire
