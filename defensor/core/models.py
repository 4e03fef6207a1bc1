"""Base models and the machinery every domain app shares: keys, audit log, ledger."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from defensor.core.fields import EncryptedJSONField, EncryptedTextField
from defensor.core.permissions import VisibleQuerySet


class Sensitivity(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")
    CONFIDENTIAL = "confidential", _("Confidential")
    SECRET = "secret", _("Secret")

    @classmethod
    def rank(cls, value: str) -> int:
        return [c.value for c in cls].index(value)

    @classmethod
    def is_restricted(cls, value: str) -> bool:
        return value in (cls.CONFIDENTIAL, cls.SECRET)


class SensitivityField(models.CharField):  # type: ignore[type-arg]
    """The classification of a record: drives who sees it, encryption, indexing, publishing."""

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("max_length", 16)
        kwargs.setdefault("choices", Sensitivity.choices)
        kwargs.setdefault("default", Sensitivity.INTERNAL)
        kwargs.setdefault("verbose_name", _("sensitivity"))
        super().__init__(*args, **kwargs)


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class OrgOwned(TimeStamped):
    """Base of every domain model: a row belongs to exactly one organisation (the tenant)."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )

    objects = VisibleQuerySet.as_manager()

    class Meta:
        abstract = True


class DataKey(models.Model):
    """A per-organisation data key, stored only wrapped by a master key."""

    class Purpose(models.TextChoices):
        DATA = "data", "data"
        INDEX = "index", "blind index"

    key_id = models.CharField(max_length=16, unique=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(max_length=8, choices=Purpose.choices)
    wrapped_key = models.BinaryField()
    master_key_id = models.CharField(max_length=32)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "purpose"],
                condition=models.Q(active=True, organisation__isnull=False),
                name="one_active_key_per_org_purpose",
            ),
            models.UniqueConstraint(
                fields=["purpose"],
                condition=models.Q(active=True, organisation__isnull=True),
                name="one_active_system_key_per_purpose",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} key {self.key_id}"


class AuditEntry(models.Model):
    """One line of the append-only, hash-chained audit log.

    Entries keep plain ids rather than foreign keys so that nothing — not even a
    deleted user or organisation — ever changes a written entry. They never contain
    secret values: `changes` names changed fields and carries only values that the
    service chose to record.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField(db_index=True)
    organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=36, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not self._state.adding:
            raise PermissionError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError("audit entries are append-only")


class AuditHead(models.Model):
    """The last link of the chain; locked while an entry is appended."""

    seq = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"


class ActivityKind(models.TextChoices):
    LETTER_SENT = "letter_sent", _("Letter sent")
    CAMPAIGN_LAUNCHED = "campaign_launched", _("Campaign launched")
    RESPONSE_RECEIVED = "response_received", _("Response received")
    STATEMENT_PUBLISHED = "statement_published", _("Statement published")
    SOCIAL_MEDIA = "social_media", _("Social-media action")
    HEARING_OBSERVED = "hearing_observed", _("Hearing observed")
    REPORT_PUBLISHED = "report_published", _("Report published")
    SUBMISSION_FILED = "submission_filed", _("Submission filed")
    DECISION_RECEIVED = "decision_received", _("Decision received")
    ADVICE_GIVEN = "advice_given", _("Advice given")
    TRAINING_HELD = "training_held", _("Training held")
    MISSION_MADE = "mission_made", _("Mission made")
    EVENT_HELD = "event_held", _("Event held")
    MEETING_HELD = "meeting_held", _("Meeting held")


class Activity(OrgOwned):
    """One intervention of the organisation, in the ledger that timelines and reports read."""

    kind = models.CharField(_("kind"), max_length=32, choices=ActivityKind.choices, db_index=True)
    occurred_on = models.DateField(_("date"), db_index=True)
    title = EncryptedTextField(_("title"))
    sensitivity = SensitivityField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"


class ActivityLink(models.Model):
    """What an activity concerns: cases, people (by generic reference, as core knows no nouns)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="links")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.activity_id} → {self.content_type_id}:{self.object_id}"


class ImportBatch(OrgOwned):
    """One spreadsheet being imported: staged (encrypted) until the user confirms, then only its summary."""

    class Status(models.TextChoices):
        MAPPING = "mapping", _("Choosing columns")
        READY = "ready", _("Ready to import")
        APPLIED = "applied", _("Imported")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("what is imported"), max_length=64, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.MAPPING)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file fingerprint"), max_length=64, db_index=True)
    # The spreadsheet holds personal data: its header and rows are encrypted, and the rows are
    # erased once the import is applied or cancelled. Rows are [spreadsheet row number, [cells]].
    header: Any = EncryptedJSONField(_("header"), default=list, blank=True)
    rows: Any = EncryptedJSONField(_("rows"), default=list, blank=True)
    # Column index (as a string) -> field name of the importer.
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    # Counts (created, updated, unchanged, failed) and the errors of the rows, by row number.
    results: Any = EncryptedJSONField(_("results"), default=dict, blank=True)
    skip_invalid = models.BooleanField(_("bad rows skipped"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name}"


class ImportedRecord(OrgOwned):
    """Which record a spreadsheet row became, so that importing the same row again updates or skips it.

    The natural key of the row (an email, a name and a date…) is kept only as a keyed hash
    (`crypto.blind_index`), and so is the row's content, to tell an unchanged row from an edited one.
    """

    kind = models.CharField(max_length=64)
    key_hash = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64, blank=True)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind", "key_hash"], name="one_imported_record_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.object_id}"


# ---- rendering: background document jobs (defensor.core.rendering) ----


def render_file_name(instance: RenderJob, filename: str) -> str:
    """`<organisation id>/renders/<random>`: the first segment picks the organisation's data key."""
    import secrets

    return f"{instance.organisation_id}/renders/{secrets.token_hex(16)}"


class RenderJob(OrgOwned):
    """A document rendered in the background (a trial report, a batch of letters), its progress and its file.

    The file is kept in the encrypted default storage under a random name; its download name,
    the parameters and any message may name people, so they are encrypted too.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("In progress")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        ERASED = "erased", _("Erased")  # its file deleted at the end of a retention period

    kind = models.CharField(_("kind of document"), max_length=64, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    params: Any = EncryptedJSONField(_("parameters"), default=dict, blank=True)
    message = EncryptedTextField(_("message"), blank=True)
    file = models.FileField(_("file"), upload_to=render_file_name, max_length=255, blank=True)
    mime = models.CharField(_("file type"), max_length=100, blank=True)
    filename = EncryptedTextField(_("file name"), blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("rendered document")
        verbose_name_plural = _("rendered documents")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)


# ---- end of rendering ----
