"""The directory: people, institutions, and who holds which position where.

Confidential details of a person — birth date, bar membership number, contact channels,
security notes — are encrypted at rest and shown only to members who may see
confidential records. Names stay searchable: each name and alias has a comparison key
(`NameKey`) so that the same person written in two scripts is found as one.
"""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from defensor.core import iso
from defensor.core.fields import EncryptedTextField
from defensor.core.models import OrgOwned, SensitivityField

# ------------------------------------------------------------------ vocabularies


class Profession(models.TextChoices):
    LAWYER = "lawyer", _("Lawyer")
    ADVOCATE = "advocate", _("Advocate (member of a bar)")
    HRD = "hrd", _("Human rights defender")
    JOURNALIST = "journalist", _("Journalist")
    JUDGE = "judge", _("Judge")
    PROSECUTOR = "prosecutor", _("Prosecutor")
    OFFICIAL = "official", _("Official")
    EXPERT = "expert", _("Expert")
    VOLUNTEER = "volunteer", _("Volunteer")
    INTERPRETER = "interpreter", _("Interpreter")
    ACADEMIC = "academic", _("Academic")
    DIPLOMAT = "diplomat", _("Diplomat")
    ACTIVIST = "activist", _("Activist")
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    UNSPECIFIED = "unspecified", _("Not specified")
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Another gender")


class LanguageLevel(models.TextChoices):
    NATIVE = "native", _("Native")
    C2 = "C2", _("C2 — proficient")
    C1 = "C1", _("C1 — advanced")
    B2 = "B2", _("B2 — upper intermediate")
    B1 = "B1", _("B1 — intermediate")
    A2 = "A2", _("A2 — elementary")
    A1 = "A1", _("A1 — beginner")


class ExpertiseArea(models.TextChoices):
    CRIMINAL = "criminal", _("Criminal law and defence")
    HUMAN_RIGHTS = "human_rights", _("International human rights law")
    UN_MECHANISMS = "un_mechanisms", _("UN mechanisms (WGAD, treaty bodies, special procedures)")
    ECHR = "echr", _("European Court of Human Rights")
    CONSTITUTIONAL = "constitutional", _("Constitutional law")
    ADMINISTRATIVE = "administrative", _("Administrative law")
    CIVIL = "civil", _("Civil law")
    FAMILY = "family", _("Family law")
    LABOUR = "labour", _("Labour law and forced labour")
    MIGRATION = "migration", _("Migration, asylum and extradition")
    MEDIA = "media", _("Media law and freedom of expression")
    ASSEMBLY = "assembly", _("Freedom of assembly and association")
    TORTURE = "torture", _("Torture and ill-treatment")
    DETENTION = "detention", _("Detention and prison conditions")
    PROFESSIONAL = "professional", _("Legal profession, bar and disciplinary law")
    TRIAL_MONITORING = "trial_monitoring", _("Trial monitoring")
    DIGITAL = "digital", _("Digital security and privacy")


def validate_partial_date(value: str) -> None:
    """A year, a year and month, or a full date: `1975`, `1975-04`, `1975-04-21`."""
    if not value:
        return
    parts = value.split("-")
    invalid = ValidationError(
        _("Write a year (1975), a year and month (1975-04) or a full date (1975-04-21)."), code="invalid_date"
    )
    if len(parts) > 3 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        raise invalid
    if any(len(p) != 2 for p in parts[1:]):
        raise invalid
    numbers = [int(p) for p in parts] + [1] * (3 - len(parts))
    try:
        date = datetime.date(*numbers)
    except ValueError as exc:
        raise invalid from exc
    if date > datetime.date.today() or date.year < 1900:
        raise ValidationError(_("That date of birth is not plausible."), code="implausible_date")


def validate_string_list(value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("Expected a list of texts."), code="invalid_list")


def validate_expertise_list(value: Any) -> None:
    validate_string_list(value)
    unknown = [item for item in value if item not in ExpertiseArea.values]
    if unknown:
        raise ValidationError(_("Unknown area of expertise: %(value)s"), params={"value": ", ".join(unknown)})


# ------------------------------------------------------------------ institutions


