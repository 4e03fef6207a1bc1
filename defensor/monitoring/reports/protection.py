"""Source protection: the words a rendered trial report must never contain, and their removal.

A report is generated from the plan's data without naming observers, anonymous sources or
subjects who did not consent to be named; but editors type freely, and observers' answers
are free text. So every text that goes into a rendered document passes through `Redactor`,
which replaces (case-insensitively, on word boundaries):

- the full names and email addresses of everyone assigned to the plan (observers and experts),
  and of everyone who wrote an observation of it → "an observer";
- the names of subjects of the case without a current consent to publish their name → the
  case's publication pseudonym, else "the defendant";
- the descriptions of sources that asked not to be named, and the names of their people
  → "a source who asked not to be named";
- the contact details, security notes and bar numbers of the subjects and of those sources
  → "[withheld]".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from defensor.directory.models import ConsentScope

# Pieces shorter than this are not looked for on their own (they would match ordinary words).
MIN_TOKEN = 4
MIN_FRAGMENT = 12
_FRAGMENT_SPLIT = re.compile(r"[\n.;:!?]+")


def _tokens(name: str) -> list[str]:
    return [token for token in re.split(r"[\s,.\-'’()]+", name) if len(token) >= MIN_TOKEN]


def _fragments(text: str) -> list[str]:
    """The text itself, and each of its sentences or lines long enough to be recognised."""
    text = (text or "").strip()
    if not text:
        return []
    return [text] + [part.strip() for part in _FRAGMENT_SPLIT.split(text) if len(part.strip()) >= MIN_FRAGMENT]


@dataclass
class Redactor:
    """Replaces protected words in texts; `clean` is applied to every string of a document.

    Whole names, addresses and descriptions are found whatever their case; single parts of a
    name (a surname alone) only as written, capitalised, so that a name part that is also an
    ordinary word ("Rose", "Grace") does not blank that word out of the report.
    """

    terms: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    _patterns: list[tuple[re.Pattern[str], dict[str, str], bool]] | None = None

    def add(self, words: Iterable[str], replacement: str) -> None:
        for word in words:
            word = (word or "").strip()
            if len(word) >= MIN_TOKEN and word.lower() not in self.terms:
                self.terms[word.lower()] = replacement
        self._patterns = None

    def add_tokens(self, words: Iterable[str], replacement: str) -> None:
        for word in words:
            if len(word) >= MIN_TOKEN and word[:1].isupper() and word not in self.tokens:
                self.tokens[word] = replacement
        self._patterns = None

    def add_person_name(self, person: Any, replacement: str) -> None:
        names = [name for name in (person.name, person.name_latin, *(person.aliases or [])) if name]
        self.add(names, replacement)
        self.add_tokens([token for name in names for token in _tokens(name)], replacement)

    def add_private_details(self, person: Any, replacement: str) -> None:
        """Contacts, security notes and bar number of a person."""
        self.add([contact.value for contact in person.contacts.all()], replacement)
        self.add(_fragments(person.security_notes), replacement)
        self.add([person.bar_number], replacement)

    def _compiled(self) -> list[tuple[re.Pattern[str], dict[str, str], bool]]:
        if self._patterns is None:
            self._patterns = []
            for table, insensitive in ((self.terms, True), (self.tokens, False)):
                if table:
                    alternatives = "|".join(re.escape(term) for term in sorted(table, key=len, reverse=True))
                    flags = re.IGNORECASE if insensitive else 0
                    self._patterns.append((re.compile(rf"(?<!\w)({alternatives})(?!\w)", flags), table, insensitive))
        return self._patterns

    def replace(self, text: str) -> str:
        if not text:
            return text
        for pattern, table, insensitive in self._compiled():

            def substitute(match: re.Match[str], table: dict[str, str] = table, insensitive: bool = insensitive) -> str:
                found = match.group(0)
                return table.get(found.lower() if insensitive else found, _("[withheld]"))

            text = pattern.sub(substitute, text)
        return text

    def clean(self, value: Any) -> Any:
        """`value` with every string in it (nested in lists and dictionaries) redacted."""
        if isinstance(value, str):
            return self.replace(value)
        if isinstance(value, dict):
            return {key: self.clean(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.clean(item) for item in value]
        return value


def defendant_label(case: Any) -> tuple[str, bool]:
    """How the report calls the subjects of the case, and whether that is a real name.

    Real names only of subjects who consented to publishing their name; otherwise the
    publication pseudonym of the case, else "the defendant".
    """
    subjects = [subject.person for subject in case.subjects.select_related("person").order_by("id")]
    if subjects and all(person.has_consent(ConsentScope.PUBLISH_NAME) for person in subjects):
        return ", ".join(person.display_name for person in subjects), True
    # A missing one-to-one raises an AttributeError subclass: getattr's default applies.
    publication = getattr(case, "publication", None)
    if publication is not None and publication.pseudonym.strip():
        return publication.pseudonym.strip(), False
    return _("the defendant"), False


def redactor_for(plan: Any) -> Redactor:
    """Everything a report on `plan` must not name, with what it says instead (in the active language)."""
    from defensor.cases.models import Source
    from defensor.monitoring.models import Observation

    case = plan.proceeding.case
    redactor = Redactor()
    withheld = _("[withheld]")

    observer = _("an observer")
    users = {assignment.user for assignment in plan.assignments.select_related("user")}
    users |= {o.observer for o in Observation.objects.filter(hearing__plan=plan).select_related("observer")}
    for user in users:
        full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
        # Whole names and addresses only: users' names are not in the case's data, so an editor
        # who types one types it whole (and "Trial Observer" must not blank out "trial").
        redactor.add([full_name, user.email], observer)

    publication = getattr(case, "publication", None)
    pseudonym = publication.pseudonym.strip() if publication is not None else ""
    for subject in case.subjects.select_related("person").prefetch_related("person__contacts"):
        person = subject.person
        if not person.has_consent(ConsentScope.PUBLISH_NAME):
            redactor.add_person_name(person, pseudonym or _("the defendant"))
        redactor.add_private_details(person, withheld)

    anonymous = _("a source who asked not to be named")
    for source in Source.objects.filter(event__case=case, anonymous=True).select_related("person", "document"):
        redactor.add(_fragments(source.description), anonymous)
        if source.person is not None:
            redactor.add_person_name(source.person, anonymous)
            redactor.add_private_details(source.person, withheld)
        if source.document is not None:
            redactor.add([source.document.title], anonymous)
    return redactor
