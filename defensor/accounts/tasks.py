"""Background work for accounts: thin wrappers that take ids."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from defensor.accounts.models import Invitation
from defensor.core import crypto

logger = logging.getLogger(__name__)


INVITATION_TOKEN_CONTEXT = "accounts.invitation.token"  # noqa: S105 - associated data, not a secret


@task()
def send_invitation(invitation_id: int, sealed_token: str) -> None:
    """Mail the invitation link; the token arrives sealed (see `invitation_create`)."""
    token = crypto.decrypt_text(sealed_token, context=INVITATION_TOKEN_CONTEXT)
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by", "role").filter(pk=invitation_id).first()
    )
    if invitation is None or not invitation.is_pending:
        return
    link = settings.SITE_URL.rstrip("/") + reverse("accounts:invitation_accept", args=[token])
    with translation.override(invitation.organisation.default_language):
        context = {
            "invitation": invitation,
            "link": link,
            "hours": int(settings.INVITATION_LIFETIME.total_seconds() // 3600),
        }
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[invitation.email])
    message.send()
    logger.info("invitation %s sent", invitation.pk)