class InstitutionKind(models.TextChoices):
    COURT = "court", _("Court")
    PROSECUTOR = "prosecutor", _("Prosecutor's office")
    MINISTRY = "ministry", _("Ministry")
    PRESIDENTIAL_ADMINISTRATION = "presidential_administration", _("Presidential administration")
    PARLIAMENT = "parliament", _("Parliament")
    BAR_ASSOCIATION = "bar_association", _("Bar association")
    POLICE = "police", _("Police")
    SECURITY_SERVICE = "security_service", _("Security service")
    PRISON = "prison", _("Prison or detention facility")
    OMBUDSPERSON = "ombudsperson", _("Ombudsperson or national human rights institution")
    UN_BODY = "un_body", _("UN body")
    REGIONAL_BODY = "regional_body", _("Regional body")
    EMBASSY = "embassy", _("Embassy")
    PARTNER_NGO = "partner_ngo", _("Partner NGO")
    DONOR = "donor", _("Donor")
    MEDIA = "media", _("Media")
    OTHER = "other", _("Other")


class CourtLevel(models.TextChoices):
    FIRST_INSTANCE = "first_instance", _("First instance")
    APPEAL = "appeal", _("Appeal")
    CASSATION = "cassation", _("Cassation or supreme")
    CONSTITUTIONAL = "constitutional", _("Constitutional")
    MILITARY = "military", _("Military")
    OTHER = "other", _("Other")


class CourtType(models.TextChoices):
    GENERAL = "general", _("General jurisdiction")
    CRIMINAL = "criminal", _("Criminal")
    CIVIL = "civil", _("Civil")
    ADMINISTRATIVE = "administrative", _("Administrative")
    ECONOMIC = "economic", _("Economic or commercial")
    JUVENILE = "juvenile", _("Juvenile")
    OTHER = "other", _("Other")


def validate_salutations(value: Any) -> None:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValidationError(_("Salutations must map a language code to a text."), code="invalid_salutations")
    for code in value:
        iso.validate_language_code(code)


