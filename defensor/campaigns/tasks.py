"""Background work of campaigns: thin wrappers over the services, safe to run twice."""

from __future__ import annotations

import logging

from django.tasks import task

logger = logging.getLogger(__name__)


@task()
def deliveries_send() -> int:
    """Send the queued letters that are due (throttled per receiving domain); the scheduler runs it every minute."""
    from defensor.campaigns.delivery import deliveries_send as send

    result = send()
    if result.sent or result.bounced or result.failed or result.retried:
        logger.info(
            "campaign letters: %d sent, %d bounced, %d to retry, %d failed, %d held back by the throttle",
            len(result.sent),
            len(result.bounced),
            len(result.retried),
            len(result.failed),
            len(result.throttled),
        )
    return len(result.sent)


@task()
def send_update(update_id: int) -> int:
    """Email a 'further information' update to the signers who asked for it."""
    from defensor.campaigns.services import update_emails_send

    return update_emails_send(update_id=update_id)
