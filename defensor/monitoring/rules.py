"""Rules that propose findings from answers: a tiny, safe, declarative language read from TOML.

A condition is `{all = [...]}` or `{any = [...]}` of conditions, or a leaf
`{question, op, value}` with op one of eq, ne, in, gt, lt, answered. Nothing is ever
evaluated as code. A leaf on an unanswered question is false (except `answered`, which
then says so); `ne` is true only for an answered question with another value.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from defensor.core.languages import active_language

RULES_FILE = Path(__file__).resolve().parent / "data" / "rules-v1.toml"
OPERATORS = ("eq", "ne", "in", "gt", "lt", "answered")
FINDINGS = ("no_issue", "concern", "violation", "serious_violation", "unable_to_assess")


class RuleFileError(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Rule:
    code: str
    provision: str
    finding: str
    when: dict[str, Any]
    explanation_en: str
    explanation_ru: str

    @property
    def explanation(self) -> str:
        return self.explanation_ru if active_language() == "ru" and self.explanation_ru else self.explanation_en

    def questions(self) -> set[str]:
        return set(_leaf_questions(self.when))


def _leaf_questions(condition: dict[str, Any]) -> list[str]:
    if "all" in condition or "any" in condition:
        return [q for child in condition.get("all", condition.get("any", [])) for q in _leaf_questions(child)]
    return [condition["question"]]


def _check_condition(condition: Any, where: str, problems: list[str]) -> None:
    if not isinstance(condition, dict):
        problems.append(f"{where}: a condition must be a table")
        return
    groups = [key for key in ("all", "any") if key in condition]
    if groups:
        children = condition[groups[0]]
        if len(condition) != 1 or not isinstance(children, list) or not children:
            problems.append(f"{where}: use exactly one of all / any, with a non-empty list")
            return
        for index, child in enumerate(children, start=1):
            _check_condition(child, f"{where}.{groups[0]}[{index}]", problems)
        return
    if not isinstance(condition.get("question"), str):
        problems.append(f"{where}: a leaf needs a question code")
    op = condition.get("op")
    if op not in OPERATORS:
        problems.append(f"{where}: op must be one of {', '.join(OPERATORS)}")
    elif op == "in" and not isinstance(condition.get("value"), list):
        problems.append(f"{where}: 'in' needs a list value")
    elif op in ("gt", "lt") and not isinstance(condition.get("value"), int | float):
        problems.append(f"{where}: '{op}' needs a number")
    elif op in ("eq", "ne") and "value" not in condition:
        problems.append(f"{where}: '{op}' needs a value")
    if set(condition) - {"question", "op", "value"}:
        problems.append(f"{where}: unknown keys in a leaf")


def parse_rules(content: str, *, name: str = "rules") -> list[Rule]:
    try:
        data = tomllib.loads(content)
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileError([f"{name}: not a valid TOML file ({exc})"]) from exc
    problems: list[str] = []
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, raw in enumerate(data.get("rules") or [], start=1):
        where = f"{name}: rule {index} ({raw.get('code', '?')})"
        code = raw.get("code")
        if not isinstance(code, str) or not code or code in seen:
            problems.append(f"{where}: code missing or repeated")
        seen.add(str(code))
        if raw.get("finding") not in FINDINGS:
            problems.append(f"{where}: finding must be one of {', '.join(FINDINGS)}")
        if not isinstance(raw.get("provision"), str):
            problems.append(f"{where}: provision missing")
        for key in ("explanation_en", "explanation_ru"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                problems.append(f"{where}: {key} missing")
        _check_condition(raw.get("when"), f"{where}: when", problems)
        if not problems:
            rules.append(
                Rule(
                    code=code,
                    provision=raw["provision"],
                    finding=raw["finding"],
                    when=raw["when"],
                    explanation_en=raw["explanation_en"],
                    explanation_ru=raw["explanation_ru"],
                )
            )
    if problems:
        raise RuleFileError(problems)
    return rules


@cache
def shipped_rules() -> tuple[Rule, ...]:
    return tuple(parse_rules(RULES_FILE.read_text(encoding="utf-8"), name=RULES_FILE.name))


def _leaf_holds(condition: dict[str, Any], answers: dict[str, Any]) -> bool:
    op = condition["op"]
    value = answers.get(condition["question"])
    answered = value is not None and value != ""
    if op == "answered":
        return answered is bool(condition.get("value", True))
    if not answered:
        return False
    expected: Any = condition.get("value")
    if op == "eq":
        return bool(value == expected)
    if op == "ne":
        return bool(value != expected)
    if op == "in":
        return value in (expected or [])
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    return value > expected if op == "gt" else value < expected


def evaluate(condition: dict[str, Any], answers: dict[str, Any]) -> tuple[bool, list[str]]:
    """Whether the condition holds, and the question codes of the leaves that made it hold."""
    if "all" in condition:
        basis: list[str] = []
        for child in condition["all"]:
            holds, child_basis = evaluate(child, answers)
            if not holds:
                return False, []
            basis.extend(child_basis)
        return True, basis
    if "any" in condition:
        basis = []
        for child in condition["any"]:
            holds, child_basis = evaluate(child, answers)
            if holds:
                basis.extend(child_basis)
        return bool(basis), basis
    holds = _leaf_holds(condition, answers)
    return holds, [condition["question"]] if holds else []
