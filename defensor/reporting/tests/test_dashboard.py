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
