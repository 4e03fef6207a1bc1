"""What recommendations show on other areas' pages, the registry of sources, and the daily reminders schedule."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from defensor.core import schedule
from defensor.core.models import Sensitivity
from defensor.directory.sections import sections_for
from defensor.recommendations import sections, sources
from defensor.standards import engagements


def test_institution_page_lists_recommendations_addressed_to_it(world):
    world.recommend(text="Allow lawyers to visit clients in detention")
    page = (
        world.personas.client("volunteer")
        .get(reverse("directory:institution", args=[world.prosecutor.pk]))
        .content.decode()
    )
    assert "Allow lawyers to visit clients in detention" in page


def test_institution_section_leaves_out_what_the_user_may_not_see(world):
    world.recommend(text="Open one")
    world.recommend(text="Confidential one", sensitivity=Sensitivity.CONFIDENTIAL)
    titles = [
        str(row.text)
        for section in sections_for(world.user("volunteer"), world.prosecutor, target="institution")
        for row in section.rows
    ]
    assert "Open one" in titles and "Confidential one" not in titles


def test_provision_engagement_counts_only_visible_recommendations(world):
    world.recommend(text="Open one", provisions=[world.provision])
    world.recommend(text="Confidential one", provisions=[world.provision], sensitivity=Sensitivity.CONFIDENTIAL)
    volunteer = sections.provision_recommendations(world.user("volunteer"), world.provision)
    officer = sections.provision_recommendations(world.user("case_officer"), world.provision)
    assert (volunteer.count, officer.count) == (1, 2)
    assert "recommendations" in engagements.registered()


def test_source_of_an_unregistered_model_shows_only_its_kind(world):
    described = sources.describe(
        world.user("case_officer"), ContentType.objects.get_for_model(world.ministry), str(world.ministry.pk)
    )
    assert described == sources.Described("Institution")


def test_a_case_source_links_to_the_case_for_those_who_see_it(world):
    content_type = ContentType.objects.get_for_model(world.case)
    described = sources.describe(world.user("volunteer"), content_type, str(world.case.pk))
    assert described.url == reverse("cases:detail", args=[world.case.pk])
    assert world.case.reference in str(described.label)


def test_a_case_source_is_not_named_to_those_who_may_not_see_it(world):
    content_type = ContentType.objects.get_for_model(world.confidential_case)
    described = sources.describe(world.user("volunteer"), content_type, str(world.confidential_case.pk))
    assert described == sources.Described("Case")


def test_a_source_that_no_longer_exists_shows_only_its_kind(world):
    content_type = ContentType.objects.get_for_model(world.case)
    assert sources.describe(world.user("director"), content_type, "999999") == sources.Described("Case")


def test_reminders_run_every_day_at_seven():
    entry = next(s for s in schedule.registered() if s.name == "recommendations.reminders")
    assert (entry.every, entry.at, entry.takes_today) == (datetime.timedelta(days=1), datetime.time(7, 0), True)
