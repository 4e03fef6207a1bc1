"""The sign-on lane: a posted sign-on form taken in the WSGI layer, in front of Django's request cycle.

A campaign's public page takes its load as one kind of request: the sign-on POST, answered
"check your email". Through the full stack, a sign-on costs the work of fourteen middleware,
URL resolution, the view's decorators and a response object built and taken apart again; the
deciding itself (`signon_receive`) is a fraction of it. The lane (`SignOnLane`, wrapped around
the application in `defensor.wsgi`) does the deciding itself and only then chooses:

- **Taken** (or a bot trapped), and this process has the answer for this campaign, language and
  page already: it sends that answer again, byte for byte as the full stack produced it (every
  security header, the embed's own frame-ancestors), with a new request id and expiry date.
- **Anything else** (a refusal, an error, the first answer of its kind, or a request the lane
  does not take at all): the request goes on through Django as usual, with what the lane
  decided in `environ[RECEIPT]` (or the exception in `environ[FAILURE]`), so that nothing is
  decided twice: a rate limit is counted once, a proof of work spent once. The view then
  answers from the receipt, and marks a "check your email" answer as one the lane may give
  again (`replayable`); the lane keeps it.

The lane steps aside (before doing anything) for what the middleware would answer themselves:
plain HTTP when HTTPS is required, a host not in ALLOWED_HOSTS, another content type, a body
over the upload limit, a malformed form, a campaign that is not public (404). It decides
nothing else on its own: the decision is `signon_receive`, the same function the view calls
when the lane is not in front (the test client, the development server).
"""

from __future__ import annotations

import io
import re
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core import signals
from django.core.exceptions import DisallowedHost, RequestDataTooBig, SuspiciousOperation
from django.core.handlers.wsgi import WSGIRequest
from django.http import Http404, HttpRequest
from django.utils import translation
from django.utils.http import http_date

from defensor.campaigns.models import Campaign
from defensor.core import context
from defensor.core.languages import active_language
from defensor.core.middleware import client_ip

RECEIPT = "defensor.public.receipt"  # environ: the lane's decision, for the view to answer
FAILURE = "defensor.public.failure"  # environ: an exception the lane met, for Django to handle
REPLAYABLE = "defensor.public.replayable"  # environ: set by the view on a "check your email" answer

_PATH = re.compile(r"/act/(?P<slug>[-a-zA-Z0-9_]+)/(?P<embed>embed/)?")
_FORM = "application/x-www-form-urlencoded"
# Set per answer, not replayed: the full stack would make them anew for each request.
_PER_ANSWER = frozenset({"expires", "x-request-id", "date"})
_MAX_ANSWERS = 512

StartResponse = Callable[..., Any]


@dataclass(frozen=True)
class Answer:
    """A "check your email" answer as the full stack gave it, for one campaign, language and page."""

    campaign: Campaign  # the process's copy it was made for: a newer copy needs a new answer
    status: str
    headers: list[tuple[str, str]]
    body: bytes


def replayable(request: HttpRequest, campaign: Campaign) -> None:
    """Called by the view on a "check your email" answer: the same answer suits the next signers."""
    request.META[REPLAYABLE] = campaign


_expires = (0, "")  # the second of the last `Expires` header, and its text


def expires_now() -> str:
    """An `Expires` header of now, as Django's `never_cache` writes it (the text changes once a second)."""
    global _expires
    second = int(time.time())
    if _expires[0] != second:
        _expires = (second, http_date(second))
    return _expires[1]


