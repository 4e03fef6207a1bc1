"""Importing cases from the spreadsheets organisations keep (CSV or XLSX).

One row is one case: its reference (when the spreadsheet has one), title, country, status,
risk, sensitivity, the day it was opened, its lead, programmes and tags, and the person at
risk, found in the directory by name in any script. Rows go through `case_open` and
`case_update` (and `risk_assess`, `subject_add` for a case already there), which check,
validate and audit. A re-import never erases: an empty cell leaves the case as it is, and
programmes and tags are added to those already there.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from defensor.accounts.models import Membership
from defensor.cases.models import Case, CaseSubject, Programme
from defensor.cases.services import case_open, case_update, risk_assess, subject_add
from defensor.core import imports
from defensor.core.imports import Importer, ImportField, Row
from defensor.core.models import Sensitivity
from defensor.directory.imports import (
    SENSITIVITIES,
    Words,
    country_code,
    fold,
    people_named,
    read_choice,
    read_choices,
    read_country,
    refused,
    split_list,
)
from defensor.directory.models import Person

STATUSES = Words(
    Case.Status,
    {
        Case.Status.INTAKE: ("new", "handling.intake", "прием", "новое", "новый"),
        Case.Status.VERIFICATION: ("handling.verification", "проверка", "на проверке"),
        Case.Status.REJECTED: ("handling.rejected", "отклонено", "отклонен"),
        Case.Status.ACTIVE: ("open", "handling.active", "активно", "активное", "активный", "в работе"),
        Case.Status.MONITORING: ("handling.monitoring", "мониторинг", "наблюдение"),
        Case.Status.DORMANT: ("handling.dormant", "приостановлено", "без движения"),
        Case.Status.CLOSED_RESOLVED: ("resolved", "closed resolved", "handling.closed_resolved", "закрыто решено"),
        Case.Status.CLOSED_UNRESOLVED: ("closed unresolved", "handling.closed_unresolved", "закрыто не решено"),
        Case.Status.CLOSED_BY_REQUEST: ("closed by request", "handling.closed_by_request", "закрыто по просьбе"),
        Case.Status.ARCHIVED: ("handling.archived", "архив", "в архиве"),
    },
)
RISKS = Words(
    Case.Risk,
    {
        Case.Risk.IMMINENT: ("risk.imminent", "urgent", "неминуемый", "немедленный", "срочно"),
        Case.Risk.HIGH: ("risk.high", "высокий"),
        Case.Risk.MEDIUM: ("risk.medium", "moderate", "средний"),
        Case.Risk.LOW: ("risk.low", "низкий"),
        Case.Risk.UNKNOWN: ("risk.unknown", "not assessed", "неизвестно", "не оценен"),
    },
)
PROGRAMMES = Words(
    Programme,
    {
        Programme.TRIAL_MONITORING: ("trial monitoring", "мониторинг судебных процессов", "мониторинг судов"),
        Programme.LETTERS: ("letters", "letter writing", "письма", "кампании писем"),
        Programme.MISSIONS: ("missions", "fact finding", "need assessment", "миссии", "миссия"),
        Programme.LEGAL_ASSISTANCE: ("legal assistance", "un petitions", "правовая помощь", "юридическая помощь"),
        Programme.ADVOCACY: ("адвокация", "адвокаси", "продвижение"),
        Programme.TRAINING: ("training", "mentorship", "обучение", "тренинги", "наставничество"),
        Programme.EMERGENCY: ("emergency", "срочная помощь", "экстренная помощь"),
    },
)
ROLES = Words(
    CaseSubject.Role,
    {
        CaseSubject.Role.LAWYER_AT_RISK: ("lawyer", "advocate", "юрист", "адвокат", "юрист в опасности"),
        CaseSubject.Role.DEFENDER_AT_RISK: ("defender", "hrd", "human rights defender", "правозащитник"),
        CaseSubject.Role.CLIENT: ("client", "клиент", "подзащитный", "подзащитная"),
        CaseSubject.Role.FAMILY: ("family", "relative", "родственник", "родственница", "член семьи"),
        CaseSubject.Role.COLLEAGUE: ("коллега",),
        CaseSubject.Role.OTHER: ("другое",),
    },
)

# Spreadsheets store a date as the number of days since 30 December 1899; a plain number is
# read as one only within these years, so that "2017" is not taken for a day in 1905.
EXCEL_EPOCH = datetime.date(1899, 12, 30)
EXCEL_SERIALS = range(18264, 73051)  # 1950-01-01 .. 2099-12-31
_ISO = re.compile(r"^(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?:[T ].*)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})(?: .*)?$")
_SERIAL = re.compile(r"^(\d{5})(?:\.\d+)?$")
IMPORTED_RISK_REASON = gettext_lazy("Recorded by a spreadsheet import.")


def parse_date(text: str) -> datetime.date | None:
    """A day from 2017-09-20, 20.09.2017, 20/09/2017 or a spreadsheet's day number; None if it is none."""
    text = text.strip()
    try:
        if match := _ISO.match(text):
            year, month, day = (int(part) for part in match.groups())
            return datetime.date(year, month, day)
        if match := _DAY_FIRST.match(text):
            day, month, year = (int(part) for part in match.groups())
            return datetime.date(year, month, day)
    except ValueError:
        return None
    if (match := _SERIAL.match(text)) and int(match.group(1)) in EXCEL_SERIALS:
        return EXCEL_EPOCH + datetime.timedelta(days=int(match.group(1)))
    return None


