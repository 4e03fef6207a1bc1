"""Demo recommendations of Justice International, at every stage of the lobbying loop (run by `defensor demo`).

The Working Group's opinion on Gaspar Matalaev and its request for his immediate release
are public facts from the seed documents; the other recommendations and every follow-up
are invented for the demo cases of invented people. One is overdue, one partially
implemented, one fully implemented, one followed up but not implemented, and one is due
within the month (so that its owner's reminder goes out). Running the builder again
creates nothing: a recommendation is looked up by its organisation and text first, and
only a new one gets its follow-ups.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from defensor.cases.models import OPEN_LEVELS, Case
from defensor.core.models import Activity, ActivityKind
from defensor.directory.models import Institution
from defensor.recommendations.models import ActionKind, ImplementationStatus, Priority, Recommendation
from defensor.recommendations.services import followup_add, recommendation_add
from defensor.standards.models import Provision

D = datetime.date
OFFICER = "officer@ji.example"
DIRECTOR = "director@ji.example"


@dataclass(frozen=True)
class Step:
    """A follow-up: (on, action, status, description); `ledger` links an activity already in the ledger."""

    on: datetime.date
    action: str
    status: str
    description: str
    ledger: tuple[str, datetime.date] | None = None


@dataclass(frozen=True)
class Spec:
    key: str
    text: str
    addressee: str  # a directory demo key
    case: str  # a cases demo reference
    country: str
    owner: str
    made_on: datetime.date | None  # None: some weeks ago (the one due soon)
    due_on: datetime.date | None
    priority: str = Priority.MEDIUM
    provisions: tuple[str, ...] = ()
    source: tuple[str, datetime.date] | None = None  # a ledger activity: (kind, date)
    steps: tuple[Step, ...] = field(default_factory=tuple)


RECOMMENDATIONS = [
    Spec(
        key="matalaev-release",
        text=(
            "Release Gaspar Matalaev immediately, as the UN Working Group on Arbitrary Detention asked when it found "
            "his arrest and detention arbitrary."
        ),
        addressee="pg-turkmenistan",
        case="JI-2017-001",
        country="TM",
        owner=OFFICER,
        made_on=D(2017, 11, 24),
        due_on=D(2018, 5, 24),
        priority=Priority.HIGH,
        provisions=("ICCPR-9.1", "UNDHRD-12"),
        source=(ActivityKind.DECISION_RECEIVED, D(2017, 11, 24)),
        steps=(
            Step(
                D(2017, 12, 5),
                ActionKind.LETTER,
                ImplementationStatus.NOT_IMPLEMENTED,
                "Letter to the Prosecutor General enclosing the opinion and asking for his release. No answer.",
            ),
        ),
    ),
    Spec(
        key="turkmenistan-access-to-clients",
        text=(
            "Let lawyers meet their detained clients in private, without delay and without prior permission from "
            "the investigator."
        ),
        addressee="moj-turkmenistan",
        case="JI-2017-001",
        country="TM",
        owner=OFFICER,
        made_on=D(2017, 11, 24),
        due_on=D(2018, 5, 24),
        provisions=("BPRL-8", "ICCPR-14.3.b"),
    ),
    Spec(
        key="kazakhstan-press-comments",
        text=(
            "Ensure that advocates are not reported to the bar or disciplined for what they say to the press in "
            "defence of their clients."
        ),
        addressee="moj-kazakhstan",
        case="JI-2018-001",
        country="KZ",
        owner=DIRECTOR,
        made_on=D(2018, 4, 3),
        due_on=D(2018, 6, 1),
        priority=Priority.HIGH,
        provisions=("BPRL-16",),
        steps=(
            Step(
                D(2018, 4, 10),
                ActionKind.LETTER,
                ImplementationStatus.UNKNOWN,
                "Letter to the Minister of Justice about the complaint against the advocate.",
                ledger=(ActivityKind.LETTER_SENT, D(2018, 4, 10)),
            ),
            Step(
                D(2018, 9, 20),
                ActionKind.MEETING,
                ImplementationStatus.PARTIALLY,
                "Meeting with ministry officials: the bar's rules of conduct are under review; the complaint "
                "against the advocate has not been withdrawn.",
            ),
        ),
    ),
    Spec(
        key="almaty-bar-public-hearing",
        text="Hear the disciplinary complaint against the advocate in public, and let independent observers attend.",
        addressee="almaty-bar",
        case="JI-2018-001",
        country="KZ",
        owner=DIRECTOR,
        made_on=D(2018, 4, 3),
        due_on=D(2018, 5, 10),
        steps=(
            Step(
                D(2018, 4, 20),
                ActionKind.LETTER,
                ImplementationStatus.NOT_IMPLEMENTED,
                "Letter to the bar's disciplinary commission asking for a public hearing.",
            ),
            Step(
                D(2018, 5, 14),
                ActionKind.OTHER,
                ImplementationStatus.FULLY,
                "Our observer was admitted to the hearing of 14 May 2018, which was held in public (and postponed).",
            ),
        ),
    ),
    Spec(
        key="turkey-clients-as-evidence",
        text="Stop citing the clients a lawyer has defended as evidence against the lawyer.",
        addressee="moj-turkey",
        case="JI-2017-003",
        country="TR",
        owner=OFFICER,
        made_on=None,
        due_on=None,
        provisions=("BPRL-18",),
    ),
]


def _institution(demo: Any, organisation: Any, key: str) -> Institution | None:
    institution = demo.objects.get(f"institution:{key}")
    return institution if isinstance(institution, Institution) else None


def _case(demo: Any, organisation: Any, reference: str, country: str) -> Case | None:
    case = demo.objects.get(f"case:{reference}")
    if isinstance(case, Case):
        return case
    cases = Case.objects.filter(organisation=organisation)
    return (
        cases.filter(reference=reference).first()
        or cases.filter(country=country, sensitivity__in=OPEN_LEVELS).order_by("opened_on", "id").first()
    )


def _activity(organisation: Any, kind_and_day: tuple[str, datetime.date] | None) -> Any:
    if kind_and_day is None:
        return None
    kind, day = kind_and_day
    return Activity.objects.filter(organisation=organisation, kind=kind, occurred_on=day).order_by("id").first()


def build(demo: Any) -> None:
    organisation = demo.objects["org:ji"]
    today = timezone.localdate()
    # The text is encrypted at rest, so it is compared after decryption (a handful of rows).
    made = {r.text: r for r in Recommendation.objects.filter(organisation=organisation)}
    for spec in RECOMMENDATIONS:
        existing = made.get(spec.text)
        if existing is not None:
            demo.objects[f"recommendation:{spec.key}"] = existing
            continue
        addressee = _institution(demo, organisation, spec.addressee)
        owner = demo.objects.get(f"user:{spec.owner}")
        if addressee is None or owner is None:
            continue
        case = _case(demo, organisation, spec.case, spec.country)
        made_on = spec.made_on or today - datetime.timedelta(days=40)
        due_on = spec.due_on if spec.made_on else today + datetime.timedelta(days=20)
        recommendation = recommendation_add(
            actor=owner,
            organisation=organisation,
            text=spec.text,
            addressee=addressee,
            country=spec.country,
            case=case,
            source=_activity(organisation, spec.source),
            provisions=Provision.objects.filter(code__in=spec.provisions),
            priority=spec.priority,
            made_on=made_on,
            due_on=due_on,
            owner=owner,
        )
        for step in spec.steps:
            followup_add(
                actor=owner,
                recommendation=recommendation,
                occurred_on=step.on,
                action=step.action,
                implementation_status=step.status,
                description=step.description,
                link=_activity(organisation, step.ledger),
            )
        demo.objects[f"recommendation:{spec.key}"] = recommendation