def form_fields(body: bytes) -> dict[str, str] | None:
    """A posted form's fields as Django's `request.POST` reads them, one value per name: its last, as `.get` gives.

    None when Django would refuse the form for having too many fields. (A plain dict costs half
    of a QueryDict, and the sign-on reads one value per name.)
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("iso-8859-1")  # as QueryDict does
    try:
        pairs = parse_qsl(
            text, keep_blank_values=True, encoding="utf-8", max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        )
    except ValueError:
        return None
    return dict(pairs)


class SignOnLane:
    """WSGI middleware: takes sign-on POSTs (see the module's documentation), hands the rest to `app`."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> None:
        self.app = app
        self.answers: dict[tuple[str, bool, str, bool], Answer] = {}

    def warm(self) -> None:
        """Do once, as the process starts, what the first sign-ons would otherwise pay for.

        Without the database: the URL configuration, the translations, and the email
        validator's patterns (compiling them takes a good part of a second).
        """
        from defensor.public.forms import SignOnForm

        is_language_prefix_patterns_used(settings.ROOT_URLCONF)
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                SignOnForm.cleaned_if_valid({"name": "-", "profession": "other", "email": "a@example.org"})

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "POST":
            match = _PATH.fullmatch(environ.get("PATH_INFO", ""))
            if match is not None:
                return self._sign_on(environ, start_response, match["slug"], embed=bool(match["embed"]))
        return self.app(environ, start_response)

    def _takes(self, request: WSGIRequest) -> bool:
        """Whether the middleware would let this request reach the view as it is."""
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return False  # SecurityMiddleware redirects it
        if settings.PREPEND_WWW or settings.DISALLOWED_USER_AGENTS:
            return False  # CommonMiddleware's concerns: let it have them
        if is_language_prefix_patterns_used(settings.ROOT_URLCONF)[0]:
            return False  # the language would come from the path
        if request.content_type != _FORM:
            return False
        if request.encoding is not None and request.encoding.lower() != "utf-8":
            return False  # Django refuses it (a form is always UTF-8)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
            request.get_host()  # ALLOWED_HOSTS
        except (ValueError, DisallowedHost):
            return False
        return 0 < length <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    def _sign_on(
        self, environ: dict[str, Any], start_response: StartResponse, slug: str, *, embed: bool
    ) -> Iterable[bytes]:
        request = WSGIRequest(environ)
        if not self._takes(request):
            return self.app(environ, start_response)
        try:
            body = request.body
        except (RequestDataTooBig, SuspiciousOperation, OSError):
            return self.app(environ, start_response)
        data = form_fields(body)
        if data is None:
            return self.app(environ, start_response)
        # Django reads the body again if the request goes on.
        environ["wsgi.input"] = io.BytesIO(body)
        language = translation.get_language_from_request(request)
        request_id = str(uuid.uuid4())
        address = client_ip(request)
        signals.request_started.send(sender=self.__class__, environ=environ)
        token = context.activate(context.RequestContext(request_id=request_id, ip_address=address))
        campaign: Campaign | None
        receipt: Any
        try:
            with translation.override(language):
                campaign, receipt = self._receive(slug, data, address)
        except Http404:
            campaign = receipt = None
        except Exception as exc:  # handed to Django, which logs it and answers 500
            campaign = receipt = None
            environ[FAILURE] = exc
        finally:
            context.deactivate(token)
            signals.request_finished.send(sender=self.__class__)
        if receipt is None or campaign is None:
            return self.app(environ, start_response)
        key = (slug, embed, language, request.is_secure())
        answer = self.answers.get(key)
        if receipt.taken and answer is not None and answer.campaign is campaign:
            headers = [*answer.headers, ("Expires", expires_now()), ("X-Request-ID", request_id)]
            start_response(answer.status, headers)
            return [answer.body]
        environ[RECEIPT] = receipt
        return self._keep_answer(environ, start_response, key)

    @staticmethod
    def _receive(slug: str, data: Any, address: str | None) -> tuple[Campaign, Any]:
        from defensor.public.selectors import campaign_public
        from defensor.public.services import signon_receive

        campaign = campaign_public(slug=slug)
        return campaign, signon_receive(campaign=campaign, data=data, address=address, language=active_language())

    def _keep_answer(
        self, environ: dict[str, Any], start_response: StartResponse, key: tuple[str, bool, str, bool]
    ) -> Iterable[bytes]:
        """Hand the request to Django; keep its answer when the view said it may be given again."""
        seen: dict[str, Any] = {}

        def record(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        result = self.app(environ, record)
        campaign = environ.get(REPLAYABLE)
        headers = seen.get("headers") or []
        if (
            campaign is None
            or not str(seen.get("status", "")).startswith("200")
            or any(name.lower() == "set-cookie" for name, _value in headers)
        ):
            return result
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        if len(self.answers) >= _MAX_ANSWERS:
            self.answers.clear()
        kept = [(name, value) for name, value in headers if name.lower() not in _PER_ANSWER]
        self.answers[key] = Answer(campaign=campaign, status=seen["status"], headers=kept, body=body)
        return [body]
