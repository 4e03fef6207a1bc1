"""Background work of the public site: thin wrappers that take ids."""

from __future__ import annotations

import datetime
import logging

from django.tasks import task

from defensor.campaigns.signatures import signatures_erase_after_retention
from defensor.public.mail import confirmations_send
from defensor.public.services import used_challenges_purge

logger = logging.getLogger(__name__)


@task()
def send_confirmations() -> int:
    """Send the sign-on confirmation emails that are due (queued by sign-ons, and every minute)."""
    result = confirmations_send()
    if result.sent or result.retried or result.failed:
        logger.info(
            "sign-on confirmations: %d sent, %d to retry, %d given up",
            len(result.sent),
            len(result.retried),
            len(result.failed),
        )
    return len(result.sent)


@task()
def erase_signatures_after_retention(today: str) -> None:
    """Daily: signers' personal data goes once their campaign has been closed long enough."""
    erased = signatures_erase_after_retention(today=datetime.date.fromisoformat(today))
    purged = used_challenges_purge()
    logger.info("retention: %s signatures erased, %s spent challenges forgotten", erased, purged)
