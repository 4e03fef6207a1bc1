from __future__ import annotations

import datetime

from django.urls import reverse

from defensor.core.ledger import activity_record
from defensor.core.models import ActivityKind, Sensitivity
from defensor.core.testing import assert_persona_matrix


def test_dashboard_persona_matrix(personas):
    url = reverse("reporting:dashboard")
    assert_persona_matrix(
        personas, url, {"anonymous": 302, "outsider": 200, "volunteer": 200, "case_officer": 200, "director": 200}
    )


def _record(organisation, title, sensitivity=Sensitivity.INTERNAL):
    return activity_record(
        actor=None,
        organisation=organisation,
        kind=ActivityKind.TRAINING_HELD,
        occurred_on=datetime.date(2017, 4, 23),
        title=title,
        sensitivity=sensitivity,
    )


def test_dashboard_shows_recent_activity_of_the_active_organisation(personas):
    _record(personas.organisation, "Workshop in Bishkek")
    response = personas.client("volunteer").get(reverse("reporting:dashboard"))
    assert "Workshop in Bishkek" in response.content.decode()


def test_outsider_does_not_see_another_organisations_activity(personas):
    _record(personas.organisation, "Workshop in Bishkek")
    response = personas.client("outsider").get(reverse("reporting:dashboard"))
    assert "Workshop in Bishkek" not in response.content.decode()


def test_volunteer_does_not_see_confidential_activity(personas):
    _record(personas.organisation, "Meeting with the family", Sensitivity.CONFIDENTIAL)
    assert "Meeting with the family" not in personas.client("volunteer").get("/app/").content.decode()
    assert "Meeting with the family" in personas.client("case_officer").get("/app/").content.decode()


def test_dashboard_counts_interventions_by_year(personas):
    _record(personas.organisation, "One")
    _record(personas.organisation, "Two")
    response = personas.client("director").get("/app/")
    assert response.context["by_year"] == [{"year": 2017, "kinds": [{"label": "Training held", "count": 2}]}]


def _case(personas, *, sensitivity="internal", hearing_in_days=None):  # type: ignore[no-untyped-def]
    import datetime

    from defensor.cases import services

    officer = personas.users["case_officer"]
    case = services.case_open(
        actor=officer,
        organisation=personas.organisation,
        title="Prosecution of a defence lawyer",
        country="KZ",
        lead=officer,
        status="active",
        sensitivity=sensitivity,
    )
    if hearing_in_days is not None:
        services.proceeding_add(
            actor=officer,
            case=case,
            kind="criminal",
            case_number="2-117/2017",
            next_hearing_on=datetime.date.today() + datetime.timedelta(days=hearing_in_days),
        )
    return case


def test_dashboard_lists_the_open_cases_the_user_leads(personas):
    case = _case(personas)
    page = personas.client("case_officer").get(reverse("reporting:dashboard")).content.decode()
    assert case.reference in page


def test_dashboard_shows_a_coming_hearing(personas):
    case = _case(personas, hearing_in_days=10)
    page = personas.client("volunteer").get(reverse("reporting:dashboard")).content.decode()
    # The volunteer leads nothing, so the reference can only come from the hearings list.
    assert case.reference in page
    assert "No hearing in the next three months." not in page


def test_hearings_of_a_confidential_case_stay_hidden_from_those_not_on_its_list(personas):
    _case(personas, sensitivity="confidential", hearing_in_days=10)
    page = personas.client("volunteer").get(reverse("reporting:dashboard")).content.decode()
    assert "No hearing in the next three months." in page


def test_dashboard_lists_an_observed_hearing_of_the_next_days(personas):
    from django.utils import timezone

    from defensor.monitoring import services as monitoring

    case = _case(personas)
    officer = personas.users["case_officer"]
    from defensor.cases import services

    proceeding = services.proceeding_add(actor=officer, case=case, kind="criminal", case_number="1-55/2017")
    plan = monitoring.plan_create(actor=officer, proceeding=proceeding)
    monitoring.hearing_add(actor=officer, plan=plan, scheduled_start=timezone.now() + datetime.timedelta(days=5))
    page = personas.client("case_officer").get(reverse("reporting:dashboard")).content.decode()
    assert "No observed hearing in the next 30 days." not in page
