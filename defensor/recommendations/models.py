"""The lobbying loop: report → recommendation → follow-up → implemented.

A `Recommendation` is made by a report (a trial report, a mission report, a UN opinion…)
or entered by hand, and asks an addressee institution to do something by a date. Each
`FollowUp` records what the organisation did about it (a letter, a meeting, a
statement…) and how far the addressee has implemented it on that date.

Visibility (`RecommendationQuerySet.visible_to`): as for every organisation-owned row
(members who may view; confidential and secret ones only for those who may see
confidential records), and further: a recommendation tied to a case exists only for
those who may see that case, and one addressed to an institution exists only for those
who may see that institution.

The text of a recommendation and what was done about it (a follow-up's description, which
can name the people met) are encrypted at rest like all free text of the organisation; a
published report shows the text because its author chose to publish it.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from defensor.core import iso
from defensor.core.fields import EncryptedTextField
from defensor.core.models import OrgOwned, Sensitivity, SensitivityField
from defensor.core.permissions import VisibleQuerySet

# A reminder is sent this many days before the due date (and once when it has passed).
REMINDER_DAYS_BEFORE = 30


class Priority(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


PRIORITY_ORDER = {Priority.HIGH: 0, Priority.MEDIUM: 1, Priority.LOW: 2}


class ImplementationStatus(models.TextChoices):
    NOT_IMPLEMENTED = "not_implemented", _("Not implemented")
    PARTIALLY = "partially", _("Partially implemented")
    FULLY = "fully", _("Fully implemented")
    UNKNOWN = "unknown", _("Unknown")


class ActionKind(models.TextChoices):
    LETTER = "letter", _("Letter")
    MEETING = "meeting", _("Meeting")
    STATEMENT = "statement", _("Statement")
    SUBMISSION = "submission", _("Submission")
    PUBLICATION = "publication", _("Publication")
    OTHER = "other", _("Other")


class RecommendationQuerySet(VisibleQuerySet):
    def visible_to(self, user: Any, *, organisation: Any = None) -> RecommendationQuerySet:
        from defensor.cases.models import Case
        from defensor.directory.models import Institution

        visible = super().visible_to(user, organisation=organisation)
        if not visible.query.is_empty():
            visible = visible.filter(
                Q(case__isnull=True) | Q(case__in=Case.objects.visible_to(user).values("pk")),
                addressee__in=Institution.objects.visible_to(user).values("pk"),
            )
        return visible  # type: ignore[return-value]

    def with_followups(self) -> RecommendationQuerySet:
        """Annotate `has_followup`: whether any follow-up was recorded."""
        return self.annotate(has_followup=Exists(FollowUp.objects.filter(recommendation=OuterRef("pk"))))  # type: ignore[return-value]

    def overdue(self, today: datetime.date) -> RecommendationQuerySet:
        """The recommendations overdue on `today` (see `Recommendation`)."""
        return self.filter(Recommendation.overdue_condition(today))  # type: ignore[return-value]

    def open(self) -> RecommendationQuerySet:
        return self.exclude(status=ImplementationStatus.FULLY)  # type: ignore[return-value]


class Recommendation(OrgOwned):
    """One recommendation to one addressee, and where it stands.

    Overdue, precisely: a recommendation is overdue on a day D when it has a due date
    (`due_on`, the date a first response is due), that date is before D, and no
    follow-up of any kind has been recorded for it. A follow-up can only be dated on
    or after the day the recommendation was made (`made_on`), so "no follow-up" means
    "nothing done since it was made". Any follow-up — a letter, a meeting, even one
    that finds it not implemented — takes it off the overdue list for good: from then
    on its `status` (the implementation status of its latest follow-up) tells where it
    stands. "Fully implemented" closes it: it is no longer open, and no reminder is
    sent for it.

    Reminders (`services.reminders_send`) go to the `owner` while a recommendation is
    open and has no follow-up: one when the due date is `REMINDER_DAYS_BEFORE` days
    away or less, one when it has passed. The day each was sent is kept so that none
    is sent twice; changing the due date starts both over.
    """

    source_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("source type"),
    )
    source_id = models.CharField(_("source id"), max_length=64, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recommendations",
        verbose_name=_("case"),
    )
    text = EncryptedTextField(_("recommendation"))
    addressee = models.ForeignKey(
        "directory.Institution", on_delete=models.PROTECT, related_name="recommendations", verbose_name=_("addressee")
    )
    country = models.CharField(
        _("country"),
        max_length=2,
        db_index=True,
        validators=[iso.validate_country_code],
        help_text=_("The country concerned; by default the addressee's."),
    )
    provisions = models.ManyToManyField(
        "standards.Provision", blank=True, related_name="recommendations", verbose_name=_("provisions")
    )
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.MEDIUM)
    made_on = models.DateField(_("made on"), help_text=_("The date of the report or opinion that made it."))
    due_on = models.DateField(
        _("first response due"), null=True, blank=True, db_index=True, help_text=_("Leave empty if there is none.")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recommendations_owned",
        verbose_name=_("owner"),
        help_text=_("Follows it up and receives the reminders."),
    )
    status = models.CharField(
        _("implementation status"),
        max_length=16,
        choices=ImplementationStatus.choices,
        default=ImplementationStatus.UNKNOWN,
        db_index=True,
    )
    sensitivity = SensitivityField()
    reminded_due_soon_on = models.DateField(_("due-date reminder sent on"), null=True, blank=True, editable=False)
    reminded_overdue_on = models.DateField(_("overdue reminder sent on"), null=True, blank=True, editable=False)

    # A narrower manager than OrgOwned's: visibility also depends on the case and the addressee.
    objects = RecommendationQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        indexes = [models.Index(fields=["organisation", "status", "due_on"])]

    def __str__(self) -> str:
        return self.text[:80]

    @staticmethod
    def overdue_condition(today: datetime.date) -> Q:
        """The definition of overdue (see the class docstring) as a query condition."""
        followups = FollowUp.objects.filter(recommendation=OuterRef("pk"))
        return Q(due_on__isnull=False, due_on__lt=today) & ~Q(status=ImplementationStatus.FULLY) & Q(~Exists(followups))

    def is_overdue(self, today: datetime.date) -> bool:
        if self.due_on is None or self.due_on >= today or self.status == ImplementationStatus.FULLY:
            return False
        has_followup = getattr(self, "has_followup", None)
        if has_followup is None:
            has_followup = self.pk is not None and self.followups.exists()
        return not has_followup

    @property
    def is_open(self) -> bool:
        return self.status != ImplementationStatus.FULLY

    @property
    def is_restricted(self) -> bool:
        """Confidential or secret, itself or through its case: its text never leaves Defensor."""
        if Sensitivity.is_restricted(self.sensitivity):
            return True
        return self.case is not None and Sensitivity.is_restricted(self.case.sensitivity)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        errors: dict[str, Any] = {}
        if self.due_on and self.made_on and self.due_on < self.made_on:
            errors["due_on"] = _("A response cannot be due before the recommendation was made.")
        if self.addressee_id and self.organisation_id and self.addressee.organisation_id != self.organisation_id:
            errors["addressee"] = _("Choose an institution of your organisation's directory.")
        if self.case is not None and self.organisation_id and self.case.organisation_id != self.organisation_id:
            errors["case"] = _("Choose a case of your organisation.")
        if bool(self.source_type_id) != bool(self.source_id):
            errors["source_type"] = _("A source needs both its type and its id.")
        if errors:
            raise ValidationError(errors)


def validate_web_url(value: str) -> None:
    URLValidator(schemes=["http", "https"])(value)


class FollowUp(OrgOwned):
    """What was done about a recommendation on a date, and how far it was implemented then."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="followups", verbose_name=_("recommendation")
    )
    occurred_on = models.DateField(_("date"), db_index=True)
    action = models.CharField(_("what was done"), max_length=16, choices=ActionKind.choices)
    description = EncryptedTextField(_("description"), blank=True)
    link_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("linked record")
    )
    link_id = models.CharField(_("linked record id"), max_length=64, blank=True)
    external_url = models.URLField(
        _("link"), max_length=500, blank=True, validators=[validate_web_url], help_text=_("A web page about it.")
    )
    implementation_status = models.CharField(
        _("implementation status"), max_length=16, choices=ImplementationStatus.choices
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.occurred_on}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        errors: dict[str, Any] = {}
        if self.recommendation_id and self.occurred_on and self.occurred_on < self.recommendation.made_on:
            errors["occurred_on"] = _("A follow-up cannot come before the recommendation was made.")
        if bool(self.link_type_id) != bool(self.link_id):
            errors["link_type"] = _("A linked record needs both its type and its id.")
        if self.link_type_id and self.external_url:
            errors["external_url"] = _("Link either a record in Defensor or a web page, not both.")
        if errors:
            raise ValidationError(errors)
