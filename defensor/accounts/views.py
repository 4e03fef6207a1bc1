from __future__ import annotations

from allauth.account.internal.flows.login import record_authentication
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from defensor.accounts import selectors, services
from defensor.accounts.forms import (
    CAPABILITY_LABELS,
    InvitationAcceptForm,
    InvitationForm,
    MembershipRoleForm,
    ProfileForm,
    RoleForm,
)
from defensor.accounts.middleware import SESSION_ORGANISATION
from defensor.core.decorators import capability_required, is_htmx
from defensor.core.forms import apply_validation_error
from defensor.core.permissions import Capability


def _error_messages(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


@require_POST
def organisation_switch(request: HttpRequest) -> HttpResponse:
    wanted = request.POST.get("organisation", "")
    organisation = next((o for o in request.organisations if str(o.pk) == wanted), None)  # type: ignore[attr-defined]
    if organisation is None:
        raise Http404
    request.session[SESSION_ORGANISATION] = organisation.pk
    messages.success(request, _("You are now working in %(name)s.") % {"name": organisation.name})
    return redirect("reporting:dashboard")


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    if request.user.is_authenticated and request.user.language != language:  # type: ignore[union-attr]
        services.user_update_profile(actor=request.user, full_name=request.user.full_name, language=language)  # type: ignore[arg-type,union-attr]
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite="Lax",
    )
    return response


def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, initial={"full_name": user.full_name, "language": user.language})  # type: ignore[union-attr]
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(actor=user, **form.cleaned_data)  # type: ignore[arg-type]
        translation.activate(form.cleaned_data["language"])
        messages.success(request, _("Your profile was saved."))
        response = redirect("accounts:profile")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            form.cleaned_data["language"],
            samesite="Lax",
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=True,
        )
        return response
    return render(request, "accounts/profile.html", {"form": form})


def security(request: HttpRequest) -> HttpResponse:
    from allauth.mfa.models import Authenticator
    from allauth.usersessions.models import UserSession

    authenticators = Authenticator.objects.filter(user=request.user).order_by("type", "created_at")
    sessions = UserSession.objects.filter(user=request.user).order_by("-last_seen_at")
    return render(request, "accounts/security.html", {"authenticators": authenticators, "sessions": sessions})


@capability_required(Capability.MANAGE_MEMBERS)
def member_list(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    roles = selectors.role_list(user=request.user, organisation=organisation)
    form = InvitationForm(request.POST or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                actor=request.user,
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("accounts:members")
    context = {
        "members": selectors.member_list(user=request.user, organisation=organisation),
        "invitations": selectors.invitation_list(user=request.user, organisation=organisation)[:50],
        "roles": roles,
        "form": form,
    }
    return render(request, "accounts/members.html", context, status=400 if form.errors else 200)


def _member_or_404(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    membership = selectors.member_get(user=request.user, organisation=request.organisation, pk=pk)  # type: ignore[attr-defined]
    if membership is None:
        raise Http404
    return membership


@require_POST
@capability_required(Capability.MANAGE_MEMBERS)
def member_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    membership = _member_or_404(request, pk)
    roles = selectors.role_list(user=request.user, organisation=request.organisation)  # type: ignore[attr-defined]
    try:
        if action == "role":
            form = MembershipRoleForm(request.POST, roles=roles)
            if not form.is_valid():
                raise ValidationError(_("Choose a role from the list."))
            services.membership_change_role(actor=request.user, membership=membership, role=form.cleaned_data["role"])
            messages.success(request, _("Role changed."))
        elif action == "disable":
            services.membership_disable(actor=request.user, membership=membership)
            messages.success(request, _("Membership disabled; their sessions were ended."))
        elif action == "enable":
            services.membership_enable(actor=request.user, membership=membership)
            messages.success(request, _("Membership enabled."))
        elif action == "remove":
            services.membership_remove(actor=request.user, membership=membership)
            messages.success(request, _("Member removed; their sessions were ended."))
            return redirect("accounts:members")
        else:
            raise Http404
    except ValidationError as exc:
        for message in _error_messages(exc):
            messages.error(request, message)
    if is_htmx(request):
        membership.refresh_from_db()
        return render(request, "accounts/members.html#member-row", {"member": membership, "roles": roles})
    return redirect("accounts:members")


@require_POST
@capability_required(Capability.MANAGE_MEMBERS)
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.invitation_list(user=request.user, organisation=request.organisation).filter(pk=pk).first()  # type: ignore[attr-defined]
    if invitation is None:
        raise Http404
    services.invitation_revoke(actor=request.user, invitation=invitation)
    messages.success(request, _("Invitation revoked."))
    return redirect("accounts:members")


@capability_required(Capability.ADMINISTER)
def role_list(request: HttpRequest) -> HttpResponse:
    roles = selectors.role_list(user=request.user, organisation=request.organisation)  # type: ignore[attr-defined]
    return render(request, "accounts/roles.html", {"roles": roles, "capability_labels": CAPABILITY_LABELS})


@capability_required(Capability.ADMINISTER)
def role_edit(request: HttpRequest, pk: int) -> HttpResponse:
    role = selectors.role_list(user=request.user, organisation=request.organisation).filter(pk=pk).first()  # type: ignore[attr-defined]
    if role is None:
        raise Http404
    form = RoleForm(request.POST or None, initial={"name": role.name, "capabilities": sorted(role.capabilities())})
    if request.method == "POST" and form.is_valid():
        try:
            services.role_update(
                actor=request.user,
                role=role,
                name=form.cleaned_data["name"],
                capabilities=set(form.cleaned_data["capabilities"]),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Role saved."))
            return redirect("accounts:roles")
    return render(request, "accounts/role_edit.html", {"role": role, "form": form}, status=400 if form.errors else 200)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    signed_in = request.user.is_authenticated
    form = InvitationAcceptForm(request.POST or None) if not signed_in else None
    if request.method == "POST":
        try:
            if signed_in:
                membership = services.invitation_accept(token=token, full_name="", password="", user=request.user)
            elif form is not None and form.is_valid():
                membership = services.invitation_accept(
                    token=token, full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password"]
                )
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
                # The password was typed a moment ago: count it as this session's sign-in, so that
                # setting up the second factor does not ask for it again.
                record_authentication(
                    request, membership.user, method="password", email=membership.user.email, reauthenticated=True
                )
            else:
                membership = None
        except ValidationError as exc:
            if form is not None:
                apply_validation_error(form, exc)
            else:
                messages.error(request, " ".join(_error_messages(exc)))
            membership = None
        if membership is not None:
            request.session[SESSION_ORGANISATION] = membership.organisation_id
            messages.success(
                request,
                _("Welcome to %(name)s. Set up two-factor authentication to continue.")
                % {"name": membership.organisation.name},
            )
            return redirect(reverse("reporting:dashboard"))
    status = 400 if form is not None and form.errors else 200
    return render(request, "accounts/invitation_accept.html", {"invitation": invitation, "form": form}, status=status)