class Institution(OrgOwned):
    """An authority, court, body or organisation: who letters are addressed to, where people work."""

    name = models.CharField(_("name"), max_length=300, help_text=_("In the original language or script."))
    name_latin = models.CharField(
        _("name in Latin script or English"),
        max_length=300,
        blank=True,
        help_text=_("Left empty, it is transliterated from the name."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=InstitutionKind.choices, db_index=True)
    court_level = models.CharField(_("court level"), max_length=20, choices=CourtLevel.choices, blank=True)
    court_type = models.CharField(_("court type"), max_length=20, choices=CourtType.choices, blank=True)
    country = models.CharField(
        _("country"), max_length=2, blank=True, db_index=True, validators=[iso.validate_country_code]
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("part of"),
    )
    postal_address = models.TextField(_("postal address for letters"), blank=True)
    email = models.EmailField(_("email for letters"), blank=True)
    salutations = models.JSONField(
        _("salutations"), default=dict, blank=True, validators=[validate_salutations], help_text=_("Per language.")
    )
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    sensitivity = SensitivityField()

    class Meta:
        ordering = ["name_latin", "name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        indexes = [models.Index(fields=["organisation", "kind", "country"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_latin or self.name

    def salutation(self, language: str) -> str:
        """The salutation for a letter in `language`, falling back to English, then to none."""
        salutations: dict[str, str] = self.salutations or {}
        return salutations.get(language) or salutations.get("en", "")

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        if self.kind != InstitutionKind.COURT:
            if self.court_level:
                errors["court_level"] = _("Only a court has a court level.")
            if self.court_type:
                errors["court_type"] = _("Only a court has a court type.")
        if self.parent_id is not None:
            if self.pk is not None and self.parent_id == self.pk:
                errors["parent"] = _("An institution cannot be part of itself.")
            elif self.parent is not None and self.parent.organisation_id != self.organisation_id:
                errors["parent"] = _("Choose an institution of your organisation.")
        if errors:
            raise ValidationError(errors)


# ------------------------------------------------------------------ people


class Person(OrgOwned):
    """Someone in the organisation's work: a defended lawyer or HRD, an official, an expert..."""

    name = models.CharField(_("name"), max_length=200, help_text=_("As written in the original script."))
    name_latin = models.CharField(
        _("name in Latin script"),
        max_length=200,
        blank=True,
        help_text=_("Left empty, it is transliterated from the name."),
    )
    aliases = models.JSONField(
        _("other names and spellings"), default=list, blank=True, validators=[validate_string_list]
    )
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices, default=Gender.UNSPECIFIED)
    birth_date = EncryptedTextField(
        _("date of birth"),
        blank=True,
        validators=[validate_partial_date],
        help_text=_("A year (1975), a year and month (1975-04) or a full date (1975-04-21)."),
    )
    nationality = models.CharField(
        _("nationality"), max_length=2, blank=True, db_index=True, validators=[iso.validate_country_code]
    )
    residence_country = models.CharField(
        _("country of residence"), max_length=2, blank=True, db_index=True, validators=[iso.validate_country_code]
    )
    bar_association = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bar_members",
        verbose_name=_("bar association"),
    )
    bar_number = EncryptedTextField(_("bar membership number"), blank=True)
    expertise_areas = models.JSONField(
        _("areas of legal expertise"), default=list, blank=True, validators=[validate_expertise_list]
    )
    jurisdictions = models.JSONField(
        _("jurisdictions"),
        default=list,
        blank=True,
        validators=[iso.validate_country_list],
        help_text=_("Countries whose law the person practises or knows."),
    )
    photo = models.FileField(_("photo"), blank=True, max_length=300)
    photo_mime = models.CharField(max_length=100, blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)
    security_notes = EncryptedTextField(
        _("security notes"), blank=True, help_text=_("Risks, safe ways to reach them, what never to do.")
    )
    sensitivity = SensitivityField()
    name_key = models.CharField(max_length=400, blank=True, db_index=True, editable=False)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name_latin", "name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [models.Index(fields=["organisation", "name_latin"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_latin or self.name

    @property
    def other_script_name(self) -> str:
        """The original-script name when it differs from the Latin one (shown beside it)."""
        return self.name if self.name_latin and self.name != self.name_latin else ""

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def birth_precision(self) -> str:
        """`year`, `month` or `day`; empty when unknown."""
        if not self.birth_date:
            return ""
        return ("year", "month", "day")[self.birth_date.count("-")]

    def clean(self) -> None:
        super().clean()
        if self.bar_association_id is not None:
            bar = self.bar_association
            if bar is None or bar.organisation_id != self.organisation_id:
                raise ValidationError({"bar_association": _("Choose an institution of your organisation.")})
            if bar.kind != InstitutionKind.BAR_ASSOCIATION:
                raise ValidationError({"bar_association": _("Choose a bar association.")})
        if self.bar_number and self.bar_association_id is None:
            raise ValidationError({"bar_number": _("A membership number needs the bar association it belongs to.")})

    def profession_codes(self) -> list[str]:
        return [p.code for p in self.professions.all()]

    def get_professions_display(self) -> list[str]:
        labels = dict(Profession.choices)
        return [str(labels.get(code, code)) for code in self.profession_codes()]

    def expertise_labels(self) -> list[str]:
        labels = dict(ExpertiseArea.choices)
        return [str(labels.get(code, code)) for code in self.expertise_areas]

    def has_consent(self, scope: str, on: datetime.date | None = None) -> bool:
        """Whether the person's consent for `scope` was given and not withdrawn on that day (today)."""
        day = on or datetime.date.today()
        return (
            self.consents.filter(scope=scope, given_on__lte=day)
            .filter(models.Q(withdrawn_on__isnull=True) | models.Q(withdrawn_on__gt=day))
            .exists()
        )


class PersonProfession(OrgOwned):
    """One profession of a person (a row each, so that lists filter by profession anywhere)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="professions")
    code = models.CharField(_("profession"), max_length=20, choices=Profession.choices, db_index=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["person", "code"], name="directory_profession_once")]

    def __str__(self) -> str:
        return self.get_code_display()


class PersonLanguage(OrgOwned):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(_("language"), max_length=3, validators=[iso.validate_language_code])
    level = models.CharField(_("level"), max_length=8, choices=LanguageLevel.choices)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["person", "language"], name="directory_language_once")]

    def __str__(self) -> str:
        return f"{self.language_name} ({self.get_level_display()})"

    @property
    def language_name(self) -> str:
        return iso.language_name(self.language)


class NameKey(OrgOwned):
    """The comparison key of one of a person's names (name, Latin name, each alias)."""

    class Source(models.TextChoices):
        NAME = "name", "name"
        LATIN = "latin", "Latin name"
        ALIAS = "alias", "alias"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="name_keys")
    key = models.CharField(max_length=400, db_index=True)
    source = models.CharField(max_length=8, choices=Source.choices)

    class Meta:
        indexes = [models.Index(fields=["organisation", "key"])]

    def __str__(self) -> str:
        return self.key


# ------------------------------------------------------------------ contacts and consent


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    MESSENGER = "messenger", _("Messenger")
    POSTAL = "postal", _("Postal address")
    OTHER = "other", _("Other")


class Messenger(models.TextChoices):
    SIGNAL = "signal", "Signal"
    WHATSAPP = "whatsapp", "WhatsApp"
    TELEGRAM = "telegram", "Telegram"
    THREEMA = "threema", "Threema"
    WIRE = "wire", "Wire"
    ELEMENT = "element", "Element (Matrix)"
    VIBER = "viber", "Viber"
    OTHER = "other", _("Other")


def normalise_email(value: str) -> str:
    return value.strip().lower()


_PHONE = re.compile(r"^\+?[0-9 ().\-/]{5,40}$")


class ContactChannel(OrgOwned):
    """A way to reach a person. The value is encrypted; emails also get a blind index for exact lookup."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=16, choices=ContactKind.choices)
    messenger = models.CharField(_("messenger app"), max_length=16, choices=Messenger.choices, blank=True)
    value = EncryptedTextField(_("value"))
    email_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("contact channel")
        verbose_name_plural = _("contact channels")

    def __str__(self) -> str:
        return self.get_kind_display()

    def clean(self) -> None:
        super().clean()
        value = (self.value or "").strip()
        if self.kind == ContactKind.MESSENGER and not self.messenger:
            raise ValidationError({"messenger": _("Say which messenger app this handle is for.")})
        if self.kind != ContactKind.MESSENGER and self.messenger:
            raise ValidationError({"messenger": _("A messenger app goes only with a messenger handle.")})
        if self.kind == ContactKind.EMAIL:
            from django.core.validators import validate_email

            try:
                validate_email(value)
            except ValidationError as exc:
                raise ValidationError({"value": _("Enter a valid email address.")}) from exc
        if self.kind == ContactKind.PHONE and not _PHONE.match(value):
            raise ValidationError({"value": _("Enter a phone number: digits, spaces, and an optional leading +.")})


class ConsentScope(models.TextChoices):
    STORE = "store", _("Storing their data")
    SHARE_WITH_PARTNER = "share_with_partner", _("Sharing with a partner organisation")
    PUBLISH_NAME = "publish_name", _("Publishing their name")
    PUBLISH_PHOTO = "publish_photo", _("Publishing their photo")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("In writing (signed)")
    ORAL = "oral", _("Orally")
    EMAIL = "email", _("By email")
    MESSENGER = "messenger", _("By messenger")
    THROUGH_LAWYER = "through_lawyer", _("Through their lawyer")
    THROUGH_RELATIVE = "through_relative", _("Through a relative")
    OTHER = "other", _("Other")


class Consent(OrgOwned):
    """What a person agreed to, when and how. A withdrawal is added to the record, never deleted."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents")
    scope = models.CharField(_("consent to"), max_length=24, choices=ConsentScope.choices)
    given_on = models.DateField(_("given on"))
    method = models.CharField(_("how"), max_length=20, choices=ConsentMethod.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("withdrawal recorded by"),
    )
    withdrawal_note = models.TextField(_("withdrawal note"), blank=True)

    class Meta:
        ordering = ["-given_on", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.get_scope_display()} ({self.given_on})"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_on is not None

    def clean(self) -> None:
        super().clean()
        today = datetime.date.today()
        if self.given_on and self.given_on > today:
            raise ValidationError({"given_on": _("Consent cannot be recorded for a future date.")})
        if self.withdrawn_on is not None:
            if self.given_on and self.withdrawn_on < self.given_on:
                raise ValidationError({"withdrawn_on": _("A withdrawal cannot come before the consent.")})
            if self.withdrawn_on > today:
                raise ValidationError({"withdrawn_on": _("A withdrawal cannot be recorded for a future date.")})


# ------------------------------------------------------------------ affiliations


class Affiliation(OrgOwned):
    """A person's position at an institution, with dates: "Prosecutor General, since 2015"."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="affiliations")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="affiliations")
    position = models.CharField(_("position"), max_length=200)
    start_date = models.DateField(_("since"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True, help_text=_("Empty while they hold it."))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = [models.F("end_date").desc(nulls_first=True), models.F("start_date").desc(nulls_last=True)]
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        indexes = [models.Index(fields=["institution", "position"])]

    def __str__(self) -> str:
        return f"{self.position}, {self.institution}"

    def is_current(self, on: datetime.date | None = None) -> bool:
        day = on or datetime.date.today()
        started = self.start_date is None or self.start_date <= day
        return started and (self.end_date is None or self.end_date >= day)

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date comes before the start date.")})
        person = self.person if self.person_id else None
        institution = self.institution if self.institution_id else None
        if person is not None and person.organisation_id != self.organisation_id:
            raise ValidationError({"person": _("Choose a person of your organisation.")})
        if institution is not None and institution.organisation_id != self.organisation_id:
            raise ValidationError({"institution": _("Choose an institution of your organisation.")})


def photo_storage_name(organisation_id: int, extension: str) -> str:
    """Where a person's photo is stored: under the organisation, under a random name."""
    return f"{organisation_id}/directory/photos/{uuid.uuid4().hex}.{extension.lstrip('.')}"
