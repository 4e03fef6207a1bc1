"""allauth adapters: no open sign-up, TOTP secrets encrypted, the last factor kept."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator

from defensor.core import crypto


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: Any) -> bool:
        # People join through an invitation from their organisation, never on their own.
        return False


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return crypto.encrypt_text(text, organisation_id=None, context="mfa.authenticator.secret")

    def decrypt(self, encrypted_text: str) -> str:
        if crypto.is_token(encrypted_text):
            return crypto.decrypt_text(encrypted_text, context="mfa.authenticator.secret")
        return encrypted_text

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # A member must always keep a second factor: the last TOTP or passkey stays
        # until another one is added.
        others = Authenticator.objects.filter(user_id=authenticator.user_id).exclude(pk=authenticator.pk)
        return others.exclude(type=Authenticator.Type.RECOVERY_CODES).exists()
