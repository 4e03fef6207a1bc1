"""Importing people and institutions from the spreadsheets organisations keep (CSV or XLSX).

The import framework (`defensor.core.imports`) reads the file, proposes the columns, shows
a preview and applies the rows in one transaction; this module says what a row of people
or institutions means. Values are read the way people type them: a country as its ISO code
or its name in English or Russian, a profession as its code or its label, several values in
one cell separated by ";". Every row goes through the directory services, which check,
validate and audit; nothing here writes a model directly.

A re-import never erases: an empty cell leaves the value in the directory as it is, lists
(aliases, professions, languages) are merged, and new notes are added below the old ones.

The parsing helpers (countries, languages, sensitivity, lists) are shared with the case
importer.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from babel import Locale
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from defensor.core import imports, iso
from defensor.core.imports import Importer, ImportField, Row
from defensor.core.models import Sensitivity
from defensor.directory.models import (
    ContactChannel,
    ContactKind,
    Gender,
    Institution,
    InstitutionKind,
    LanguageLevel,
    NameKey,
    Person,
    Profession,
)
from defensor.directory.names import name_key, transliterate
from defensor.directory.services import (
    contact_add,
    email_index,
    institution_create,
    institution_update,
    person_create,
    person_update,
)

LIST_SEPARATOR = ";"
# A language listed without its level ("Russian; English") is recorded at this level; the
# person's page shows it and it can be corrected there. A level already recorded is kept.
DEFAULT_LANGUAGE_LEVEL = LanguageLevel.B1
EARLIEST_BIRTH_YEAR = 1900


# ------------------------------------------------------------------ reading values


def fold(text: str) -> str:
    """A value as compared with the words we know: no case, no accents, no punctuation."""
    text = unicodedata.normalize("NFKD", text.casefold().replace("ё", "е"))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def split_list(value: str) -> list[str]:
    """The items of a cell that holds several, separated by ";" (blank items dropped, order kept)."""
    items: list[str] = []
    for item in value.split(LIST_SEPARATOR):
        item = item.strip()
        if item and item not in items:
            items.append(item)
    return items


def _labels_in(language: str, choices: Sequence[tuple[str, Any]]) -> list[tuple[str, str]]:
    with translation.override(language):
        return [(code, str(label)) for code, label in choices]


class Words:
    """The codes of a list of choices and the words people write for them, in English and Russian.

    `synonyms` adds the words the interface does not use (abbreviations, Russian words
    while the Russian translation is not there yet); labels in both languages count too.
    """

    def __init__(self, choices: type[models.TextChoices], synonyms: dict[str, Iterable[str]] | None = None) -> None:
        self._choices = choices
        self._synonyms = synonyms or {}
        self._table: dict[str, str] | None = None

    def _pairs(self) -> list[tuple[str, Any]]:
        return list(self._choices.choices)

    def table(self) -> dict[str, str]:
        if self._table is None:
            pairs = self._pairs()
            table: dict[str, str] = {}
            for code, words in self._synonyms.items():
                for word in words:
                    table.setdefault(fold(word), code)
            for language in ("en", "ru"):
                for code, label in _labels_in(language, pairs):
                    table.setdefault(fold(label), code)
            for code, _label in pairs:
                table[fold(code)] = code
            self._table = table
        return self._table

    def lookup(self, value: str) -> str | None:
        return self.table().get(fold(value))

    def listing(self) -> str:
        """The choices as the user reads them, for a message."""
        return ", ".join(str(label) for _code, label in self._pairs())


SENSITIVITIES = Words(
    Sensitivity,
    {
        Sensitivity.PUBLIC: ("открыто", "открытый", "публичный", "публично", "общедоступно"),
        Sensitivity.INTERNAL: ("внутренний", "внутреннее", "для служебного пользования", "дсп"),
        Sensitivity.CONFIDENTIAL: ("конфиденциально", "конфиденциальный", "конфиденциальное"),
        Sensitivity.SECRET: ("секретно", "секретный", "секретное", "совершенно секретно"),
    },
)
GENDERS = Words(
    Gender,
    {
        Gender.FEMALE: ("f", "w", "woman", "ж", "жен", "женский", "женщина"),
        Gender.MALE: ("m", "man", "м", "муж", "мужской", "мужчина"),
        Gender.OTHER: ("другой", "другое", "иной"),
        Gender.UNSPECIFIED: ("unknown", "не указан", "не указано", "неизвестно"),
    },
)
PROFESSIONS = Words(
    Profession,
    {
        Profession.LAWYER: ("юрист", "юристка"),
        Profession.ADVOCATE: ("advocate", "адвокат", "адвокатесса"),
        Profession.HRD: ("hrd", "human rights defender", "правозащитник", "правозащитница"),
        Profession.JOURNALIST: ("журналист", "журналистка"),
        Profession.JUDGE: ("судья",),
        Profession.PROSECUTOR: ("прокурор",),
        Profession.OFFICIAL: ("чиновник", "должностное лицо", "госслужащий"),
        Profession.EXPERT: ("эксперт",),
        Profession.VOLUNTEER: ("волонтер", "доброволец"),
        Profession.INTERPRETER: ("translator", "переводчик", "переводчица"),
        Profession.ACADEMIC: ("researcher", "учёный", "ученый", "преподаватель", "исследователь"),
        Profession.DIPLOMAT: ("дипломат",),
        Profession.ACTIVIST: ("активист", "активистка"),
        Profession.OTHER: ("другое",),
    },
)
INSTITUTION_KINDS = Words(
    InstitutionKind,
    {
        InstitutionKind.COURT: ("суд", "tribunal"),
        InstitutionKind.PROSECUTOR: ("prosecutor", "prosecution", "прокуратура"),
        InstitutionKind.MINISTRY: ("министерство", "ministry of justice", "министерство юстиции"),
        InstitutionKind.PRESIDENTIAL_ADMINISTRATION: ("администрация президента", "president s office"),
        InstitutionKind.PARLIAMENT: ("парламент",),
        InstitutionKind.BAR_ASSOCIATION: ("bar", "law society", "коллегия адвокатов", "адвокатская палата"),
        InstitutionKind.POLICE: ("полиция", "милиция"),
        InstitutionKind.SECURITY_SERVICE: ("спецслужба", "служба безопасности"),
        InstitutionKind.PRISON: ("prison", "detention facility", "тюрьма", "колония", "сизо", "исправительная колония"),
        InstitutionKind.OMBUDSPERSON: ("ombudsman", "ombudsperson", "омбудсмен", "уполномоченный по правам человека"),
        InstitutionKind.UN_BODY: ("un", "united nations", "оон", "орган оон"),
        InstitutionKind.REGIONAL_BODY: ("региональный орган", "региональная организация"),
        InstitutionKind.EMBASSY: ("посольство",),
        InstitutionKind.PARTNER_NGO: ("ngo", "partner", "нко", "нпо", "партнер", "партнерская организация"),
        InstitutionKind.DONOR: ("донор", "фонд"),
        InstitutionKind.MEDIA: ("сми", "медиа"),
        InstitutionKind.OTHER: ("другое",),
    },
)

# Country names people write that CLDR spells another way, in English and Russian.
COUNTRY_SYNONYMS = {
    "TR": ("Turkey", "Republic of Turkey", "Турецкая Республика"),
    "RU": ("Russian Federation", "Российская Федерация", "РФ"),
    "KZ": ("Republic of Kazakhstan", "Республика Казахстан"),
    "KG": ("Kirghizia", "Kyrgyz Republic", "Кыргызстан", "Кыргызская Республика"),
    "TJ": ("Republic of Tajikistan", "Республика Таджикистан"),
    "UZ": ("Republic of Uzbekistan", "Республика Узбекистан"),
    "TM": ("Туркменистан", "Туркмения"),
    "BY": ("Republic of Belarus", "Республика Беларусь", "Белоруссия"),
    "MD": ("Republic of Moldova", "Молдавия"),
    "US": ("USA", "United States of America", "США"),
    "GB": ("UK", "Great Britain", "Великобритания"),
    "SY": ("Syrian Arab Republic", "Сирийская Арабская Республика"),
    "CO": ("Republic of Colombia",),
    "PH": ("Republic of the Philippines",),
    # Crimea, under occupation, is recorded as part of Ukraine.
    "UA": ("Crimea", "Republic of Crimea", "Крым", "Республика Крым"),
}


@cache
def _country_table() -> dict[str, str]:
    known = iso.country_codes()
    table: dict[str, str] = {}
    for language in ("en", "ru"):
        for code, name in Locale.parse(language).territories.items():
            if isinstance(code, str) and code in known:
                table.setdefault(fold(str(name)), code)
    for code, names in COUNTRY_SYNONYMS.items():
        for name in names:
            table.setdefault(fold(name), code)
    for code in known:
        table[fold(code)] = code
    return table


def country_code(value: str) -> str | None:
    """An ISO 3166 code from a code or a country name in English or Russian; None if unknown."""
    return _country_table().get(fold(value))


@cache
def _language_table() -> dict[str, str]:
    known = iso.language_codes()
    table: dict[str, str] = {}
    for language in ("en", "ru"):
        for code, name in Locale.parse(language).languages.items():
            if isinstance(code, str) and code in known:
                table.setdefault(fold(str(name)), code)
    for code in known:
        table[fold(code)] = code
    return table


def language_code(value: str) -> str | None:
    """An ISO 639-1 code from a code or a language name in English or Russian; None if unknown."""
    return _language_table().get(fold(value))


LANGUAGE_LEVELS = Words(LanguageLevel, {LanguageLevel.NATIVE: ("mother tongue", "родной", "родной язык")})
_LANGUAGE_WITH_LEVEL = re.compile(r"^(?P<language>[^():]+?)\s*(?:\((?P<bracketed>[^()]*)\)|:\s*(?P<after>.+))?$")


def country_problem(column: Any, value: str) -> str:
    return _(
        "%(column)s: “%(value)s” is not a country we know. Write its two-letter ISO code (KZ) "
        "or its name in English or Russian."
    ) % {"column": column, "value": value}


def choice_problem(column: Any, value: str, words: Words) -> str:
    return _("%(column)s: “%(value)s” is not one of the choices (%(choices)s).") % {
        "column": column,
        "value": value,
        "choices": words.listing(),
    }


def read_country(column: Any, value: str, problems: list[str]) -> str:
    if not value:
        return ""
    code = country_code(value)
    if code is None:
        problems.append(country_problem(column, value))
        return ""
    return code


def read_choice(column: Any, value: str, words: Words, problems: list[str]) -> str:
    if not value:
        return ""
    code = words.lookup(value)
    if code is None:
        problems.append(choice_problem(column, value, words))
        return ""
    return code


def read_choices(column: Any, value: str, words: Words, problems: list[str]) -> list[str]:
    codes: list[str] = []
    for item in split_list(value):
        code = read_choice(column, item, words, problems)
        if code and code not in codes:
            codes.append(code)
    return codes


def read_languages(column: Any, value: str, problems: list[str]) -> list[tuple[str, str]]:
    """("ru", "native") pairs from "Russian (native); en: B2; Turkish"; level "" when not given."""
    found: list[tuple[str, str]] = []
    for item in split_list(value):
        match = _LANGUAGE_WITH_LEVEL.match(item)
        name = match.group("language").strip() if match else item
        level_text = ((match.group("bracketed") or match.group("after") or "") if match else "").strip()
        code = language_code(name)
        if code is None:
            problems.append(
                _(
                    "%(column)s: “%(value)s” is not a language we know. Write its two-letter ISO code (ru) "
                    "or its name in English or Russian."
                )
                % {"column": column, "value": name}
            )
            continue
        level = ""
        if level_text:
            level = LANGUAGE_LEVELS.lookup(level_text) or ""
            if not level:
                problems.append(
                    _("%(column)s: “%(value)s” is not a language level (%(choices)s).")
                    % {"column": column, "value": level_text, "choices": LANGUAGE_LEVELS.listing()}
                )
                continue
        if any(existing == code for existing, _level in found):
            problems.append(
                _("%(column)s: %(value)s is listed twice.") % {"column": column, "value": iso.language_name(code)}
            )
            continue
        found.append((code, level))
    return found


def read_birth_year(column: Any, value: str, problems: list[str]) -> str:
    if not value:
        return ""
    text = value.strip()
    if re.fullmatch(r"\d{4}\.0+", text):
        text = text.split(".")[0]  # a year typed into a number cell
    if not re.fullmatch(r"\d{4}", text) or not EARLIEST_BIRTH_YEAR <= int(text) <= datetime.date.today().year:
        problems.append(
            _("%(column)s: “%(value)s” is not a year of birth. Write the year in four digits, such as 1975.")
            % {"column": column, "value": value}
        )
        return ""
    return text


def read_email(column: Any, value: str, problems: list[str]) -> str:
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        problems.append(_("%(column)s: “%(value)s” is not an email address.") % {"column": column, "value": value})
        return ""
    return value.strip().lower()


def read_phone(column: Any, value: str, problems: list[str]) -> str:
    if not value:
        return ""
    try:
        ContactChannel(kind=ContactKind.PHONE, value=value).clean()
    except ValidationError:
        problems.append(
            _("%(column)s: “%(value)s” is not a phone number. Use digits and spaces, with a leading + if needed.")
            % {"column": column, "value": value}
        )
        return ""
    return value.strip()


def too_long(
    model: type[models.Model], values: dict[str, Any], labels: dict[str, str], fields: Iterable[str]
) -> list[str]:
    """Messages for the values longer than their model field allows."""
    problems = []
    for field in fields:
        limit = int(getattr(model._meta.get_field(field), "max_length", 0) or 0)
        if limit and len(values[field]) > limit:
            problems.append(
                _("%(column)s: the value is longer than %(max)s characters.") % {"column": labels[field], "max": limit}
            )
    return problems


def refused(exc: PermissionDenied) -> ValidationError:
    """A service's refusal as a row error: the import lists it instead of failing as a whole."""
    reason = str(exc) or _("You do not have permission to do this.")
    return ValidationError(_("This row was refused: %(reason)s") % {"reason": reason})


