"""Letter-writing campaigns: the campaign, its coalition, its targets, letter templates, the
signatures gathered on the public page, the letters, their delivery, and the authorities' responses.

The public sign-on page lives in the `public` app; what it writes (signatures) is modelled here.
A signer's name and email are encrypted at rest; duplicates are found through a blind index of the
normalised email, per campaign; IP addresses are never stored here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from defensor.core.fields import EncryptedTextField, RowIdField
from defensor.core.languages import localised
from defensor.core.models import OrgOwned


class Campaign(OrgOwned):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LIVE = "live", _("Live")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", _("Closed")

    class Mode(models.TextChoices):
        JOINT = "joint", _("One joint letter, signatories in an annex")
        PER_SIGNATORY = "per_signatory", _("One letter per signatory to each target")

    slug = models.SlugField(_("address of the public page"), max_length=80, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ru = models.CharField(_("title (Russian)"), max_length=200, blank=True)
    ask_en = models.TextField(_("what we ask (English)"))
    ask_ru = models.TextField(_("what we ask (Russian)"), blank=True)
    background_en = models.TextField(_("background (English)"), blank=True)
    background_ru = models.TextField(_("background (Russian)"), blank=True)
    cases = models.ManyToManyField("cases.Case", blank=True, related_name="campaigns", verbose_name=_("cases"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    mode = models.CharField(_("letters"), max_length=16, choices=Mode.choices, default=Mode.JOINT)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    launched_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    co_signing_organisations = models.JSONField(
        _("co-signing organisations outside Defensor"), default=list, blank=True
    )
    # Public page settings.
    public_page = models.BooleanField(_("public sign-on page"), default=True)
    show_count = models.BooleanField(_("show the number of signatures"), default=True)
    embed_origins = models.JSONField(
        _("sites that may embed the form"),
        default=list,
        blank=True,
        help_text=_("Origins such as https://partner.example, one per line."),
    )
    retention_days = models.PositiveIntegerField(
        _("days to keep signers' personal data after the campaign closes"), default=90
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localised(self, "title")

    @property
    def ask(self) -> str:
        return localised(self, "ask")

    @property
    def background(self) -> str:
        return localised(self, "background")

    @property
    def is_open_for_signatures(self) -> bool:
        return self.status == self.Status.LIVE and self.public_page


class CampaignPartner(models.Model):
    """Another organisation of the deployment in the coalition: it asks to join, the lead accepts."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Asked to join")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        LEFT = "left", _("Left")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="partners")
    partner = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "partner"], name="campaign_partner_once")]

    def __str__(self) -> str:
        return f"{self.partner} in {self.campaign}"


