"""Background work of recommendations: thin wrappers over the services."""

from __future__ import annotations

import datetime
import logging

from django.tasks import task
from django.utils import timezone

from defensor.recommendations import services

logger = logging.getLogger(__name__)


@task()
def send_reminders(today: str = "") -> int:
    """Send the due reminders of the day (the scheduler passes the day it ran for); returns how many were sent."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    sent = services.reminders_send(today=day)
    logger.info("%d recommendation reminder(s) sent for %s", len(sent), day)
    return len(sent)