def _field(
    name: str, label: Any, *, required: bool = False, help: Any = "", aliases: Sequence[str] = ()
) -> ImportField:
    return ImportField(name, label, required=required, help=help, aliases=tuple(aliases))


# ------------------------------------------------------------------ people

EXTERNAL_ID = _field(
    "external_id",
    gettext_lazy("External id"),
    help=gettext_lazy("Your own number or code for the row's record: importing the same id again updates it."),
    aliases=("id", "external id", "ext id", "record id", "Идентификатор", "Внешний идентификатор", "Код", "ID"),
)


def person_fields() -> tuple[ImportField, ...]:
    return (
        EXTERNAL_ID,
        _field(
            "name",
            gettext_lazy("Name"),
            required=True,
            help=gettext_lazy("As written in the original script."),
            aliases=("name", "full name", "person", "ФИО", "Ф.И.О.", "Имя", "Полное имя", "Фамилия, имя, отчество"),
        ),
        _field(
            "name_latin",
            gettext_lazy("Name in Latin script"),
            aliases=("latin name", "name latin", "name in latin", "transliteration", "Имя латиницей", "ФИО латиницей"),
        ),
        _field(
            "aliases",
            gettext_lazy("Other names and spellings"),
            help=gettext_lazy("Separated by “;”."),
            aliases=("aliases", "alias", "other names", "also known as", "aka", "Другие имена", "Псевдонимы"),
        ),
        _field("gender", gettext_lazy("Gender"), aliases=("gender", "sex", "Пол")),
        _field(
            "birth_year",
            gettext_lazy("Year of birth"),
            aliases=("birth year", "year of birth", "born", "Год рождения", "Г.р."),
        ),
        _field(
            "nationality",
            gettext_lazy("Nationality"),
            help=gettext_lazy("An ISO code (TM) or the country's name in English or Russian."),
            aliases=("nationality", "citizenship", "Гражданство", "Страна гражданства"),
        ),
        _field(
            "residence_country",
            gettext_lazy("Country of residence"),
            help=gettext_lazy("An ISO code (TM) or the country's name in English or Russian."),
            aliases=("residence", "country", "country of residence", "Страна проживания", "Страна", "Место жительства"),
        ),
        _field(
            "professions",
            gettext_lazy("Professions"),
            help=gettext_lazy("Codes or names separated by “;”: lawyer; human rights defender."),
            aliases=("profession", "professions", "occupation", "Профессия", "Профессии", "Род занятий"),
        ),
        _field(
            "languages",
            gettext_lazy("Languages"),
            help=gettext_lazy(
                "Codes or names separated by “;”, each with its level in brackets when known: "
                "Russian (native); en (B2)."
            ),
            aliases=("language", "languages", "Язык", "Языки", "Владение языками"),
        ),
        _field(
            "email",
            gettext_lazy("Email"),
            aliases=("email", "e-mail", "email address", "Электронная почта", "Эл. почта", "Почта", "Email адрес"),
        ),
        _field("phone", gettext_lazy("Phone"), aliases=("phone", "telephone", "mobile", "Телефон", "Мобильный")),
        _field(
            "notes",
            gettext_lazy("Notes"),
            aliases=("notes", "note", "comments", "comment", "Примечания", "Примечание", "Комментарий", "Заметки"),
        ),
        _field(
            "sensitivity",
            gettext_lazy("Sensitivity"),
            help=gettext_lazy("Public, internal (the default), confidential or secret."),
            aliases=(
                "sensitivity",
                "classification",
                "confidentiality",
                "Конфиденциальность",
                "Гриф",
                "Уровень доступа",
            ),
        ),
    )


