"""Views of affiliations: who holds which position at which institution, and since when."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from defensor.core.decorators import capability_required
from defensor.core.forms import apply_validation_error
from defensor.core.permissions import Capability
from defensor.directory import selectors, services
from defensor.directory.forms import AffiliationEndForm, AffiliationForm
from defensor.directory.models import Institution, Person
from defensor.directory.views.common import active_organisation, institution_or_404, person_or_404, simple_form


def _affiliation_form(
    request: HttpRequest, *, person: Person | None = None, institution: Institution | None = None
) -> HttpResponse:
    organisation = active_organisation(request)
    people = None if person else selectors.person_choices(user=request.user, organisation=organisation)
    institutions = None if institution else selectors.institution_choices(user=request.user, organisation=organisation)
    form = AffiliationForm(request.POST or None, people=people, institutions=institutions)
    if person is not None:
        back, subject = reverse("directory:person", args=[person.pk]), person.display_name
    elif institution is not None:
        back, subject = reverse("directory:institution", args=[institution.pk]), institution.display_name
    else:
        raise ValueError("an affiliation is added from a person or from an institution")
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chosen_person = person or data.pop("person")
        chosen_institution = institution or data.pop("institution")
        try:
            services.affiliation_add(actor=request.user, person=chosen_person, institution=chosen_institution, **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Position added."))
            return redirect(back)
    return simple_form(
        request,
        form,
        title=_("Position: %(subject)s") % {"subject": subject},
        back=back,
        submit=_("Add position"),
    )


@capability_required(Capability.EDIT)
def affiliation_add_for_person(request: HttpRequest, pk: int) -> HttpResponse:
    return _affiliation_form(request, person=person_or_404(request, pk))


@capability_required(Capability.EDIT)
def affiliation_end(request: HttpRequest, pk: int) -> HttpResponse:
    affiliation = selectors.affiliation_get(user=request.user, organisation=active_organisation(request), pk=pk)
    if affiliation is None:
        raise Http404
    form = AffiliationEndForm(request.POST or None)
    back = request.GET.get("from") == "institution"
    back_url = (
        reverse("directory:institution", args=[affiliation.institution_id])
        if back
        else reverse("directory:person", args=[affiliation.person_id])
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.affiliation_end(
                actor=request.user, affiliation=affiliation, end_date=form.cleaned_data["end_date"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Position ended."))
            return redirect(back_url)
    return simple_form(
        request,
        form,
        title=_("End of position: %(position)s") % {"position": str(affiliation)},
        back=back_url,
        submit=_("End position"),
        intro=affiliation.person.display_name,
    )


@capability_required(Capability.EDIT)
def affiliation_add_for_institution(request: HttpRequest, pk: int) -> HttpResponse:
    return _affiliation_form(request, institution=institution_or_404(request, pk))
