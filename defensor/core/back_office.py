"""The back office's middleware, skipped on the public pages (see `defensor.core.middleware.back_office_only`)."""

from __future__ import annotations

from allauth.usersessions.middleware import UserSessionsMiddleware as _UserSessionsMiddleware
from django.contrib.auth.middleware import AuthenticationMiddleware as _AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware as _MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware as _SessionMiddleware

from defensor.core.middleware import back_office_only

SessionMiddleware = back_office_only(_SessionMiddleware)
AuthenticationMiddleware = back_office_only(_AuthenticationMiddleware)
MessageMiddleware = back_office_only(_MessageMiddleware)
UserSessionsMiddleware = back_office_only(_UserSessionsMiddleware)