def _year_of(birth_date: str) -> str:
    return birth_date[:4] if birth_date else ""


def people_named(organisation: Any, name: str) -> models.QuerySet[Person]:
    """The organisation's people one of whose names has the same comparison key as `name`."""
    key = name_key(name)
    if not key:
        return Person.objects.none()
    ids = NameKey.objects.filter(organisation=organisation, key=key).values("person_id")
    return Person.objects.filter(organisation=organisation, pk__in=ids).order_by("pk")


class PersonImporter(Importer):
    """People of the directory: one row a person; the same person again is updated, never doubled."""

    kind = "directory.person"
    label = gettext_lazy("People")
    help = gettext_lazy(
        "A person already in the directory (same name in any script and same year of birth, or the same "
        "external id) is updated: empty cells change nothing, lists are merged, notes are added."
    )
    model = Person

    def __init__(self) -> None:
        self.fields = person_fields()
        self.labels = self.field_labels()

    # -- reading a row

    def read(self, row: Row) -> tuple[dict[str, Any], list[str]]:
        """The row's values as the services take them, and what is wrong with it."""
        problems: list[str] = []
        label = self.labels
        values: dict[str, Any] = {
            "external_id": row.get("external_id", "").strip(),
            "name": row["name"].strip(),
            "name_latin": row.get("name_latin", "").strip(),
            "aliases": split_list(row.get("aliases", "")),
            "gender": read_choice(label["gender"], row.get("gender", ""), GENDERS, problems),
            "birth_year": read_birth_year(label["birth_year"], row.get("birth_year", ""), problems),
            "nationality": read_country(label["nationality"], row.get("nationality", ""), problems),
            "residence_country": read_country(label["residence_country"], row.get("residence_country", ""), problems),
            "professions": read_choices(label["professions"], row.get("professions", ""), PROFESSIONS, problems),
            "languages": read_languages(label["languages"], row.get("languages", ""), problems),
            "email": read_email(label["email"], row.get("email", ""), problems),
            "phone": read_phone(label["phone"], row.get("phone", ""), problems),
            "notes": row.get("notes", "").strip(),
            "sensitivity": read_choice(label["sensitivity"], row.get("sensitivity", ""), SENSITIVITIES, problems),
        }
        if values["name"] and not name_key(values["name"]):
            problems.append(
                _("%(column)s: “%(value)s” has no letters to recognise the person by.")
                % {"column": label["name"], "value": values["name"]}
            )
        problems.extend(too_long(Person, values, label, ("name", "name_latin")))
        return values, problems

    def validate_row(self, *, organisation: Any, row: Row) -> list[str]:
        values, problems = self.read(row)
        if not problems and not values["external_id"]:
            try:
                self.match(organisation, values)
            except ValidationError as exc:
                problems.extend(exc.messages)
        return problems

    def natural_key(self, row: Row) -> str:
        external_id = row.get("external_id", "").strip()
        if external_id:
            return f"id:{external_id}"
        year = read_birth_year("", row.get("birth_year", ""), [])
        return f"name:{name_key(row['name'])}|{year}"

    # -- finding the person a row describes

    def match(self, organisation: Any, values: dict[str, Any]) -> Person | None:
        """The person the row's name and year of birth designate; see `match_key`."""
        return self.match_key(organisation, name_key(values["name"]), values["birth_year"], shown=values["name"])

    def match_key(self, organisation: Any, key: str, year: str, *, shown: str = "") -> Person | None:
        """The one person with this name key (of any of their names) and a compatible year of birth.

        A person whose year of birth is not recorded matches a row with one, and the other way round.
        Raises ValidationError when several people match: the row cannot say which one it means.
        """
        if not key:
            return None
        names = NameKey.objects.filter(organisation=organisation, key=key).values("person_id")
        candidates = list(Person.objects.filter(organisation=organisation, pk__in=names).order_by("pk"))
        if year:
            exact = [p for p in candidates if _year_of(p.birth_date) == year]
            if len(exact) == 1:
                return exact[0]
            candidates = exact or [p for p in candidates if not p.birth_date]
        if len(candidates) > 1:
            raise ValidationError(
                _(
                    "%(column)s: %(count)s people in the directory are called “%(value)s”%(born)s; the row cannot "
                    "say which one it means. Add an external id column, or edit that person by hand."
                )
                % {
                    "column": self.labels["name"],
                    "count": len(candidates),
                    "value": shown or key,
                    "born": (_(", born in %(year)s") % {"year": year}) if year else "",
                }
            )
        return candidates[0] if candidates else None

    def find_existing(self, *, organisation: Any, key: str) -> models.Model | None:
        # Rows identified by an external id are matched by name in `apply_row` (the key holds only the id).
        if not key.startswith("name:"):
            return None
        name, _sep, year = key.removeprefix("name:").rpartition("|")
        return self.match_key(organisation, name, year)

    # -- writing

    def apply_row(self, *, actor: Any, organisation: Any, row: Row, existing: models.Model | None) -> tuple[Any, bool]:
        values, problems = self.read(row)
        if problems:
            raise ValidationError(problems)
        person = existing if isinstance(existing, Person) else self.match(organisation, values)
        try:
            if person is None:
                person = person_create(
                    actor=actor,
                    organisation=organisation,
                    name=values["name"],
                    name_latin=values["name_latin"],
                    aliases=values["aliases"],
                    gender=values["gender"] or Gender.UNSPECIFIED,
                    birth_date=values["birth_year"],
                    nationality=values["nationality"],
                    residence_country=values["residence_country"],
                    professions=values["professions"],
                    languages=[(code, level or DEFAULT_LANGUAGE_LEVEL) for code, level in values["languages"]],
                    notes=values["notes"],
                    sensitivity=values["sensitivity"] or Sensitivity.INTERNAL,
                )
                created = True
            else:
                changes = self.changes(person, values)
                if changes:
                    person = person_update(actor=actor, person=person, **changes)
                created = False
            self.add_contacts(actor, person, values)
        except PermissionDenied as exc:
            raise refused(exc) from exc
        return person, created

    def changes(self, person: Person, values: dict[str, Any]) -> dict[str, Any]:
        """What the row changes in a person already there; empty cells change nothing, lists are merged."""
        changes: dict[str, Any] = {}
        aliases = list(person.aliases)
        if values["name"] != person.name and name_key(values["name"]) != person.name_key:
            # Renamed (matched by external id): the old name stays findable as an alias.
            changes["name"] = values["name"]
            aliases.append(person.name)
            if not values["name_latin"] and person.name_latin == transliterate(person.name):
                changes["name_latin"] = ""  # it was made from the old name: the service makes it again
        if values["name_latin"] and values["name_latin"] != person.name_latin:
            changes["name_latin"] = values["name_latin"]
        merged = aliases + [a for a in values["aliases"] if a not in aliases]
        if merged != list(person.aliases):
            changes["aliases"] = merged
        for field in ("gender", "nationality", "residence_country", "sensitivity"):
            if values[field] and values[field] != getattr(person, field):
                changes[field] = values[field]
        if values["birth_year"] and _year_of(person.birth_date) != values["birth_year"]:
            changes["birth_date"] = values["birth_year"]
        professions = person.profession_codes()
        if any(code not in professions for code in values["professions"]):
            changes["professions"] = professions + [c for c in values["professions"] if c not in professions]
        known = {lang.language: lang.level for lang in person.languages.all()}
        wanted = dict(known)
        for code, level in values["languages"]:
            wanted[code] = level or known.get(code) or DEFAULT_LANGUAGE_LEVEL
        if wanted != known:
            changes["languages"] = list(wanted.items())
        notes = values["notes"]
        if notes and notes not in (person.notes or ""):
            changes["notes"] = f"{person.notes}\n\n{notes}" if person.notes else notes
        return changes

    def add_contacts(self, actor: Any, person: Person, values: dict[str, Any]) -> None:
        """The row's email and phone, unless the person already has them."""
        current = person.contacts.filter(archived_at__isnull=True)
        email = values["email"]
        if email:
            index = email_index(email, organisation_id=person.organisation_id)
            if not current.filter(kind=ContactKind.EMAIL, email_index=index).exists():
                contact_add(actor=actor, person=person, kind=ContactKind.EMAIL, value=email)
        phone = values["phone"]
        if phone:
            digits = re.sub(r"\D", "", phone)
            known = {re.sub(r"\D", "", contact.value) for contact in current.filter(kind=ContactKind.PHONE)}
            if digits not in known:
                contact_add(actor=actor, person=person, kind=ContactKind.PHONE, value=phone)


