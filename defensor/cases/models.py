"""The dossier: a case of a person (or group) at risk, its timeline, proceedings and documents.

Access (see `CaseQuerySet.visible_to`): public and internal cases are visible to the
organisation's members who may view; confidential and secret cases only to the people
on their access list (the lead included). Administrators are not exempt. A case shared
with a partner organisation is visible there too, and only that case.

Free text that can name or locate someone (titles, summaries, descriptions, extracted
document text) is encrypted at rest; what lists sort and filter on (country, status,
risk, dates) is not.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from defensor.core.fields import EncryptedTextField
from defensor.core.models import OrgOwned, Sensitivity, SensitivityField, TimeStamped
from defensor.core.permissions import Capability, VisibleQuerySet, grants_for

OPEN_LEVELS = (Sensitivity.PUBLIC, Sensitivity.INTERNAL)


class Programme(models.TextChoices):
    TRIAL_MONITORING = "trial_monitoring", _("Trial monitoring")
    LETTERS = "letters", _("Letter-writing")
    MISSIONS = "missions", _("Fact-finding and need-assessment missions")
    LEGAL_ASSISTANCE = "legal_assistance", _("Legal assistance and UN petitions")
    ADVOCACY = "advocacy", _("Advocacy")
    TRAINING = "training", _("Training and mentorship")
    EMERGENCY = "emergency", _("Emergency support")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Exact day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class CaseQuerySet(VisibleQuerySet):
    def visible_to(self, user: Any, *, organisation: Any = None) -> CaseQuerySet:
        grants = grants_for(user)
        viewable = {org_id: g for org_id, g in grants.items() if g.allows(Capability.VIEW)}
        if not viewable:
            return self.none()  # type: ignore[return-value]
        on_access_list = Exists(CaseAccess.objects.filter(case=OuterRef("pk"), user=user, revoked_at__isnull=True))
        condition: Any = Q()
        for org_id in viewable:
            if organisation is not None and org_id != getattr(organisation, "pk", organisation):
                continue
            condition |= Q(organisation_id=org_id) & (Q(sensitivity__in=OPEN_LEVELS) | Q(lead=user) | on_access_list)
            # Cases another organisation shared with this one: open ones for every member who
            # may view, restricted ones only for those who may see confidential records.
            share = CaseShare.objects.filter(case=OuterRef("pk"), partner_id=org_id, revoked_at__isnull=True)
            if viewable[org_id].allows(Capability.VIEW_CONFIDENTIAL):
                condition |= Exists(share)
            else:
                condition |= Exists(share) & Q(sensitivity__in=OPEN_LEVELS)
        if not condition:
            return self.none()  # type: ignore[return-value]
        return self.filter(condition)  # type: ignore[return-value]


class Case(OrgOwned):
    class Status(models.TextChoices):
        # Codes of the handling_status vocabulary; kept as choices so lists filter without joins.
        INTAKE = "intake", _("Intake")
        VERIFICATION = "verification", _("Verification")
        REJECTED = "rejected", _("Rejected")
        ACTIVE = "active", _("Active")
        MONITORING = "monitoring", _("Monitoring")
        DORMANT = "dormant", _("Dormant")
        CLOSED_RESOLVED = "closed_resolved", _("Closed – resolved")
        CLOSED_UNRESOLVED = "closed_unresolved", _("Closed – unresolved")
        CLOSED_BY_REQUEST = "closed_by_request", _("Closed at the client's request")
        ARCHIVED = "archived", _("Archived")

    class Risk(models.TextChoices):
        IMMINENT = "imminent", _("Imminent")
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")
        UNKNOWN = "unknown", _("Unknown")

    RISK_ORDER = {"imminent": 0, "high": 1, "medium": 2, "low": 3, "unknown": 4}
    CLOSED = (Status.CLOSED_RESOLVED, Status.CLOSED_UNRESOLVED, Status.CLOSED_BY_REQUEST, Status.ARCHIVED)

    reference = models.CharField(_("reference"), max_length=32)
    title = EncryptedTextField(_("title"))
    summary = EncryptedTextField(_("summary"), blank=True)
    country = models.CharField(_("country"), max_length=2, db_index=True)
    status = models.CharField(_("handling status"), max_length=24, choices=Status.choices, default=Status.INTAKE)
    risk_level = models.CharField(_("risk level"), max_length=12, choices=Risk.choices, default=Risk.UNKNOWN)
    sensitivity = SensitivityField()
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases_led", verbose_name=_("lead")
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    related = models.ManyToManyField("self", blank=True, symmetrical=True, verbose_name=_("related cases"))

    objects = CaseQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "reference"], name="case_reference_per_org")]
        indexes = [models.Index(fields=["organisation", "status", "risk_level"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_restricted(self) -> bool:
        return Sensitivity.is_restricted(self.sensitivity)

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED


class CaseProgramme(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="programmes")
    programme = models.CharField(_("programme"), max_length=24, choices=Programme.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "programme"], name="case_programme_once")]

    def __str__(self) -> str:
        return self.get_programme_display()


class CaseSubject(TimeStamped):
    class Role(models.TextChoices):
        LAWYER_AT_RISK = "lawyer_at_risk", _("Lawyer at risk")
        DEFENDER_AT_RISK = "defender_at_risk", _("Human rights defender at risk")
        CLIENT = "client", _("Client of the lawyer")
        FAMILY = "family", _("Family member")
        COLLEAGUE = "colleague", _("Colleague")
        OTHER = "other", _("Other")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="subjects")
    person = models.ForeignKey("directory.Person", on_delete=models.PROTECT, related_name="case_roles")
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, default=Role.LAWYER_AT_RISK)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["case", "person", "role"], name="case_subject_once")]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class RiskAssessment(models.Model):
    """The dated history of a case's risk level: who assessed it, and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_assessments")
    level = models.CharField(_("risk level"), max_length=12, choices=Case.Risk.choices)
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = EncryptedTextField(_("reason"), key_owner="organisation_id")

    class Meta:
        ordering = ["-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.case} {self.level} {self.assessed_on}"

    @property
    def organisation_id(self) -> int:
        return self.case.organisation_id


class CaseAccess(models.Model):
    """The need-to-know list of a case. A revocation keeps the row (and its history)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="access")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_access")
    can_edit = models.BooleanField(_("may edit"), default=False)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"], condition=Q(revoked_at__isnull=True), name="one_open_access_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.case}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class CaseShare(models.Model):
    """One case shared with a partner organisation on the same deployment, on a recorded basis."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    partner = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    can_edit = models.BooleanField(_("partner may edit"), default=False)
    consent = models.ForeignKey("directory.Consent", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    override_reason = EncryptedTextField(_("reason for sharing without recorded consent"), blank=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "partner"], condition=Q(revoked_at__isnull=True), name="one_open_share_per_partner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} → {self.partner}"

    @property
    def organisation_id(self) -> int:
        return self.case.organisation_id


class CasePublication(models.Model):
    """What a public case page may show. Nothing identifying is published without consent."""

    PUBLISHABLE_FIELDS = ("summary", "country", "status", "events", "proceedings", "photo")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="publication")
    pseudonym = models.CharField(_("pseudonym"), max_length=200)
    use_real_name = models.BooleanField(_("publish the real name"), default=False)
    fields = models.JSONField(_("fields that may be published"), default=list, blank=True)
    public_summary = models.TextField(_("public summary"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.case} publication"


class Event(OrgOwned):
    """One thing that happened, on the case timeline (HURIDOCS: an event with its acts)."""

    class Category(models.TextChoices):
        REPRISAL = "reprisal", _("Reprisal")
        PROCEDURAL = "procedural", _("Procedural step")
        OTHER = "other", _("Other")

    class Verification(models.TextChoices):
        ALLEGED = "alleged", _("Alleged")
        VERIFIED = "verified", _("Verified")
        DISPUTED = "disputed", _("Disputed")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    category = models.CharField(_("category"), max_length=12, choices=Category.choices, default=Category.REPRISAL)
    event_type = models.ForeignKey(
        "standards.Term",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("type"),
    )
    title = EncryptedTextField(_("title"))
    description = EncryptedTextField(_("description"), blank=True)
    occurred_on = models.DateField(_("date"), db_index=True)
    precision = models.CharField(_("precision"), max_length=6, choices=DatePrecision.choices, default="day")
    approximate = models.BooleanField(_("approximate"), default=False)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    place = EncryptedTextField(_("place"), blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    verification = models.CharField(
        _("verification"), max_length=10, choices=Verification.choices, default=Verification.ALLEGED
    )
    sensitivity = SensitivityField()
    provisions = models.ManyToManyField(
        "standards.Provision", blank=True, related_name="case_events", verbose_name=_("provisions engaged")
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.case} {self.occurred_on}"


class Perpetrator(models.Model):
    class Involvement(models.TextChoices):
        # HURIDOCS MT18 degrees of involvement.
        CARRIED_OUT = "carried_out", _("Directly carried out")
        ORDERED = "ordered", _("Gave orders")
        ACCOMPLICE = "accomplice", _("Passive accomplice")
        PRESENT = "present", _("Present")
        PLANNED = "planned", _("Planned")
        SUSPECTED = "suspected", _("Suspected")
        FAILED_TO_PROTECT = "failed_to_protect", _("Failed to protect or act")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="perpetrators")
    institution = models.ForeignKey(
        "directory.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey("directory.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    perpetrator_type = models.ForeignKey(
        "standards.Term", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    involvement = models.CharField(
        _("involvement"), max_length=20, choices=Involvement.choices, default=Involvement.CARRIED_OUT
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(institution__isnull=False) | Q(person__isnull=False) | Q(perpetrator_type__isnull=False),
                name="perpetrator_names_someone",
            )
        ]

    def __str__(self) -> str:
        if self.institution or self.person:
            return str(self.institution or self.person)
        return self.perpetrator_type.label if self.perpetrator_type else ""


class Source(models.Model):
    """Where a fact comes from. An anonymous source is never named outside the case team."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sources")
    document = models.ForeignKey("cases.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("directory.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    description = EncryptedTextField(_("description"), blank=True, key_owner="organisation_id")
    reliability = models.ForeignKey("standards.Term", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    anonymous = models.BooleanField(_("asked not to be named"), default=False)

    def __str__(self) -> str:
        return str(self.document or self.person or _("source"))

    @property
    def organisation_id(self) -> int:
        return self.event.organisation_id


class Proceeding(OrgOwned):
    class Kind(models.TextChoices):
        CRIMINAL = "criminal", _("Criminal")
        DISCIPLINARY = "disciplinary", _("Disciplinary")
        ADMINISTRATIVE = "administrative", _("Administrative")
        CIVIL = "civil", _("Civil")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        CONVICTED = "convicted", _("Convicted")
        ACQUITTED = "acquitted", _("Acquitted")
        DISMISSED = "dismissed", _("Dismissed")
        SANCTIONED = "sanctioned", _("Sanctioned")
        CLEARED = "cleared", _("Cleared")
        SETTLED = "settled", _("Settled")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="proceedings")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CRIMINAL)
    body = models.ForeignKey(
        "directory.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("court or body"),
    )
    case_number = models.CharField(_("case number"), max_length=100, blank=True)
    stage = models.ForeignKey(
        "standards.Term", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("stage")
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    next_hearing_on = models.DateField(_("next hearing"), null=True, blank=True, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    sentence = models.CharField(_("sentence"), max_length=300, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    judges = models.ManyToManyField("directory.Person", blank=True, related_name="+", verbose_name=_("judges"))
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
    notes = EncryptedTextField(_("notes"), blank=True)

    class Meta:
        ordering = ["started_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case_number}".strip()


class Charge(models.Model):
    proceeding = models.ForeignKey(Proceeding, on_delete=models.CASCADE, related_name="charges")
    article = models.CharField(_("article of the code"), max_length=100)
    text = models.TextField(_("text of the article"), blank=True)
    max_penalty = models.CharField(_("maximum penalty"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.article


def document_upload_to(instance: Document, filename: str) -> str:
    # The first segment selects the organisation's data key (see core.storage); the
    # random part keeps names unguessable and the original name out of the path.
    import secrets

    return f"{instance.organisation_id}/cases/{secrets.token_hex(16)}"


class Document(OrgOwned):
    class Kind(models.TextChoices):
        COURT = "court", _("Court document")
        LETTER = "letter", _("Letter")
        STATEMENT = "statement", _("Statement or testimony")
        MEDIA = "media", _("Media report")
        PHOTO = "photo", _("Photo")
        REPORT = "report", _("Report")
        OTHER = "other", _("Other")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    title = EncryptedTextField(_("title"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.OTHER)
    file = models.FileField(upload_to=document_upload_to, max_length=200)
    original_name = EncryptedTextField(_("original file name"))
    mime = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    original_sha256 = models.CharField(max_length=64)
    stripped = models.JSONField(default=list, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    document_date = models.DateField(_("date of the document"), null=True, blank=True)
    source = EncryptedTextField(_("source"), blank=True)
    sensitivity = SensitivityField()
    text = EncryptedTextField(_("extracted text"), blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(self.title)
