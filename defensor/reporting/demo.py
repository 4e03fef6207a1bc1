"""Ledger rows for interventions from the organisations' own published history.

The programme areas (training, advocacy, missions) will write these rows themselves
when they exist; until then the demo records the dated facts straight into the ledger
so the dashboard shows what a year of work looks like.
"""

from __future__ import annotations

import datetime
from typing import Any

from defensor.core.ledger import activity_record
from defensor.core.models import Activity, ActivityKind, Sensitivity

HISTORY = [
    (
        "org:ji",
        ActivityKind.TRAINING_HELD,
        datetime.date(2017, 4, 23),
        "Workshop for Central Asian human rights defenders in Bishkek, 23 April – 2 May 2017, with partners",
        Sensitivity.INTERNAL,
    ),
    (
        "org:ji",
        ActivityKind.EVENT_HELD,
        datetime.date(2017, 9, 20),
        "Side event at the OSCE Human Dimension Implementation Meeting in Warsaw on lawyers working under "
        "intimidation, with L4L, CCBE, ICJ and HFHR",
        Sensitivity.PUBLIC,
    ),
    (
        "org:l4l",
        ActivityKind.MISSION_MADE,
        datetime.date(2018, 6, 1),
        "Need-assessment mission to Kyrgyzstan (June 2018)",
        Sensitivity.INTERNAL,
    ),
]


def build(demo: Any) -> None:
    for org_key, kind, date, title, sensitivity in HISTORY:
        organisation = demo.objects[org_key]
        if Activity.objects.filter(organisation=organisation, kind=kind, occurred_on=date).exists():
            continue
        activity_record(
            actor=None,
            organisation=organisation,
            kind=kind,
            occurred_on=date,
            title=title,
            sensitivity=sensitivity,
        )
