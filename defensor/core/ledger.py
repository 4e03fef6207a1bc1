"""Writing the activity ledger. Services call `activity_record`; nothing else writes it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from defensor.core.models import Activity, ActivityLink, Sensitivity


@transaction.atomic
def activity_record(
    *,
    actor: Any,
    organisation: Any,
    kind: str,
    occurred_on: datetime.date,
    title: str,
    source: models.Model | None = None,
    concerns: Iterable[models.Model] = (),
    sensitivity: str = Sensitivity.INTERNAL,
) -> Activity:
    activity = Activity(
        organisation=organisation,
        kind=kind,
        occurred_on=occurred_on,
        title=title,
        sensitivity=sensitivity,
        actor=actor,
    )
    if source is not None:
        activity.source_type = ContentType.objects.get_for_model(source)
        activity.source_id = str(source.pk)
    activity.full_clean()
    activity.save()
    ActivityLink.objects.bulk_create(
        ActivityLink(activity=activity, content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
        for obj in concerns
    )
    return activity
