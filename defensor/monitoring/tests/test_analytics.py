"""Findings across trials: counts per country and guarantee, a table and an SVG chart."""

from __future__ import annotations

from django.urls import reverse

from defensor.cases import services as case_services
from defensor.core.testing import assert_persona_matrix
from defensor.monitoring import services
from defensor.monitoring.charts import Bar, Series, stacked_bars
from defensor.monitoring.selectors import findings_analytics
from defensor.standards.models import Provision


def confirm(world, plan, code, value):
    services.finding_confirm(
        actor=world.user("case_officer"),
        plan=plan,
        provision=Provision.objects.get(code=code),
        value=value,
        rationale="Seen.",
    )


def second_plan(world, country):
    officer = world.user("case_officer")
    case = case_services.case_open(
        actor=officer, organisation=world.organisation, title="Another", country=country, lead=officer
    )
    proceeding = case_services.proceeding_add(actor=officer, case=case, kind="criminal")
    return services.plan_create(actor=officer, proceeding=proceeding)


def test_findings_are_counted_per_country_and_guarantee(world):
    other = second_plan(world, "KZ")
    third = second_plan(world, "TM")
    confirm(world, world.plan, "ICCPR-14.1.public", "violation")
    confirm(world, third, "ICCPR-14.1.public", "violation")
    confirm(world, other, "ICCPR-14.1.public", "concern")
    confirm(world, world.plan, "ICCPR-7", "serious_violation")
    rows = findings_analytics(user=world.user("director"), organisation=world.organisation)
    table = {(r.country, r.provision.code): r.counts for r in rows}
    assert table == {
        ("KZ", "ICCPR-14.1.public"): {"concern": 1},
        ("TM", "ICCPR-14.1.public"): {"violation": 2},
        ("TM", "ICCPR-7"): {"serious_violation": 1},
    }


def test_a_country_filter_narrows_the_counts(world):
    confirm(world, second_plan(world, "KZ"), "ICCPR-7", "concern")
    confirm(world, world.plan, "ICCPR-7", "violation")
    rows = findings_analytics(user=world.user("director"), organisation=world.organisation, country="kz")
    assert [(r.country, r.counts) for r in rows] == [("KZ", {"concern": 1})]


def test_findings_of_cases_one_cannot_see_are_not_counted(world):
    confirm(world, world.plan, "ICCPR-7", "violation")
    assert (
        findings_analytics(user=world.personas.users["outsider"], organisation=world.personas.other_organisation) == []
    )


def test_the_chart_is_a_stacked_bar_per_guarantee_without_inline_style():
    svg = stacked_bars(
        [Bar("ICCPR-7", {"violation": 2, "concern": 1}), Bar("ICCPR-14.2", {"concern": 3})],
        [Series("concern", "Concern"), Series("violation", "Violation")],
        title="Findings",
    )
    assert svg.startswith("<svg") and "style=" not in svg
    assert svg.count('class="chart-concern"') == 3 and svg.count('class="chart-violation"') == 2
    assert "<title>ICCPR-7 · Violation: 2</title>" in svg


def test_the_chart_escapes_labels():
    svg = stacked_bars([Bar("<script>", {"concern": 1})], [Series("concern", "Concern")], title="T")
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_analytics_matrix(world):
    expected = {"anonymous": 302, "outsider": 200, "volunteer": 200, "case_officer": 200, "director": 200}
    assert_persona_matrix(world.personas, reverse("monitoring:analytics"), expected)


def test_the_analytics_page_shows_table_and_chart(world):
    confirm(world, world.plan, "ICCPR-7", "violation")
    page = world.client("director").get(reverse("monitoring:analytics")).content.decode()
    assert "<svg" in page and "ICCPR-7" in page and '<td class="num">1</td>' in page
