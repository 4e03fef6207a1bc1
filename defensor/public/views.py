"""The public sign-on pages under /act/: no login, no back-office layout, nothing from another origin.

The sign-on POST is exempt from CSRF: there is no session or account to ride on, the embedded
form lives in partner sites' frames (where the browser withholds our cookies), and each sign-on
is paid for with a single-use proof of work and confirmed from the signer's mailbox.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.csp import CSP
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from defensor.campaigns.models import Campaign
from defensor.campaigns.signatures import signature_confirm, signature_count, signature_for_token, signature_unsign
from defensor.core.languages import active_language
from defensor.core.middleware import client_ip
from defensor.public import lane, proof_of_work
from defensor.public.forms import SignOnForm, started_token
from defensor.public.selectors import campaign_public, campaign_public_cases
from defensor.public.services import Refusal, signon_receive

PAGE = "public/base.html"
FRAME = "public/embed_base.html"


def _language() -> str:
    return active_language()


def _embed_policy(campaign: Campaign) -> dict[str, Any]:
    origins = [origin for origin in campaign.embed_origins or [] if isinstance(origin, str) and origin]
    return {**settings.SECURE_CSP, "frame-ancestors": origins or [CSP.NONE]}


def _page(
    request: HttpRequest,
    campaign: Campaign,
    *,
    embed: bool,
    form: SignOnForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    if form is None:
        form = SignOnForm(initial={"started": started_token(campaign.slug)})
    context = {
        "campaign": campaign,
        "layout": FRAME if embed else PAGE,
        "embed": embed,
        "cases": [] if embed else campaign_public_cases(campaign=campaign),
        "count": signature_count(campaign=campaign) if campaign.show_count else None,
        "form": form.show_countries(),
        "error": error,
        "form_action": request.path,
    }
    response = render(request, "public/signon.html", context, status=status)
    if embed:
        response._csp_config = _embed_policy(campaign)  # type: ignore[attr-defined]
    return response


def _answer(
    request: HttpRequest, campaign: Campaign, template: str, *, embed: bool, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {"campaign": campaign, "layout": FRAME if embed else PAGE, "embed": embed, **extra}
    response = render(request, template, context, status=status)
    if embed:
        response._csp_config = _embed_policy(campaign)  # type: ignore[attr-defined]
    return response


def _shown(request: HttpRequest) -> SignOnForm:
    """The form as the signer filled it in, checked, to show again (with its errors, or with a message)."""
    form = SignOnForm(request.POST)
    form.is_valid()
    return form


_answers: dict[tuple[int, str, bool], tuple[Campaign, str]] = {}


def _check_email(request: HttpRequest, campaign: Campaign, *, embed: bool) -> HttpResponse:
    """The answer to a sign-on ("check your email"), the same for every signer of a campaign in a language.

    Nothing in it depends on the request (no form, no token, no script nonce), so a process
    renders it once for as long as it remembers the campaign (see `campaign_public`), and the
    sign-on lane may give the same answer, headers and all, to the next signers.
    """
    language = get_language() or settings.LANGUAGE_CODE
    key = (campaign.pk, language, embed)
    remembered = _answers.get(key)
    if remembered is None or remembered[0] is not campaign:
        context = {"campaign": campaign, "embed": embed, "LANGUAGE_CODE": language, "demo_mode": settings.DEMO}
        remembered = (campaign, render_to_string("public/check_email.html", context))
        if len(_answers) >= 512:
            _answers.clear()
        _answers[key] = remembered
    response = HttpResponse(remembered[1])
    if embed:
        response._csp_config = _embed_policy(campaign)  # type: ignore[attr-defined]
    lane.replayable(request, campaign)
    return response


def _sign_on(request: HttpRequest, slug: str, *, embed: bool) -> HttpResponse:
    campaign = campaign_public(slug=slug)
    if request.method != "POST":
        return _page(request, campaign, embed=embed)
    failure = request.META.get(lane.FAILURE)
    if failure is not None:
        raise failure  # the sign-on lane met it: Django's own handling of errors follows
    # The sign-on lane may have taken the form already: then only the answer is left to give.
    receipt = request.META.get(lane.RECEIPT) or signon_receive(
        campaign=campaign, data=request.POST, address=client_ip(request), language=_language()
    )
    if receipt.taken:
        # Committed (or a bot trapped): only now is the signer told to check their email.
        return _check_email(request, campaign, embed=embed)
    if receipt.refusal == Refusal.CLOSED:
        return _page(request, campaign, embed=embed, status=409)
    if receipt.refusal == Refusal.LIMITED:
        message = _("Too many signatures were sent from here in a short time. Please try again later.")
        return _page(request, campaign, embed=embed, form=_shown(request), error=str(message), status=429)
    if receipt.refusal == Refusal.STALE:
        message = _("The form was sent too quickly, or the page is too old. Please check your details and send again.")
        resubmitted = request.POST.copy()
        resubmitted["started"] = started_token(campaign.slug)
        refreshed = SignOnForm(resubmitted)
        refreshed.is_valid()
        return _page(request, campaign, embed=embed, form=refreshed, error=str(message), status=400)
    if receipt.refusal == Refusal.PROOF:
        return _page(request, campaign, embed=embed, form=_shown(request), error=receipt.message, status=400)
    if receipt.refusal == Refusal.REUSED:
        message = _("This anti-spam check was already used. Please wait for a new one and send again.")
        return _page(request, campaign, embed=embed, form=_shown(request), error=str(message), status=400)
    return _page(request, campaign, embed=embed, form=_shown(request), status=400)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signon(request: HttpRequest, slug: str) -> HttpResponse:
    return _sign_on(request, slug, embed=False)


@csrf_exempt
@never_cache
@xframe_options_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def embed(request: HttpRequest, slug: str) -> HttpResponse:
    return _sign_on(request, slug, embed=True)


@never_cache
@require_GET
def challenge(request: HttpRequest, slug: str) -> JsonResponse:
    campaign_public(slug=slug)
    return JsonResponse(proof_of_work.challenge_create(), headers={"X-Robots-Tag": "noindex"})


def _token_page(request: HttpRequest, slug: str, token: str, *, purpose: str) -> HttpResponse:
    """GET shows a button and changes nothing (mail scanners open links); POST acts."""
    campaign = campaign_public(slug=slug)
    template = f"public/{purpose}.html"
    if request.method == "POST":
        action = signature_confirm if purpose == "confirm" else signature_unsign
        signature = action(campaign=campaign, token=token)
        if signature is None:
            return _answer(request, campaign, "public/link_invalid.html", embed=False, status=404)
        return _answer(request, campaign, template, embed=False, done=True, signature=signature)
    signature = signature_for_token(campaign=campaign, token=token, purpose=purpose)
    if signature is None:
        return _answer(request, campaign, "public/link_invalid.html", embed=False, status=404)
    return _answer(request, campaign, template, embed=False, done=False, signature=signature)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    return _token_page(request, slug, token, purpose="confirm")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsign(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    return _token_page(request, slug, token, purpose="unsign")
