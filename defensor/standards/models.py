"""The standards catalogue: instruments, their provisions, and the controlled vocabularies.

This is global reference data (public law and shared word lists), not organisation-owned:
every signed-in member of any organisation reads the same rows. Rows are written only by
the loader (`defensor.standards.loader`) from the versioned data files in `data/`, and are
never deleted: an item that leaves the files becomes inactive, because cases, events and
findings keep pointing at it.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from defensor.core.languages import localised


class Instrument(models.Model):
    class Kind(models.TextChoices):
        TREATY = "treaty", _("Treaty")
        PROTOCOL = "protocol", _("Protocol to a treaty")
        DECLARATION = "declaration", _("Declaration")
        PRINCIPLES = "principles", _("Principles")
        RECOMMENDATION = "recommendation", _("Recommendation")

    class System(models.TextChoices):
        UN = "un", _("United Nations")
        COE = "coe", _("Council of Europe")

    class Numbering(models.TextChoices):
        ARTICLES = "articles", _("Articles")
        PRINCIPLES = "principles", _("Principles")
        CHAPTERS = "chapters", _("Chapters")

    code = models.CharField(_("code"), max_length=40, unique=True)
    short_title_en = models.CharField(_("short title (English)"), max_length=80)
    short_title_ru = models.CharField(_("short title (Russian)"), max_length=80)
    title_en = models.CharField(_("title (English)"), max_length=400)
    title_ru = models.CharField(_("title (Russian)"), max_length=400)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    system = models.CharField(_("body or system"), max_length=10, choices=System.choices)
    year = models.PositiveSmallIntegerField(_("year adopted"), null=True, blank=True)
    binding = models.BooleanField(_("binding"), default=False)
    numbering = models.CharField(_("numbered by"), max_length=12, choices=Numbering.choices, default=Numbering.ARTICLES)
    order = models.PositiveIntegerField(_("order"), default=0)
    to_verify = models.BooleanField(_("to verify"), default=False)
    verify_note_en = models.TextField(_("what to verify (English)"), blank=True)
    verify_note_ru = models.TextField(_("what to verify (Russian)"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")

    def __str__(self) -> str:
        return self.code

    @property
    def title(self) -> str:
        return localised(self, "title")

    @property
    def short_title(self) -> str:
        return localised(self, "short_title")

    @property
    def description(self) -> str:
        return localised(self, "description")

    @property
    def verify_note(self) -> str:
        return localised(self, "verify_note")


class ProvisionGroup(models.Model):
    """A heading inside an instrument that gathers provisions (the eight headings of the Basic Principles)."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="groups")
    code = models.CharField(_("code"), max_length=60)
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_ru = models.CharField(_("title (Russian)"), max_length=300)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["instrument", "order"]
        constraints = [models.UniqueConstraint(fields=["instrument", "code"], name="standards_group_code_unique")]
        verbose_name = _("provision group")
        verbose_name_plural = _("provision groups")

    def __str__(self) -> str:
        return f"{self.instrument_id}:{self.code}"

    @property
    def title(self) -> str:
        return localised(self, "title")


class Provision(models.Model):
    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article")
        PARAGRAPH = "paragraph", _("Paragraph")
        ELEMENT = "element", _("Element")
        PRINCIPLE = "principle", _("Principle")
        CHAPTER = "chapter", _("Chapter")

    code = models.CharField(_("code"), max_length=60, unique=True)
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="provisions")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    group = models.ForeignKey(
        ProvisionGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="provisions"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=30, blank=True)
    title_en = models.CharField(_("short title (English)"), max_length=300)
    title_ru = models.CharField(_("short title (Russian)"), max_length=300)
    paraphrase_en = models.TextField(_("paraphrase (English)"))
    paraphrase_ru = models.TextField(_("paraphrase (Russian)"))
    order = models.PositiveIntegerField(_("order"), default=0)
    to_verify = models.BooleanField(_("to verify"), default=False)
    verify_note_en = models.TextField(_("what to verify (English)"), blank=True)
    verify_note_ru = models.TextField(_("what to verify (Russian)"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    siblings = models.ManyToManyField("self", symmetrical=True, blank=True, verbose_name=_("siblings"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["instrument__order", "order"]
        verbose_name = _("provision")
        verbose_name_plural = _("provisions")

    def __str__(self) -> str:
        return self.code

    @property
    def title(self) -> str:
        return localised(self, "title")

    @property
    def paraphrase(self) -> str:
        return localised(self, "paraphrase")

    @property
    def verify_note(self) -> str:
        return localised(self, "verify_note")

    @property
    def label(self) -> str:
        """How people cite it inside its instrument: "Article 14(3)(b)", "Principle 16(a)", or the title."""
        if not self.number:
            return self.title
        prefixes: dict[str, Any] = {
            Instrument.Numbering.ARTICLES: _("Article %(number)s"),
            Instrument.Numbering.PRINCIPLES: _("Principle %(number)s"),
            Instrument.Numbering.CHAPTERS: _("Chapter %(number)s"),
        }
        return str(prefixes.get(self.instrument.numbering, "%(number)s")) % {"number": self.number}


class Vocabulary(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    hierarchical = models.BooleanField(_("hierarchical"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("vocabulary")
        verbose_name_plural = _("vocabularies")

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        return localised(self, "name")

    @property
    def description(self) -> str:
        return localised(self, "description")


class Term(models.Model):
    vocabulary = models.ForeignKey(Vocabulary, on_delete=models.PROTECT, related_name="terms")
    code = models.CharField(_("code"), max_length=80, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    label_en = models.CharField(_("label (English)"), max_length=200)
    label_ru = models.CharField(_("label (Russian)"), max_length=200)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    external_code = models.CharField(
        _("external code"), max_length=80, blank=True, help_text=_("Code in an external thesaurus (HURIDOCS).")
    )
    provisions = models.ManyToManyField(
        Provision, blank=True, related_name="terms", verbose_name=_("provisions engaged")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    selectable = models.BooleanField(
        _("selectable"), default=True, help_text=_("False for headings that only group other terms.")
    )
    active = models.BooleanField(_("active"), default=True)
    to_verify = models.BooleanField(_("to verify"), default=False)
    verify_note_en = models.TextField(_("what to verify (English)"), blank=True)
    verify_note_ru = models.TextField(_("what to verify (Russian)"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["vocabulary__order", "order"]
        verbose_name = _("term")
        verbose_name_plural = _("terms")

    def __str__(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        return localised(self, "label")

    @property
    def description(self) -> str:
        return localised(self, "description")

    @property
    def verify_note(self) -> str:
        return localised(self, "verify_note")


class DatasetVersion(models.Model):
    """One load of one data file: which version (and exact bytes) the catalogue came from."""

    name = models.CharField(_("file"), max_length=200)
    version = models.CharField(_("version"), max_length=40)
    checksum = models.CharField(_("SHA-256"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded"), auto_now_add=True)

    class Meta:
        ordering = ["name", "-loaded_at", "-id"]
        verbose_name = _("dataset version")
        verbose_name_plural = _("dataset versions")

    def __str__(self) -> str:
        return f"{self.name} {self.version}"
