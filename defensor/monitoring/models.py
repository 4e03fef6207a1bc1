"""Trial monitoring: plans on proceedings, hearings, observers, the versioned questionnaire,
observations, findings per guarantee and the grade.

Visibility follows the case: a plan (and everything under it) is visible exactly when its
case is (`Case.objects.visible_to`). Observers' answers, rationales and the notification
letter can endanger people, so they are encrypted at rest. The questionnaire is reference
data: shipped versions belong to no organisation, drafts made in the UI to the organisation
that made them; a published version never changes (`QuestionnaireFrozen`).

A `TrialReport` hangs off `MonitoringPlan` next to `Finding` and `TrialGrade`, one per language,
with every state it was in kept as a `ReportVersion`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from defensor.core.fields import EncryptedJSONField, EncryptedTextField
from defensor.core.languages import localised
from defensor.core.models import OrgOwned, SensitivityField, TimeStamped
from defensor.core.permissions import VisibleQuerySet


class QuestionnaireFrozen(Exception):
    """A published or retired questionnaire version cannot be changed."""


# ------------------------------------------------------------------ plans


class SelectionCriterion(models.TextChoices):
    # The TrialWatch selection criteria (Clooney Foundation for Justice), see the domain notes §3.2.
    VULNERABLE_GROUP = "vulnerable_group", _("The defendant belongs to a vulnerable group")
    RISK = "risk", _("Risk to the defendant and others (for example a chilling effect on expression)")
    TRIBUNAL_AND_LAW = "tribunal_and_law", _("The nature of the tribunal and of the law at issue")
    SCRUTINY_VALUE = "scrutiny_value", _("The value of shining a light on the case")


class PlanQuerySet(VisibleQuerySet):
    def visible_to(self, user: Any, *, organisation: Any = None) -> PlanQuerySet:
        from defensor.cases.models import Case

        plans = self.filter(proceeding__case__in=Case.objects.visible_to(user).values("pk"))
        if organisation is not None:
            plans = plans.filter(organisation_id=getattr(organisation, "pk", organisation))
        return plans  # type: ignore[no-any-return]


class MonitoringPlan(OrgOwned):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class Accreditation(models.TextChoices):
        NOT_REQUESTED = "not_requested", _("Not requested")
        NOT_NEEDED = "not_needed", _("Not needed")
        REQUESTED = "requested", _("Requested")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    proceeding = models.ForeignKey(
        "cases.Proceeding", on_delete=models.PROTECT, related_name="monitoring_plans", verbose_name=_("proceeding")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED)
    selection_criteria = models.JSONField(_("why this trial"), default=list, blank=True)
    selection_note = EncryptedTextField(_("why this trial, in your words"), blank=True)
    partners = models.ManyToManyField(
        "directory.Institution", blank=True, related_name="+", verbose_name=_("partner organisations")
    )
    partners_note = models.TextField(_("other partners"), blank=True)
    accreditation = models.CharField(
        _("accreditation"), max_length=16, choices=Accreditation.choices, default=Accreditation.NOT_REQUESTED
    )
    accreditation_note = EncryptedTextField(_("accreditation notes"), blank=True)
    notify_court = models.ForeignKey(
        "directory.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("court notified"),
    )
    notify_ministry = models.ForeignKey(
        "directory.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ministry notified"),
    )
    notification_language = models.CharField(
        _("language of the notification"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    # The letter as sent (plain text). Names observers: encrypted.
    notification_text = EncryptedTextField(_("notification letter"), blank=True)
    notification_sent_on = models.DateField(_("notification sent on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = PlanQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("monitoring plan")
        verbose_name_plural = _("monitoring plans")

    def __str__(self) -> str:
        return f"{self.proceeding.case.reference} · {self.proceeding}"

    @property
    def case(self) -> Any:
        return self.proceeding.case

    @property
    def selection_criteria_choices(self) -> list[tuple[str, Any]]:
        labels = dict(SelectionCriterion.choices)
        return [(code, labels[code]) for code in self.selection_criteria or [] if code in labels]


class PlanCheck(models.Model):
    """One tick (or untick) of a checklist item: rows are only added, the latest per item counts."""

    plan = models.ForeignKey(MonitoringPlan, on_delete=models.CASCADE, related_name="checks")
    item = models.CharField(_("item"), max_length=60)
    checked = models.BooleanField(_("checked"), default=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.item}={self.checked}"


class Hearing(OrgOwned):
    class Kind(models.TextChoices):
        PRELIMINARY = "preliminary", _("Preliminary")
        DETENTION = "detention", _("Detention")
        TRIAL = "trial", _("Trial")
        VERDICT = "verdict", _("Verdict")
        SENTENCING = "sentencing", _("Sentencing")
        APPEAL = "appeal", _("Appeal")
        OTHER = "other", _("Other")

    class AdjournmentReason(models.TextChoices):
        PROSECUTION_NOT_READY = "prosecution_not_ready", _("Prosecution not ready")
        WITNESS_ABSENT = "witness_absent", _("Witness absent")
        JUDGE_ABSENT = "judge_absent", _("Judge absent")
        DEFENDANT_NOT_BROUGHT = "defendant_not_brought", _("Defendant not brought")
        COUNSEL_ABSENT = "counsel_absent", _("Counsel absent")
        OTHER = "other", _("Other")

    plan = models.ForeignKey(MonitoringPlan, on_delete=models.PROTECT, related_name="hearings")
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.TRIAL)
    scheduled_start = models.DateTimeField(_("scheduled start"), db_index=True)
    actual_start = models.DateTimeField(_("actual start"), null=True, blank=True)
    actual_end = models.DateTimeField(_("actual end"), null=True, blank=True)
    court = models.ForeignKey(
        "directory.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("court"),
    )
    courtroom = models.CharField(_("courtroom"), max_length=100, blank=True)
    bench = models.ManyToManyField("directory.Person", blank=True, related_name="+", verbose_name=_("bench"))
    prosecutor = models.ForeignKey(
        "directory.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("prosecutor"),
    )
    defence_counsel = models.ManyToManyField(
        "directory.Person", blank=True, related_name="+", verbose_name=_("defence counsel")
    )
    adjourned = models.BooleanField(_("adjourned"), default=False)
    adjournment_reason = models.CharField(
        _("reason for the adjournment"), max_length=24, choices=AdjournmentReason.choices, blank=True
    )
    adjournment_note = models.CharField(_("adjournment details"), max_length=300, blank=True)
    next_date = models.DateField(_("next date"), null=True, blank=True)

    class Meta:
        ordering = ["scheduled_start", "id"]
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.scheduled_start:%Y-%m-%d}"


class ObserverAssignment(OrgOwned):
    """A user assigned to a plan, for all its hearings (none chosen) or for the hearings chosen."""

    class Role(models.TextChoices):
        OBSERVER = "observer", _("Observer")
        EXPERT = "expert", _("Expert reviewer")

    plan = models.ForeignKey(MonitoringPlan, on_delete=models.PROTECT, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="monitoring_assignments")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.OBSERVER)
    hearings = models.ManyToManyField(Hearing, blank=True, related_name="assignments", verbose_name=_("hearings"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "user", "role"], condition=Q(ended_at__isnull=True), name="one_open_assignment_per_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    def covers(self, hearing: Hearing) -> bool:
        if hearing.plan_id != self.plan_id or not self.is_active:
            return False
        chosen = {h.pk for h in self.hearings.all()}
        return not chosen or hearing.pk in chosen


# ------------------------------------------------------------------ questionnaire


class AnswerType(models.TextChoices):
    BOOL3 = "bool3", _("Yes / no / unknown")
    CHOICE = "choice", _("Choice")
    NUMBER = "number", _("Number")
    TIME = "time", _("Time")
    DATE = "date", _("Date")
    TEXT = "text", _("Text")


class Part(models.TextChoices):
    FACT = "fact", _("Fact")
    ASSESSMENT = "assessment", _("Observer's assessment")


class Questionnaire(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for the versions shipped with Defensor."),
    )
    label = models.CharField(_("version"), max_length=40)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ru = models.CharField(_("title (Russian)"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("loaded from"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["label"], condition=Q(organisation__isnull=True), name="questionnaire_label_shipped"
            ),
            models.UniqueConstraint(
                fields=["organisation", "label"],
                condition=Q(organisation__isnull=False),
                name="questionnaire_label_per_org",
            ),
        ]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return self.label

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = Questionnaire.objects.filter(pk=self.pk).values("status", "label", "title_en", "title_ru").first()
            if stored and stored["status"] != self.Status.DRAFT:
                content_changed = any(stored[f] != getattr(self, f) for f in ("label", "title_en", "title_ru"))
                back_to_draft = self.status == self.Status.DRAFT
                if content_changed or back_to_draft:
                    raise QuestionnaireFrozen(f"questionnaire {stored['label']} is {stored['status']}")
        super().save(*args, **kwargs)

    @property
    def title(self) -> str:
        return localised(self, "title")

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


def _refuse_if_frozen(questionnaire_id: int | None) -> None:
    if questionnaire_id is None:
        return
    status = Questionnaire.objects.filter(pk=questionnaire_id).values_list("status", flat=True).first()
    if status is not None and status != Questionnaire.Status.DRAFT:
        raise QuestionnaireFrozen(f"questionnaire {questionnaire_id} is {status}")


class Section(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(_("code"), max_length=4)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ru = models.CharField(_("title (Russian)"), max_length=200)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"], name="section_code_per_version")]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        _refuse_if_frozen(self.questionnaire_id)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        _refuse_if_frozen(self.questionnaire_id)
        return super().delete(*args, **kwargs)

    @property
    def title(self) -> str:
        return localised(self, "title")


class Question(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(_("code"), max_length=80)
    text_en = models.CharField(_("question (English)"), max_length=400)
    text_ru = models.CharField(_("question (Russian)"), max_length=400)
    help_en = models.CharField(_("help (English)"), max_length=400, blank=True)
    help_ru = models.CharField(_("help (Russian)"), max_length=400, blank=True)
    answer_type = models.CharField(_("answer type"), max_length=8, choices=AnswerType.choices)
    # [{"code": "refused", "en": "Refused", "ru": "Отказали"}, ...] for choice questions.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    part = models.CharField(_("part"), max_length=10, choices=Part.choices, default=Part.FACT)
    provisions = models.ManyToManyField(
        "standards.Provision", blank=True, related_name="monitoring_questions", verbose_name=_("guarantees")
    )
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["section__order", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"], name="question_code_per_version")]

    def __str__(self) -> str:
        return self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
        _refuse_if_frozen(self.questionnaire_id)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        _refuse_if_frozen(self.questionnaire_id)
        return super().delete(*args, **kwargs)

    @property
    def text(self) -> str:
        return localised(self, "text")

    @property
    def help(self) -> str:
        return localised(self, "help")

    def choice_options(self) -> list[tuple[str, str]]:
        from defensor.core.languages import active_language

        language = active_language()
        return [(c["code"], c.get(language) or c.get("en") or c["code"]) for c in self.choices or []]


def refuse_provision_change_when_frozen(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    """m2m_changed guard: a published question's guarantees are frozen like its other fields."""
    if action in ("pre_add", "pre_remove", "pre_clear") and isinstance(instance, Question):
        _refuse_if_frozen(instance.questionnaire_id)


