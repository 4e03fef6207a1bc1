"""Questionnaire versions as data files (TOML): read, check, and write them into the database.

The file format is the one of `data/questionnaire-v1.toml`: a label, titles in English and
Russian, and `[[sections]]` (code A…M) holding `[[sections.questions]]`. Reading checks
everything — codes, answer types, parts, choices, guarantees that exist in the standards
catalogue — and reports every problem at once; nothing is written from a bad file.
`build()` takes the model classes so that a data migration can use its historical models.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED_V1 = DATA_DIR / "questionnaire-v1.toml"

ANSWER_TYPES = ("bool3", "choice", "number", "time", "date", "text")
PARTS = ("fact", "assessment")
SECTION_CODE = re.compile(r"^[A-Z]$")
CHOICE_CODE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
MAX_SIZE = 1_000_000


class QuestionnaireFileError(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class QuestionSpec:
    code: str
    answer_type: str
    part: str
    text_en: str
    text_ru: str
    help_en: str = ""
    help_ru: str = ""
    required: bool = False
    provisions: list[str] = field(default_factory=list)
    choices: list[dict[str, str]] = field(default_factory=list)


@dataclass
class SectionSpec:
    code: str
    title_en: str
    title_ru: str
    questions: list[QuestionSpec] = field(default_factory=list)


@dataclass
class QuestionnaireSpec:
    label: str
    title_en: str
    title_ru: str
    sections: list[SectionSpec] = field(default_factory=list)

    @property
    def question_count(self) -> int:
        return sum(len(s.questions) for s in self.sections)

    def provision_codes(self) -> set[str]:
        return {code for s in self.sections for q in s.questions for code in q.provisions}


def _text(table: dict[str, Any], key: str, where: str, problems: list[str], *, required: bool = True) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        problems.append(f"{where}: {key} must be text")
        return ""
    if required and not value.strip():
        problems.append(f"{where}: {key} is missing")
    return value.strip()


def _question(raw: Any, section: str, where: str, problems: list[str]) -> QuestionSpec | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: a question must be a table")
        return None
    code = _text(raw, "code", where, problems)
    where = f"{where} ({code or '?'})"
    if code and not re.match(rf"^{re.escape(section)}\.[a-z][a-z0-9_]*$", code):
        problems.append(f"{where}: the code must be the section letter, a dot and a lowercase name")
    answer_type = raw.get("type")
    if answer_type not in ANSWER_TYPES:
        problems.append(f"{where}: type must be one of {', '.join(ANSWER_TYPES)}")
    part = raw.get("part", "fact")
    if part not in PARTS:
        problems.append(f"{where}: part must be fact or assessment")
    required = raw.get("required", False)
    if not isinstance(required, bool):
        problems.append(f"{where}: required must be true or false")
    provisions = raw.get("provisions", [])
    if not isinstance(provisions, list) or not all(isinstance(p, str) for p in provisions):
        problems.append(f"{where}: provisions must be a list of guarantee codes")
        provisions = []
    choices = raw.get("choices", [])
    clean_choices: list[dict[str, str]] = []
    if answer_type == "choice":
        if not isinstance(choices, list) or not choices:
            problems.append(f"{where}: a choice question needs choices")
        else:
            seen: set[str] = set()
            for choice in choices:
                if not isinstance(choice, dict) or not all(
                    isinstance(choice.get(k), str) for k in ("code", "en", "ru")
                ):
                    problems.append(f"{where}: each choice needs a code, en and ru")
                    continue
                if not CHOICE_CODE.match(choice["code"]) or choice["code"] in seen:
                    problems.append(f"{where}: choice code {choice['code']!r} is invalid or repeated")
                seen.add(choice["code"])
                clean_choices.append({"code": choice["code"], "en": choice["en"], "ru": choice["ru"]})
    elif choices:
        problems.append(f"{where}: only a choice question has choices")
    unknown = (
        set(raw)
        - {"code", "type", "part", "text_en", "text_ru", "help_en", "help_ru", "required"}
        - {
            "provisions",
            "choices",
        }
    )
    if unknown:
        problems.append(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    return QuestionSpec(
        code=code,
        answer_type=str(answer_type),
        part=str(part),
        text_en=_text(raw, "text_en", where, problems),
        text_ru=_text(raw, "text_ru", where, problems),
        help_en=_text(raw, "help_en", where, problems, required=False),
        help_ru=_text(raw, "help_ru", where, problems, required=False),
        required=bool(required),
        provisions=list(dict.fromkeys(provisions)),
        choices=clean_choices,
    )


def parse(content: bytes | str, *, known_provisions: set[str] | None = None, name: str = "file") -> QuestionnaireSpec:
    """Read and check a questionnaire file; raise `QuestionnaireFileError` listing every problem."""
    if isinstance(content, bytes):
        if len(content) > MAX_SIZE:
            raise QuestionnaireFileError([f"{name}: the file is larger than {MAX_SIZE} bytes"])
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise QuestionnaireFileError([f"{name}: the file is not UTF-8 text"]) from exc
    try:
        data = tomllib.loads(content)
    except tomllib.TOMLDecodeError as exc:
        raise QuestionnaireFileError([f"{name}: not a valid TOML file ({exc})"]) from exc
    problems: list[str] = []
    spec = QuestionnaireSpec(
        label=_text(data, "label", name, problems),
        title_en=_text(data, "title_en", name, problems),
        title_ru=_text(data, "title_ru", name, problems),
    )
    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        problems.append(f"{name}: the file has no [[sections]]")
        sections = []
    section_codes: set[str] = set()
    question_codes: set[str] = set()
    for index, raw in enumerate(sections, start=1):
        where = f"{name}: section {index}"
        if not isinstance(raw, dict):
            problems.append(f"{where} must be a table")
            continue
        code = _text(raw, "code", where, problems)
        if code and (not SECTION_CODE.match(code) or code in section_codes):
            problems.append(f"{where}: section code {code!r} must be one capital letter, used once")
        section_codes.add(code)
        section = SectionSpec(
            code=code,
            title_en=_text(raw, "title_en", where, problems),
            title_ru=_text(raw, "title_ru", where, problems),
        )
        for q_index, raw_question in enumerate(raw.get("questions") or [], start=1):
            question = _question(raw_question, code, f"{where}, question {q_index}", problems)
            if question is None:
                continue
            if question.code in question_codes:
                problems.append(f"{where}: question code {question.code} is used twice")
            question_codes.add(question.code)
            section.questions.append(question)
        if not section.questions:
            problems.append(f"{where}: the section has no questions")
        spec.sections.append(section)
    if known_provisions is not None:
        for missing in sorted(spec.provision_codes() - known_provisions):
            problems.append(f"{name}: guarantee {missing} is not in the standards catalogue")
    if problems:
        raise QuestionnaireFileError(problems)
    return spec


def build(
    spec: QuestionnaireSpec,
    *,
    questionnaire_model: Any,
    section_model: Any,
    question_model: Any,
    provision_model: Any,
    organisation: Any = None,
    source: str = "",
    label: str | None = None,
) -> Any:
    """Write a checked spec as a new draft version; returns the questionnaire row."""
    questionnaire = questionnaire_model.objects.create(
        organisation=organisation,
        label=label or spec.label,
        title_en=spec.title_en,
        title_ru=spec.title_ru,
        status="draft",
        source=source[:200],
    )
    provisions = {p.code: p for p in provision_model.objects.filter(code__in=spec.provision_codes())}
    for s_order, section_spec in enumerate(spec.sections, start=1):
        section = section_model.objects.create(
            questionnaire=questionnaire,
            code=section_spec.code,
            title_en=section_spec.title_en,
            title_ru=section_spec.title_ru,
            order=s_order,
        )
        for q_order, q in enumerate(section_spec.questions, start=1):
            question = question_model.objects.create(
                questionnaire=questionnaire,
                section=section,
                code=q.code,
                text_en=q.text_en,
                text_ru=q.text_ru,
                help_en=q.help_en,
                help_ru=q.help_ru,
                answer_type=q.answer_type,
                choices=q.choices,
                part=q.part,
                required=q.required,
                order=q_order * 10,
            )
            question.provisions.set([provisions[code] for code in q.provisions if code in provisions])
    return questionnaire