# ------------------------------------------------------------------ institutions


def institution_fields() -> tuple[ImportField, ...]:
    return (
        EXTERNAL_ID,
        _field(
            "name",
            gettext_lazy("Name"),
            required=True,
            help=gettext_lazy("In the original language or script."),
            aliases=("name", "institution", "organisation", "organization", "Название", "Наименование", "Учреждение"),
        ),
        _field(
            "name_latin",
            gettext_lazy("Name in Latin script or English"),
            aliases=("english name", "name in english", "latin name", "Название на английском", "Название латиницей"),
        ),
        _field(
            "kind",
            gettext_lazy("Kind"),
            help=gettext_lazy("Court, prosecutor's office, ministry, bar association, UN body…; “other” when empty."),
            aliases=("kind", "type", "category", "Тип", "Вид", "Категория"),
        ),
        _field(
            "country",
            gettext_lazy("Country"),
            help=gettext_lazy("An ISO code (TM) or the country's name in English or Russian."),
            aliases=("country", "Страна", "Государство"),
        ),
        _field(
            "parent",
            gettext_lazy("Part of"),
            help=gettext_lazy(
                "The name of the institution it belongs to: already in the directory, or in an earlier row."
            ),
            aliases=("parent", "part of", "belongs to", "Входит в", "Вышестоящая организация", "Подразделение"),
        ),
        _field(
            "postal_address",
            gettext_lazy("Postal address for letters"),
            aliases=("address", "postal address", "Адрес", "Почтовый адрес"),
        ),
        _field(
            "email",
            gettext_lazy("Email for letters"),
            aliases=("email", "e-mail", "Электронная почта", "Эл. почта", "Почта"),
        ),
        _field(
            "salutation_en",
            gettext_lazy("Salutation in English"),
            aliases=("salutation", "salutation en", "salutation english", "Dear", "Обращение на английском"),
        ),
        _field(
            "salutation_ru",
            gettext_lazy("Salutation in Russian"),
            aliases=("salutation ru", "salutation russian", "Обращение", "Обращение на русском"),
        ),
        _field("website", gettext_lazy("Website"), aliases=("website", "web site", "url", "site", "Сайт", "Веб-сайт")),
    )


