"""Background work of the public site: thin wrappers that take ids."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from defensor.campaigns.models import Signature
from defensor.campaigns.signatures import signatures_erase_after_retention
from defensor.core import crypto
from defensor.public.services import TOKEN_CONTEXT, used_challenges_purge

logger = logging.getLogger(__name__)


@task()
def send_signature_confirmation(signature_id: int, sealed_confirm: str, sealed_unsign: str) -> None:
    """Mail the confirmation link (and the unsign link) in the signer's language."""
    signature = Signature.objects.select_related("campaign").filter(pk=signature_id).first()
    if signature is None or signature.status != Signature.Status.PENDING:
        return
    campaign = signature.campaign
    site = settings.SITE_URL.rstrip("/")
    confirm = crypto.decrypt_text(sealed_confirm, context=TOKEN_CONTEXT)
    unsign = crypto.decrypt_text(sealed_unsign, context=TOKEN_CONTEXT)
    with translation.override(signature.language):
        context = {
            "campaign": campaign,
            "name": signature.name,
            "confirm_link": site + reverse("public:confirm", args=[campaign.slug, confirm]),
            "unsign_link": site + reverse("public:unsign", args=[campaign.slug, unsign]),
        }
        subject = render_to_string("public/email/confirm_subject.txt", context).strip()
        body = render_to_string("public/email/confirm.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[signature.email])
    message.extra_headers["List-Unsubscribe"] = f"<{context['unsign_link']}>"
    message.send()
    logger.info("signature %s: confirmation sent", signature.pk)


@task()
def erase_signatures_after_retention(today: str) -> None:
    """Daily: signers' personal data goes once their campaign has been closed long enough."""
    erased = signatures_erase_after_retention(today=datetime.date.fromisoformat(today))
    purged = used_challenges_purge()
    logger.info("retention: %s signatures erased, %s spent challenges forgotten", erased, purged)
