"""The grading scale (TrialWatch-style, A–F) and the checks of a grade against the findings.

The scale's wording is recalled, not confirmed against a published methodology: the UI
shows it with a "to verify" note (domain notes §3.2 and §7.1).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

SCALE_TO_VERIFY = True

GRADING_SCALE: tuple[tuple[str, Promise], ...] = (
    ("A", _("Trial conducted in line with international standards: no violations found.")),
    (
        "B",
        _(
            "The trial did not fully comply with international standards, but the violations did not affect "
            "the outcome or cause significant harm."
        ),
    ),
    (
        "C",
        _(
            "One or more violations of international standards that affected the outcome and/or resulted in "
            "significant harm."
        ),
    ),
    ("D", _("One or more serious violations that affected the outcome and/or resulted in significant harm.")),
    (
        "F",
        _(
            "The trial entirely failed to comply with international standards, and this affected the outcome "
            "and/or resulted in significant harm."
        ),
    ),
    ("ungraded", _("Not graded (for example a preliminary report while proceedings continue).")),
)


@dataclass(frozen=True)
class GradeWarning:
    code: str
    message: str


def warnings_for(*, grade: Any, confirmed_values: Iterable[str], unconfirmed: int = 0) -> list[GradeWarning]:
    """Where a grade and the confirmed findings (and the grade's own flags) disagree."""
    values = list(confirmed_values)
    violations = sum(1 for v in values if v in ("violation", "serious_violation"))
    serious = "serious_violation" in values or bool(grade.serious_violation)
    impact = grade.affected_outcome == "yes" or grade.significant_harm == "yes"
    letter = grade.grade
    found: list[GradeWarning] = []

    def warn(code: str, message: Any) -> None:
        found.append(GradeWarning(code, str(message)))

    if letter == "A" and violations:
        warn(
            "a_with_violation",
            ngettext(
                "Grade A, but %(n)s violation is recorded.", "Grade A, but %(n)s violations are recorded.", violations
            )
            % {"n": violations},
        )
    if letter == "B" and not violations:
        warn("b_without_violation", _("Grade B means some violation, but no violation is recorded."))
    if letter == "B" and impact:
        warn("b_with_impact", _("Grade B, but the violations are marked as affecting the outcome or causing harm."))
    if letter in ("B", "C") and serious:
        warn("serious_below_d", _("Grade %(grade)s, but a serious violation is recorded.") % {"grade": letter})
    if letter == "D" and not serious:
        warn("d_without_serious", _("Grade D requires a serious violation, but none is recorded."))
    if letter == "F" and not violations:
        warn("f_without_violation", _("Grade F, but no violation is recorded."))
    if letter in ("C", "D", "F") and not impact:
        warn(
            "no_impact",
            _("Grade %(grade)s requires that the violations affected the outcome or caused significant harm.")
            % {"grade": letter},
        )
    if grade.serious_violation and "serious_violation" not in values:
        warn("flag_without_finding", _("The grade is flagged as a serious violation, but no finding says so."))
    if unconfirmed:
        warn(
            "unconfirmed",
            ngettext(
                "%(n)s proposed finding is not confirmed yet.",
                "%(n)s proposed findings are not confirmed yet.",
                unconfirmed,
            )
            % {"n": unconfirmed},
        )
    return found