def institutions_named(organisation: Any, name: str) -> list[Institution]:
    """The organisation's institutions whose name or Latin name is `name` (without case or accents)."""
    wanted = fold(name)
    rows = Institution.objects.filter(organisation=organisation).values_list("pk", "name", "name_latin")
    ids = [pk for pk, original, latin in rows if wanted in (fold(original), fold(latin or ""))]
    return list(Institution.objects.filter(pk__in=ids).order_by("pk"))


class InstitutionImporter(Importer):
    """Institutions of the directory: courts, prosecutors, ministries, bar associations, UN bodies, partners."""

    kind = "directory.institution"
    label = gettext_lazy("Institutions")
    help = gettext_lazy(
        "An institution already in the directory (same kind, country and name, or the same external id) is "
        "updated: empty cells change nothing."
    )
    model = Institution

    def __init__(self) -> None:
        self.fields = institution_fields()
        self.labels = self.field_labels()

    def read(self, row: Row) -> tuple[dict[str, Any], list[str]]:
        problems: list[str] = []
        label = self.labels
        values: dict[str, Any] = {
            "external_id": row.get("external_id", "").strip(),
            "name": row["name"].strip(),
            "name_latin": row.get("name_latin", "").strip(),
            "kind": read_choice(label["kind"], row.get("kind", ""), INSTITUTION_KINDS, problems)
            or InstitutionKind.OTHER,
            "country": read_country(label["country"], row.get("country", ""), problems),
            "parent": row.get("parent", "").strip(),
            "postal_address": row.get("postal_address", "").strip(),
            "email": read_email(label["email"], row.get("email", ""), problems),
            "salutations": {
                language: row.get(f"salutation_{language}", "").strip()
                for language in ("en", "ru")
                if row.get(f"salutation_{language}", "").strip()
            },
            "website": row.get("website", "").strip(),
        }
        website = values["website"]
        if website and not re.match(r"^https?://", website, re.IGNORECASE):
            website = values["website"] = f"https://{website}"
        if website:
            try:
                Institution._meta.get_field("website").clean(website, None)  # type: ignore[attr-defined]
            except ValidationError:
                problems.append(
                    _("%(column)s: “%(value)s” is not a web address.")
                    % {"column": label["website"], "value": row.get("website", "")}
                )
        problems.extend(too_long(Institution, values, label, ("name", "name_latin")))
        if values["parent"] and fold(values["parent"]) in (fold(values["name"]), fold(values["name_latin"])):
            problems.append(_("%(column)s: an institution cannot be part of itself.") % {"column": label["parent"]})
        return values, problems

    def validate_row(self, *, organisation: Any, row: Row) -> list[str]:
        values, problems = self.read(row)
        # A parent not in the directory yet may come in an earlier row of the same file.
        if values["parent"] and len(institutions_named(organisation, values["parent"])) > 1:
            problems.append(self._ambiguous_parent(values["parent"]))
        return problems

    def _ambiguous_parent(self, name: str) -> str:
        return _(
            "%(column)s: several institutions in the directory are called “%(value)s”; set this one's parent by hand."
        ) % {"column": self.labels["parent"], "value": name}

    def natural_key(self, row: Row) -> str:
        external_id = row.get("external_id", "").strip()
        if external_id:
            return f"id:{external_id}"
        kind = INSTITUTION_KINDS.lookup(row.get("kind", "")) or InstitutionKind.OTHER
        country = country_code(row.get("country", "")) or ""
        return f"institution:{kind}|{country}|{fold(row['name'])}"

    def match(self, organisation: Any, kind: str, country: str, name: str) -> Institution | None:
        same = [
            i for i in institutions_named(organisation, name) if i.kind == kind and i.country.upper() == country.upper()
        ]
        if len(same) > 1:
            raise ValidationError(
                _("Several institutions in the directory have this kind, country and name; edit the right one by hand.")
            )
        return same[0] if same else None

    def find_existing(self, *, organisation: Any, key: str) -> models.Model | None:
        if not key.startswith("institution:"):
            return None
        kind, country, name = key.removeprefix("institution:").split("|", 2)
        return self.match(organisation, kind, country, name)

    def apply_row(self, *, actor: Any, organisation: Any, row: Row, existing: models.Model | None) -> tuple[Any, bool]:
        values, problems = self.read(row)
        if problems:
            raise ValidationError(problems)
        parent = None
        if values["parent"]:
            parents = institutions_named(organisation, values["parent"])
            if len(parents) > 1:
                raise ValidationError(self._ambiguous_parent(values["parent"]))
            if not parents:
                raise ValidationError(
                    _("%(column)s: there is no institution called “%(value)s” in the directory or in an earlier row.")
                    % {"column": self.labels["parent"], "value": values["parent"]}
                )
            parent = parents[0]
        institution = existing if isinstance(existing, Institution) else None
        if institution is None and values["external_id"]:
            institution = self.match(organisation, values["kind"], values["country"], values["name"])
        try:
            if institution is None:
                institution = institution_create(
                    actor=actor,
                    organisation=organisation,
                    name=values["name"],
                    name_latin=values["name_latin"],
                    kind=values["kind"],
                    country=values["country"],
                    parent=parent,
                    postal_address=values["postal_address"],
                    email=values["email"],
                    salutations=values["salutations"],
                    website=values["website"],
                )
                return institution, True
            changes: dict[str, Any] = {}
            for field in ("name", "name_latin", "country", "postal_address", "email", "website"):
                if values[field] and values[field] != getattr(institution, field):
                    changes[field] = values[field]
            if row.get("kind", "").strip() and values["kind"] != institution.kind:
                changes["kind"] = values["kind"]
            if parent is not None and parent.pk != institution.parent_id:
                changes["parent"] = parent
            salutations = {**(institution.salutations or {}), **values["salutations"]}
            if salutations != (institution.salutations or {}):
                changes["salutations"] = salutations
            if changes:
                institution = institution_update(actor=actor, institution=institution, **changes)
            return institution, False
        except PermissionDenied as exc:
            raise refused(exc) from exc


def register() -> None:
    """Make the people and institution importers available (from the app's `ready()`; safe to call twice)."""
    imports.register(PersonImporter())
    imports.register(InstitutionImporter())
