"""The engagement registry: higher apps show what engages a provision, without standards importing them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import reverse

from defensor.standards import engagements
from defensor.standards.models import Provision

pytestmark = pytest.mark.usefixtures("standards_catalogue")


def sections_for(personas) -> list[engagements.Engagement]:
    return engagements.engagements_for(personas.users["volunteer"], Provision.objects.get(code="BPRL-1"))


@pytest.fixture
def registry() -> Iterator[None]:
    """An empty registry for the test (the apps' own providers are put back afterwards)."""
    saved = dict(engagements._providers)
    engagements._providers.clear()
    yield
    engagements._providers.clear()
    engagements._providers.update(saved)


def test_registered_provider_is_rendered_on_the_provision_page(personas, registry):
    def cases(user, provision):
        return engagements.Engagement(
            title="Cases", count=1, rows=[engagements.EngagementRow(f"Case about {provision.code}", "/app/cases/7/")]
        )

    engagements.register("test-cases", cases)
    html = personas.client("volunteer").get(reverse("standards:provision", args=["BPRL-18"])).content.decode()
    assert "Cases <small>(1)</small>" in html
    assert '<a href="/app/cases/7/">Case about BPRL-18</a>' in html


def test_provider_receives_the_requesting_user(personas, registry):
    seen = []

    def spy(user, provision):
        seen.append((user, provision.code))

    engagements.register("test-spy", spy)
    personas.client("director").get(reverse("standards:provision", args=["ECHR-6"]))
    assert seen == [(personas.users["director"], "ECHR-6")]


def test_provider_returning_none_shows_no_section(personas, registry):
    engagements.register("test-hidden", lambda user, provision: None)
    assert sections_for(personas) == []


def test_rows_are_cut_to_the_limit_and_the_rest_counted(personas, registry):
    rows = [engagements.EngagementRow(f"Event {n}", f"/app/cases/events/{n}/") for n in range(15)]
    engagements.register("test-events", lambda user, provision: engagements.Engagement("Events", 15, rows))
    (section,) = sections_for(personas)
    assert len(section.rows) == engagements.ROW_LIMIT
    assert section.more == 15 - engagements.ROW_LIMIT
    html = personas.client("volunteer").get(reverse("standards:provision", args=["BPRL-1"])).content.decode()
    assert f"and {15 - engagements.ROW_LIMIT} more" in html


def test_sections_keep_the_order_of_registration(personas, registry):
    engagements.register("test-first", lambda user, provision: engagements.Engagement("First", 0))
    engagements.register("test-second", lambda user, provision: engagements.Engagement("Second", 0))
    names = [s.name for s in sections_for(personas)]
    assert names.index("test-first") < names.index("test-second")


def test_registering_a_name_again_replaces_the_provider(personas, registry):
    engagements.register("test-twice", lambda user, provision: engagements.Engagement("Old", 0))
    engagements.register("test-twice", lambda user, provision: engagements.Engagement("New", 0))
    titles = [s.title for s in sections_for(personas)]
    assert "New" in titles and "Old" not in titles
