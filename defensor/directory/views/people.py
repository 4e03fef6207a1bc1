"""Views of people: thin — a selector, a form, one service call, then redirect or render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from defensor.core.decorators import capability_required, is_htmx
from defensor.core.forms import apply_validation_error
from defensor.core.permissions import Capability
from defensor.core.uploads import attachment_response
from defensor.directory import selectors, services
from defensor.directory.forms import (
    ConsentForm,
    ConsentWithdrawForm,
    ContactForm,
    PersonFilterForm,
    PersonForm,
    PhotoForm,
    language_formset,
)
from defensor.directory.models import Person
from defensor.directory.names import similar_people, transliterate
from defensor.directory.sections import sections_for
from defensor.directory.views.common import active_organisation, person_or_404, query_without_page, simple_form

PAGE_SIZE = 25


# ------------------------------------------------------------------ list and page


@capability_required(Capability.VIEW)
def person_list(request: HttpRequest) -> HttpResponse:
    organisation = active_organisation(request)
    form = PersonFilterForm(request.GET or None)
    filters = selectors.PersonFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.PersonFilters(
            query=data["q"],
            profession=data["profession"],
            country=data["country"],
            archived=data["archived"],
            sort=data["sort"] or "name",
        )
    people = selectors.person_list(user=request.user, organisation=organisation, filters=filters)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    query = query_without_page(request)
    context = {
        "form": form,
        "page": page,
        "query": query,
        "can_edit": selectors.can_edit(request.user, organisation.pk),
    }
    template = "directory/person_list.html#results" if is_htmx(request) else "directory/person_list.html"
    return render(request, template, context)


@capability_required(Capability.VIEW)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = active_organisation(request)
    person = selectors.person_for_page(user=request.user, organisation=organisation, pk=pk)
    if person is None:
        raise Http404
    confidential = selectors.sees_confidential(request.user, organisation.pk)
    context = {
        "person": person,
        "confidential": confidential,
        "can_edit": selectors.can_edit(request.user, organisation.pk),
        "bar_association": selectors.visible_institution(user=request.user, pk=person.bar_association_id),
        "contacts": selectors.person_contacts(user=request.user, person=person),
        "consents": selectors.person_consents(person=person),
        "affiliations": selectors.person_affiliations(user=request.user, person=person),
        "sections": sections_for(request.user, person, target="person"),
    }
    return render(request, "directory/person_detail.html", context)


@capability_required(Capability.VIEW)
def person_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """The photo, only to those who may see the person; never served from the media folder.

    Served as an attachment: an <img> on the person page shows it, while opening the
    address directly downloads it rather than rendering it.
    """
    person = person_or_404(request, pk)
    name = person.photo.name
    if not name:
        raise Http404
    with person.photo.storage.open(name) as handle:
        content = handle.read()
    extension = name.rsplit(".", 1)[-1]
    return attachment_response(content, filename=f"photo-{person.pk}.{extension}", mime=person.photo_mime)


# ------------------------------------------------------------------ create and edit


def _similar_for_form(request: HttpRequest, form: PersonForm, *, exclude: Person | None) -> list[Person]:
    data = form.cleaned_data
    return similar_people(
        active_organisation(request),
        data.get("name", ""),
        data.get("name_latin", ""),
        aliases=data.get("aliases", []),
        user=request.user,
        exclude=exclude,
    )


def _names_changed(person: Person, data: dict[str, Any]) -> bool:
    """Whether an edit touches the names (only then is the duplicate check worth asking again)."""
    latin = data.get("name_latin") or transliterate(data.get("name", ""))
    return (
        data.get("name") != person.name
        or latin != person.name_latin
        or set(data.get("aliases", [])) != set(person.aliases)
    )


def _person_form(request: HttpRequest, person: Person | None) -> HttpResponse:
    organisation = active_organisation(request)
    confidential = selectors.sees_confidential(request.user, organisation.pk)
    bars = selectors.bar_association_choices(user=request.user, organisation=organisation)
    data = request.POST if request.method == "POST" else None
    initial = PersonForm.initial_for(person) if person is not None else None
    form = PersonForm(data, initial=initial, bar_associations=bars, confidential=confidential)
    languages = language_formset(data, person=person)
    similar: list[Person] = []
    if request.method == "POST":
        forms_valid = form.is_valid()
        languages_valid = languages.is_valid()
        if forms_valid and languages_valid:
            if person is None or _names_changed(person, form.cleaned_data):
                similar = _similar_for_form(request, form, exclude=person)
            if not similar or form.cleaned_data["different_person"]:
                values = form.person_values()
                try:
                    if person is None:
                        person = services.person_create(
                            actor=request.user, organisation=organisation, languages=languages.languages(), **values
                        )
                        messages.success(request, _("Person added."))
                    else:
                        services.person_update(
                            actor=request.user, person=person, languages=languages.languages(), **values
                        )
                        messages.success(request, _("Changes saved."))
                except ValidationError as exc:
                    apply_validation_error(form, exc)
                else:
                    return redirect("directory:person", pk=person.pk)
    context = {
        "form": form,
        "languages": languages,
        "person": person,
        "similar": similar,
        "confidential": confidential,
    }
    invalid = bool(form.errors) or (languages.is_bound and languages.total_error_count() > 0)
    return render(request, "directory/person_form.html", context, status=400 if invalid else 200)


@capability_required(Capability.EDIT)
def person_create(request: HttpRequest) -> HttpResponse:
    return _person_form(request, None)


@capability_required(Capability.EDIT)
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        return _person_form(request, person_or_404(request, pk))
    # The form shows the confidential details too: opening it is a read like the page.
    person = selectors.person_for_page(user=request.user, organisation=active_organisation(request), pk=pk)
    if person is None:
        raise Http404
    return _person_form(request, person)


@capability_required(Capability.EDIT)
def person_similar(request: HttpRequest) -> HttpResponse:
    """The duplicate warning as the user types (htmx): people who look like the names typed so far."""
    organisation = active_organisation(request)
    exclude = None
    if request.GET.get("exclude", "").isdigit():
        exclude = selectors.person_get(user=request.user, organisation=organisation, pk=int(request.GET["exclude"]))
    aliases = [line.strip() for line in request.GET.get("aliases", "").splitlines() if line.strip()]
    similar = similar_people(
        organisation,
        request.GET.get("name", "").strip(),
        request.GET.get("name_latin", "").strip(),
        aliases=aliases,
        user=request.user,
        exclude=exclude,
    )
    return render(request, "directory/_similar.html", {"similar": similar, "live": True})


@require_POST
@capability_required(Capability.EDIT)
def person_archive(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_or_404(request, pk)
    if request.POST.get("restore"):
        services.person_restore(actor=request.user, person=person)
        messages.success(request, _("The person is back in the lists."))
    else:
        services.person_archive(actor=request.user, person=person)
        messages.success(request, _("Archived. The record and its history are kept; it no longer shows in lists."))
    return redirect("directory:person", pk=person.pk)


@capability_required(Capability.EDIT)
def photo_upload(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_or_404(request, pk)
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["photo"]
        try:
            services.photo_set(actor=request.user, person=person, data=upload.read(), filename=upload.name)
        except ValidationError as exc:
            form.add_error("photo", exc.messages)
        else:
            messages.success(request, _("Photo saved, without its location and camera data."))
            return redirect("directory:person", pk=person.pk)
    return simple_form(
        request,
        form,
        title=_("Photo of %(name)s") % {"name": person.display_name},
        back=reverse("directory:person", args=[person.pk]),
        submit=_("Upload"),
        intro=_("A photo may be published only with the person's consent to publishing their photo."),
        multipart=True,
    )


# ------------------------------------------------------------------ contacts


@capability_required(Capability.EDIT)
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_or_404(request, pk)
    if not selectors.sees_confidential(request.user, person.organisation_id):
        raise PermissionDenied
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_add(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Contact added."))
            return redirect(reverse("directory:person", args=[person.pk]) + "#contacts")
    return simple_form(
        request,
        form,
        title=_("Contact for %(name)s") % {"name": person.display_name},
        back=reverse("directory:person", args=[person.pk]),
        submit=_("Add contact"),
    )


@require_POST
@capability_required(Capability.EDIT)
def contact_remove(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    person = person_or_404(request, pk)
    contact = selectors.person_contact_get(user=request.user, person=person, pk=contact_pk)
    if contact is None:
        raise Http404
    services.contact_remove(actor=request.user, contact=contact)
    messages.success(request, _("Contact removed. It stays in the record's history."))
    return redirect(reverse("directory:person", args=[person.pk]) + "#contacts")


# ------------------------------------------------------------------ consent


@capability_required(Capability.EDIT)
def consent_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_or_404(request, pk)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect(reverse("directory:person", args=[person.pk]) + "#consents")
    return simple_form(
        request,
        form,
        title=_("Consent of %(name)s") % {"name": person.display_name},
        back=reverse("directory:person", args=[person.pk]),
        submit=_("Record consent"),
    )


@capability_required(Capability.EDIT)
def consent_withdraw(request: HttpRequest, pk: int, consent_pk: int) -> HttpResponse:
    person = person_or_404(request, pk)
    consent = selectors.person_consent_get(person=person, pk=consent_pk)
    if consent is None:
        raise Http404
    form = ConsentWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(
                actor=request.user,
                consent=consent,
                withdrawn_on=form.cleaned_data["withdrawn_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Withdrawal recorded. The consent and its withdrawal both stay on record."))
            return redirect(reverse("directory:person", args=[person.pk]) + "#consents")
    return simple_form(
        request,
        form,
        title=_("Withdrawal of consent: %(scope)s") % {"scope": consent.get_scope_display()},
        back=reverse("directory:person", args=[person.pk]),
        submit=_("Record withdrawal"),
        intro=_("%(name)s gave this consent on %(date)s.")
        % {"name": person.display_name, "date": consent.given_on.isoformat()},
    )