# ------------------------------------------------------------------ observations


class ObservationQuerySet(VisibleQuerySet):
    def visible_to(self, user: Any, *, organisation: Any = None) -> ObservationQuerySet:
        plans = MonitoringPlan.objects.visible_to(user, organisation=organisation)
        return self.filter(hearing__plan__in=plans.values("pk"))  # type: ignore[no-any-return]


class Observation(OrgOwned):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    hearing = models.ForeignKey(Hearing, on_delete=models.PROTECT, related_name="observations")
    observer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="observations")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="observations")
    # {question code: answer}. Observers' notes can endanger people: encrypted at rest.
    answers: Any = EncryptedJSONField(_("answers"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    current_section = models.CharField(_("current section"), max_length=4, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    last_saved_at = models.DateTimeField(_("last saved"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    objects = ObservationQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["hearing__scheduled_start", "id"]
        constraints = [models.UniqueConstraint(fields=["hearing", "observer"], name="one_observation_per_observer")]

    def __str__(self) -> str:
        return f"{self.hearing} · {self.observer}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class ObservationAmendment(models.Model):
    """A change to a submitted observation: the answers before and after (encrypted), why, who, when."""

    observation = models.ForeignKey(Observation, on_delete=models.PROTECT, related_name="amendments")
    version = models.PositiveIntegerField(_("version"))
    fields = models.JSONField(_("questions changed"), default=list)
    before: Any = EncryptedJSONField(_("answers before"), default=dict, key_owner="organisation_id")
    after: Any = EncryptedJSONField(_("answers after"), default=dict, key_owner="organisation_id")
    reason = EncryptedTextField(_("reason"), key_owner="organisation_id")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["version"]
        constraints = [models.UniqueConstraint(fields=["observation", "version"], name="one_amendment_per_version")]

    def __str__(self) -> str:
        return f"{self.observation_id} v{self.version}"

    @property
    def organisation_id(self) -> int:
        return self.observation.organisation_id


# ------------------------------------------------------------------ findings and grade


class FindingValue(models.TextChoices):
    NO_ISSUE = "no_issue", _("No issue")
    CONCERN = "concern", _("Concern")
    VIOLATION = "violation", _("Violation")
    SERIOUS_VIOLATION = "serious_violation", _("Serious violation")
    UNABLE_TO_ASSESS = "unable_to_assess", _("Unable to assess")


# How strongly a finding weighs when several are proposed for one guarantee.
FINDING_STRENGTH = {
    FindingValue.UNABLE_TO_ASSESS: 0,
    FindingValue.NO_ISSUE: 1,
    FindingValue.CONCERN: 2,
    FindingValue.VIOLATION: 3,
    FindingValue.SERIOUS_VIOLATION: 4,
}


class Finding(OrgOwned):
    plan = models.ForeignKey(MonitoringPlan, on_delete=models.PROTECT, related_name="findings")
    provision = models.ForeignKey("standards.Provision", on_delete=models.PROTECT, related_name="+")
    proposed_value = models.CharField(_("proposed"), max_length=20, choices=FindingValue.choices, blank=True)
    # The answers behind the proposal; they quote observers' answers, so they are encrypted too.
    proposed_basis: Any = EncryptedJSONField(_("basis of the proposal"), default=list, blank=True)
    confirmed_value = models.CharField(_("finding"), max_length=20, choices=FindingValue.choices)
    rationale = EncryptedTextField(_("rationale"), blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed"))

    class Meta:
        ordering = ["provision__instrument__order", "provision__order"]
        constraints = [models.UniqueConstraint(fields=["plan", "provision"], name="one_finding_per_guarantee")]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.provision_id}={self.confirmed_value}"


class Tristate(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Unknown")


class TrialGrade(OrgOwned):
    """A grade given to a plan's trial. Rows are only added: the latest is the grade, the rest its history."""

    class Grade(models.TextChoices):
        A = "A", "A"
        B = "B", "B"
        C = "C", "C"
        D = "D", "D"
        F = "F", "F"
        UNGRADED = "ungraded", _("Ungraded")

    plan = models.ForeignKey(MonitoringPlan, on_delete=models.PROTECT, related_name="grades")
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    serious_violation = models.BooleanField(_("serious violation found"), default=False)
    affected_outcome = models.CharField(
        _("affected the outcome"), max_length=8, choices=Tristate.choices, default=Tristate.UNKNOWN
    )
    significant_harm = models.CharField(
        _("resulted in significant harm"), max_length=8, choices=Tristate.choices, default=Tristate.UNKNOWN
    )
    rationale = EncryptedTextField(_("rationale"))
    grader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    graded_at = models.DateTimeField(_("graded"), auto_now_add=True)

    class Meta:
        ordering = ["-graded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.grade}"


# ------------------------------------------------------------------ calendar feed


class CalendarFeed(TimeStamped):
    """A private iCalendar feed of a user's hearings. Only the SHA-256 of its token is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="one_open_feed_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"feed of {self.user_id}"


# ------------------------------------------------------------------ trial report


class ReportQuerySet(VisibleQuerySet):
    def visible_to(self, user: Any, *, organisation: Any = None) -> ReportQuerySet:
        """Visible when its plan is (so when its case is), and when its own sensitivity allows."""
        plans = MonitoringPlan.objects.visible_to(user, organisation=organisation)
        visible = super().visible_to(user, organisation=organisation)
        return visible.filter(plan__in=plans.values("pk"))  # type: ignore[return-value]


class TrialReport(OrgOwned):
    """The report on a monitored trial, in one language: generated, edited, approved, published.

    `sections` is a list of {key, heading, level, text, notes, generated, edited}: the generator
    fills `generated` and `text`; an editor changes `text` (and `edited` becomes true), and
    regenerating keeps edited texts unless asked to overwrite them. `recommendations` are those
    the report makes ({text, addressee, priority, due_on, made}); publishing turns each into a
    `recommendations.Recommendation` whose source is this report (`made` then holds its id).
    Every state the report was in is kept as a `ReportVersion`: nothing is lost.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    plan = models.ForeignKey(MonitoringPlan, on_delete=models.PROTECT, related_name="reports")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    # The title can carry the defendant's name: encrypted like the sections.
    title = EncryptedTextField(_("title"))
    sections: Any = EncryptedJSONField(_("sections"), default=list, blank=True)
    recommendations: Any = EncryptedJSONField(_("recommendations"), default=list, blank=True)
    sensitivity = SensitivityField()
    dated = models.DateField(_("date of the report"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    generated_at = models.DateTimeField(_("generated"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawal_reason = EncryptedTextField(_("reason for the withdrawal"), blank=True)

    objects = ReportQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["plan", "language"]
        constraints = [models.UniqueConstraint(fields=["plan", "language"], name="one_report_per_plan_and_language")]
        verbose_name = _("trial report")
        verbose_name_plural = _("trial reports")

    def __str__(self) -> str:
        return str(self.title)

    @property
    def case(self) -> Any:
        return self.plan.proceeding.case

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.IN_REVIEW)

    def section(self, key: str) -> dict[str, Any] | None:
        return next((s for s in self.sections or [] if s.get("key") == key), None)


class ReportEvent(models.TextChoices):
    GENERATED = "generated", _("Generated")
    EDITED = "edited", _("Edited")
    SUBMITTED = "submitted", _("Sent for review")
    RETURNED = "returned", _("Back to draft")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ReportVersion(models.Model):
    """One state of a report, kept when it was generated, edited or changed status. Rows are only added."""

    report = models.ForeignKey(TrialReport, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=TrialReport.Status.choices)
    event = models.CharField(_("what happened"), max_length=20, choices=ReportEvent.choices)
    title = EncryptedTextField(_("title"), key_owner="organisation_id")
    sections: Any = EncryptedJSONField(_("sections"), default=list, key_owner="organisation_id")
    recommendations: Any = EncryptedJSONField(_("recommendations"), default=list, key_owner="organisation_id")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.report_id} v{self.version} {self.event}"

    @property
    def organisation_id(self) -> int:
        return self.report.organisation_id