def lead_of(organisation: Any, email: str) -> Any:
    """The member with this email who may edit in the organisation (and so may lead a case); None otherwise."""
    membership = (
        Membership.objects.filter(
            organisation=organisation,
            user__email__iexact=email.strip(),
            status=Membership.Status.ACTIVE,
            role__can_edit=True,
        )
        .select_related("user")
        .first()
    )
    return membership.user if membership is not None else None


def case_fields() -> tuple[ImportField, ...]:
    return (
        ImportField(
            "reference",
            gettext_lazy("Reference"),
            help=gettext_lazy("The case's reference, if it has one: a case with this reference is updated."),
            aliases=("reference", "ref", "case reference", "case ref", "case id", "Референс", "Номер досье", "Шифр"),
        ),
        ImportField(
            "title",
            gettext_lazy("Title"),
            required=True,
            aliases=("title", "case", "case title", "Название", "Название дела", "Дело", "Заголовок"),
        ),
        ImportField(
            "country",
            gettext_lazy("Country"),
            required=True,
            help=gettext_lazy("An ISO code (TM) or the country's name in English or Russian."),
            aliases=("country", "Страна", "Государство"),
        ),
        ImportField("status", gettext_lazy("Handling status"), aliases=("status", "handling status", "Статус")),
        ImportField("risk_level", gettext_lazy("Risk level"), aliases=("risk", "risk level", "Риск", "Уровень риска")),
        ImportField(
            "sensitivity",
            gettext_lazy("Sensitivity"),
            help=gettext_lazy("Public, internal (the default), confidential or secret."),
            aliases=("sensitivity", "classification", "confidentiality", "Конфиденциальность", "Гриф"),
        ),
        ImportField(
            "opened_on",
            gettext_lazy("Opened on"),
            required=True,
            help=gettext_lazy("2017-09-20, 20.09.2017 or 20/09/2017."),
            aliases=("opened", "opened on", "date opened", "opening date", "Дата открытия", "Открыто", "Дата"),
        ),
        ImportField(
            "lead",
            gettext_lazy("Lead"),
            help=gettext_lazy("The email of a member who may edit; empty: you."),
            aliases=("lead", "case lead", "lead email", "responsible", "Ответственный", "Ведущий", "Куратор"),
        ),
        ImportField(
            "programmes",
            gettext_lazy("Programmes"),
            help=gettext_lazy("Separated by “;”."),
            aliases=("programme", "programmes", "program", "programs", "Программа", "Программы"),
        ),
        ImportField(
            "tags",
            gettext_lazy("Tags"),
            help=gettext_lazy("Separated by “;”."),
            aliases=("tags", "tag", "keywords", "Теги", "Метки", "Ключевые слова"),
        ),
        ImportField(
            "person",
            gettext_lazy("Person at risk"),
            help=gettext_lazy("Their name as in the directory, in any script."),
            aliases=("person", "person at risk", "defender", "name", "ФИО", "Имя", "Подзащитный", "Лицо в опасности"),
        ),
        ImportField(
            "role",
            gettext_lazy("Their role"),
            help=gettext_lazy("Lawyer at risk when empty."),
            aliases=("role", "their role", "subject role", "Роль"),
        ),
    )