class Target(models.Model):
    """An authority the letters go to: an institution, and the person holding an office there."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    institution = models.ForeignKey("directory.Institution", on_delete=models.PROTECT, related_name="+")
    position = models.CharField(_("office"), max_length=200, blank=True, help_text=_("e.g. Prosecutor General"))
    person = models.ForeignKey("directory.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    language = models.CharField(_("language of the letter"), max_length=8, default="en")
    salutation = models.CharField(_("salutation"), max_length=300, blank=True)
    email = models.EmailField(_("email"), blank=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.position or self.institution}"


class LetterTemplate(models.Model):
    """The text of a letter in one language, with merge fields in double braces: {{ salutation }}."""

    class Kind(models.TextChoices):
        LETTER = "letter", _("Letter")
        FOLLOW_UP = "follow_up", _("Follow-up letter")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="templates")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.LETTER)
    language = models.CharField(_("language"), max_length=8, default="en")
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "kind", "language"], name="one_template_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.kind} {self.language}"


class Signature(OrgOwned):
    """One person's signature. Counted only once confirmed through the link in the email."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        UNSIGNED = "unsigned", _("Withdrawn")
        ERASED = "erased", _("Personal data erased")

    class Profession(models.TextChoices):
        LAWYER = "lawyer", _("Lawyer")
        OTHER = "other", _("Other")

    # Signatures are never deleted (erasure blanks the personal data), so no key is ever given twice.
    id = RowIdField(primary_key=True)
    # Not indexed either: every look-up of signatures goes by campaign.
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
        db_index=False,
    )
    # No index of its own: the (campaign, status) index below serves every look-up by campaign, and
    # each index is one more B-tree for every sign-on to write.
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="signatures", db_index=False)
    name = EncryptedTextField(_("name"), blank=True)
    email = EncryptedTextField(_("email"), blank=True)
    email_index = models.CharField(max_length=64, blank=True)
    profession = models.CharField(_("profession"), max_length=8, choices=Profession.choices)
    bar_association = EncryptedTextField(_("bar association"), blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    consent_letter = models.BooleanField(_("name on the letter"), default=False)
    consent_updates = models.BooleanField(_("keep informed"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    # The SHA-256 of the random tokens in the confirmation and unsign links. A link carries the
    # signature's id with its token, so a row is found by its key and its hash compared: no index
    # on the hashes, two B-trees fewer for every sign-on to write (each hash is random: a random
    # page of each index). Rows whose emails went out before links carried the id are
    # `legacy_links`: their links are still found by hash, through indexes over those rows only.
    confirm_token_hash = models.CharField(max_length=64, blank=True)
    unsign_token_hash = models.CharField(max_length=64, blank=True)
    legacy_links = models.BooleanField(default=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsigned_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    # The confirmation email, sent by the task worker from these columns (an outbox on the row):
    # when it is due (None once sent or given up), the raw tokens its links carry (encrypted, and
    # emptied once it is sent), and how many times sending it failed.
    email_due_at = models.DateTimeField(null=True, blank=True)
    email_links = EncryptedTextField(blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    # The proof of work this signature was paid with (the SHA-256 of the challenge's signature:
    # nothing about the signer), so that it pays for no other. Empty for signatures added by
    # staff. A proof spent on a signature that was there already is kept in `UsedChallenge`.
    proof_digest = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["campaign", "status"]),
            models.Index(fields=["email_due_at"], condition=Q(email_due_at__isnull=False), name="signature_email_due"),
            models.Index(
                fields=["confirm_token_hash"], condition=Q(legacy_links=True), name="signature_legacy_confirm"
            ),
            models.Index(fields=["unsign_token_hash"], condition=Q(legacy_links=True), name="signature_legacy_unsign"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "email_index"],
                condition=~Q(email_index=""),
                name="one_signature_per_email_per_campaign",
            ),
            models.UniqueConstraint(
                fields=["proof_digest"], condition=~Q(proof_digest=""), name="one_signature_per_proof_of_work"
            ),
        ]

    def __str__(self) -> str:
        return f"signature {self.pk} ({self.status})"


class CampaignUpdate(OrgOwned):
    """'Further information': what changed in the case, sent to the signers who asked to be kept informed."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="updates")
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ru = models.CharField(_("title (Russian)"), max_length=200, blank=True)
    body_en = models.TextField(_("text (English)"))
    body_ru = models.TextField(_("text (Russian)"), blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title_en


class Delivery(OrgOwned):
    """A letter to one target, by email (queued, throttled per receiving domain, retried) or recorded by hand."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        POST = "post", _("Post")
        FAX = "fax", _("Fax")
        HAND = "hand", _("By hand")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        BOUNCED = "bounced", _("Bounced")
        FAILED = "failed", _("Failed")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="deliveries")
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="deliveries")
    kind = models.CharField(max_length=10, choices=LetterTemplate.Kind.choices, default=LetterTemplate.Kind.LETTER)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    recipient = EncryptedTextField(_("recipient"), blank=True)
    domain = models.CharField(max_length=255, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    signatures_count = models.PositiveIntegerField(default=0)
    render_job = models.ForeignKey("core.RenderJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "domain", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.target} ({self.status})"


class Response(OrgOwned):
    """An authority's answer; it appears on the case timeline through the activity ledger."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="responses")
    target = models.ForeignKey(Target, null=True, blank=True, on_delete=models.PROTECT, related_name="responses")
    institution = models.ForeignKey("directory.Institution", on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField(_("received on"))
    summary = EncryptedTextField(_("summary"))
    document = models.ForeignKey("cases.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"response of {self.institution} ({self.received_on})"