class CaseImporter(Importer):
    """Cases: one row a case; a case with the same reference (or title, country and date) is updated."""

    kind = "cases.case"
    label = gettext_lazy("Cases")
    help = gettext_lazy(
        "A case with the same reference, or without one the same title, country and opening date, is updated: "
        "empty cells change nothing, programmes and tags are added."
    )
    model = Case

    def __init__(self) -> None:
        self.fields = case_fields()
        self.labels = self.field_labels()

    def read(self, organisation: Any, row: Row) -> tuple[dict[str, Any], list[str]]:
        problems: list[str] = []
        label = self.labels
        values: dict[str, Any] = {
            "reference": row.get("reference", "").strip(),
            "title": row["title"].strip(),
            "country": read_country(label["country"], row["country"], problems),
            "status": read_choice(label["status"], row.get("status", ""), STATUSES, problems),
            "risk_level": read_choice(label["risk_level"], row.get("risk_level", ""), RISKS, problems),
            "sensitivity": read_choice(label["sensitivity"], row.get("sensitivity", ""), SENSITIVITIES, problems),
            "opened_on": None,
            "lead": None,
            "programmes": read_choices(label["programmes"], row.get("programmes", ""), PROGRAMMES, problems),
            "tags": split_list(row.get("tags", "")),
            "person": row.get("person", "").strip(),
            "role": read_choice(label["role"], row.get("role", ""), ROLES, problems),
        }
        limit = int(getattr(Case._meta.get_field("reference"), "max_length", 32))
        if len(values["reference"]) > limit:
            problems.append(
                _("%(column)s: the value is longer than %(max)s characters.")
                % {"column": label["reference"], "max": limit}
            )
        opened = row["opened_on"].strip()
        values["opened_on"] = parse_date(opened)
        if values["opened_on"] is None:
            problems.append(
                _("%(column)s: “%(value)s” is not a date. Write it as 2017-09-20, 20.09.2017 or 20/09/2017.")
                % {"column": label["opened_on"], "value": opened}
            )
        elif values["opened_on"] > timezone.localdate():
            problems.append(
                _("%(column)s: %(value)s is in the future.") % {"column": label["opened_on"], "value": opened}
            )
        email = row.get("lead", "").strip()
        if email:
            values["lead"] = lead_of(organisation, email)
            if values["lead"] is None:
                problems.append(
                    _("%(column)s: “%(value)s” is not the email of a member of the organisation who may edit cases.")
                    % {"column": label["lead"], "value": email}
                )
        if values["role"] and not values["person"]:
            problems.append(_("%(column)s is given, but not the person it is the role of.") % {"column": label["role"]})
        return values, problems

    def person_problem(self, name: str, count: int) -> str:
        if count == 0:
            return _("%(column)s: there is no “%(value)s” in the directory. Add the person first.") % {
                "column": self.labels["person"],
                "value": name,
            }
        return _(
            "%(column)s: %(count)s people in the directory are called “%(value)s”; add this person to the case by hand."
        ) % {"column": self.labels["person"], "value": name, "count": count}

    def validate_row(self, *, organisation: Any, row: Row) -> list[str]:
        values, problems = self.read(organisation, row)
        if values["person"]:
            count = people_named(organisation, values["person"]).count()
            if count != 1:
                problems.append(self.person_problem(values["person"], count))
        return problems

    def natural_key(self, row: Row) -> str:
        reference = row.get("reference", "").strip()
        if reference:
            return f"reference:{reference}"
        opened = parse_date(row.get("opened_on", ""))
        country = country_code(row.get("country", "")) or ""
        return f"case:{country}|{opened.isoformat() if opened else ''}|{fold(row['title'])}"

    def find_existing(self, *, organisation: Any, key: str) -> models.Model | None:
        if key.startswith("reference:"):
            reference = key.removeprefix("reference:")
            return Case.objects.filter(organisation=organisation, reference__iexact=reference).first()
        country, opened, title = key.removeprefix("case:").split("|", 2)
        day = parse_date(opened)
        if not country or day is None:
            return None
        same_day = Case.objects.filter(organisation=organisation, country=country.upper(), opened_on=day)
        return next((case for case in same_day.order_by("pk") if fold(case.title) == title), None)

    def subject(self, *, actor: Any, organisation: Any, name: str) -> Person:
        """The person at risk, among the people the importing member may see."""
        visible = Person.objects.visible_to(actor, organisation=organisation)
        people = list(visible.filter(pk__in=people_named(organisation, name).values("pk"))[:2])
        if len(people) != 1:
            raise ValidationError(self.person_problem(name, len(people)))
        return people[0]

    def apply_row(self, *, actor: Any, organisation: Any, row: Row, existing: models.Model | None) -> tuple[Any, bool]:
        values, problems = self.read(organisation, row)
        if problems:
            raise ValidationError(problems)
        person = (
            self.subject(actor=actor, organisation=organisation, name=values["person"]) if values["person"] else None
        )
        role = values["role"] or CaseSubject.Role.LAWYER_AT_RISK
        try:
            if not isinstance(existing, Case):
                case = case_open(
                    actor=actor,
                    organisation=organisation,
                    reference=values["reference"],
                    title=values["title"],
                    country=values["country"],
                    lead=values["lead"] or actor,
                    status=values["status"] or Case.Status.INTAKE,
                    risk_level=values["risk_level"] or Case.Risk.UNKNOWN,
                    risk_reason=str(IMPORTED_RISK_REASON) if values["risk_level"] else "",
                    sensitivity=values["sensitivity"] or Sensitivity.INTERNAL,
                    opened_on=values["opened_on"],
                    programmes=values["programmes"],
                    tags=values["tags"],
                    subjects=[(person, role)] if person is not None else [],
                )
                return case, True
            case = existing
            programmes = list(case.programmes.values_list("programme", flat=True))
            case = case_update(
                actor=actor,
                case=case,
                title=values["title"],
                summary=case.summary,
                country=values["country"],
                status=values["status"] or case.status,
                sensitivity=values["sensitivity"] or case.sensitivity,
                lead=values["lead"] or case.lead,
                opened_on=values["opened_on"],
                closed_on=case.closed_on,
                programmes=programmes + [p for p in values["programmes"] if p not in programmes],
                tags=list(case.tags) + [t for t in values["tags"] if t not in case.tags],
            )
            if values["risk_level"] and values["risk_level"] != case.risk_level:
                risk_assess(actor=actor, case=case, level=values["risk_level"], reason=str(IMPORTED_RISK_REASON))
            if person is not None and not case.subjects.filter(person=person, role=role).exists():
                subject_add(actor=actor, case=case, person=person, role=role)
            return case, False
        except PermissionDenied as exc:
            raise refused(exc) from exc


def register() -> None:
    """Make the case importer available (from the app's `ready()`; safe to call twice)."""
    imports.register(CaseImporter())
