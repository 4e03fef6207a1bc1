"""Every view through the personas, the board's order and filters, and the follow-up loop a case officer runs."""

from __future__ import annotations

import datetime

import time_machine
from django.urls import reverse

from defensor.core.models import Sensitivity
from defensor.core.testing import assert_persona_matrix
from defensor.recommendations import services
from defensor.recommendations.models import FollowUp, ImplementationStatus, Recommendation

D = datetime.date
NOW = datetime.datetime(2024, 3, 1, 10, tzinfo=datetime.UTC)
BOARD_MATRIX = {"anonymous": 302, "outsider": 200, "volunteer": 200, "case_officer": 200, "director": 200}
READ_MATRIX = {"anonymous": 302, "outsider": 404, "volunteer": 200, "case_officer": 200, "director": 200}
EDIT_MATRIX = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 200, "director": 200}


def _board(world, persona="case_officer", **params):
    return world.personas.client(persona).get(reverse("recommendations:board"), params).content.decode()


def test_board_matrix(world):
    assert_persona_matrix(world.personas, reverse("recommendations:board"), BOARD_MATRIX)


def test_outsider_board_shows_none_of_our_recommendations(world):
    world.recommend(text="Release the monitor of the cotton harvest.")
    assert "cotton harvest" not in _board(world, "outsider")


def test_volunteer_board_omits_a_confidential_recommendation(world):
    world.recommend(text="An open recommendation.")
    world.recommend(text="A confidential recommendation.", sensitivity=Sensitivity.CONFIDENTIAL)
    page = _board(world, "volunteer")
    assert "An open recommendation." in page and "A confidential recommendation." not in page


def test_board_hides_recommendations_of_a_case_the_user_cannot_see(world):
    world.recommend(text="About a confidential case.", case=world.confidential_case, sensitivity="internal")
    # The director may see confidential records but is not on this case's access list.
    assert "About a confidential case." not in _board(world, "director")
    assert "About a confidential case." in _board(world, "case_officer")


def test_detail_matrix(world):
    recommendation = world.recommend()
    assert_persona_matrix(world.personas, reverse("recommendations:detail", args=[recommendation.pk]), READ_MATRIX)


def test_detail_of_a_confidential_recommendation_is_404_for_the_volunteer(world):
    recommendation = world.recommend(sensitivity=Sensitivity.CONFIDENTIAL)
    response = world.personas.client("volunteer").get(reverse("recommendations:detail", args=[recommendation.pk]))
    assert response.status_code == 404


def test_add_matrix(world):
    expected = {"anonymous": 302, "outsider": 200, "volunteer": 403, "case_officer": 200, "director": 200}
    assert_persona_matrix(world.personas, reverse("recommendations:add"), expected)


def test_edit_matrix(world):
    recommendation = world.recommend()
    assert_persona_matrix(world.personas, reverse("recommendations:edit", args=[recommendation.pk]), EDIT_MATRIX)


def test_followup_add_matrix(world):
    recommendation = world.recommend()
    url = reverse("recommendations:followup_add", args=[recommendation.pk])
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 302, "director": 302}
    data = {"occurred_on": "2024-02-01", "action": "letter", "implementation_status": "unknown"}
    assert_persona_matrix(world.personas, url, expected, method="post", data=data)


@time_machine.travel(NOW, tick=False)
def test_board_puts_overdue_first_then_by_due_date(world):
    later = world.recommend(text="Item due later", due_on=D(2024, 5, 1))
    sooner = world.recommend(text="Item due sooner", due_on=D(2024, 4, 1))
    no_date = world.recommend(text="Item without a due date", due_on=None)
    overdue = world.recommend(text="Item overdue", due_on=D(2024, 2, 20))
    followed = world.recommend(text="Item past due but followed up", due_on=D(2024, 2, 1))
    services.followup_add(
        actor=world.user("case_officer"),
        recommendation=followed,
        occurred_on=D(2024, 2, 15),
        action="letter",
        implementation_status=ImplementationStatus.NOT_IMPLEMENTED,
    )
    table = _board(world).split("<tbody>")[1]
    positions = [table.index(r.text) for r in (overdue, followed, sooner, later, no_date)]
    assert positions == sorted(positions)


@time_machine.travel(NOW, tick=False)
def test_board_shows_the_last_followup(world):
    recommendation = world.recommend(text="Followed up")
    services.followup_add(
        actor=world.user("case_officer"),
        recommendation=recommendation,
        occurred_on=D(2024, 2, 15),
        action="meeting",
        implementation_status=ImplementationStatus.PARTIALLY,
    )
    page = _board(world)
    assert "Meeting" in page and "Partially implemented" in page


def test_board_filters_by_country(world):
    world.recommend(text="To Turkmenistan")
    world.recommend(text="To Kazakhstan", addressee=world.ministry)
    page = _board(world, country="KZ")
    assert "To Kazakhstan" in page and "To Turkmenistan" not in page


def test_board_filters_by_addressee(world):
    world.recommend(text="To Turkmenistan")
    world.recommend(text="To Kazakhstan", addressee=world.ministry)
    page = _board(world, addressee=world.prosecutor.pk)
    assert "To Turkmenistan" in page and "To Kazakhstan" not in page


@time_machine.travel(NOW, tick=False)
def test_board_filters_by_status(world):
    world.recommend(text="Still unknown")
    done = world.recommend(text="Now implemented")
    services.followup_add(
        actor=world.user("case_officer"),
        recommendation=done,
        occurred_on=D(2024, 2, 15),
        action="statement",
        implementation_status=ImplementationStatus.FULLY,
    )
    page = _board(world, status="fully")
    assert "Now implemented" in page and "Still unknown" not in page


def test_board_filters_by_priority(world):
    world.recommend(text="Urgent one", priority="high")
    world.recommend(text="Can wait", priority="low")
    page = _board(world, priority="high")
    assert "Urgent one" in page and "Can wait" not in page


def test_board_filters_by_owner(world):
    world.recommend(text="Owned by the officer")
    world.recommend(text="Owned by the director", owner=world.user("director"))
    page = _board(world, owner=world.user("director").pk)
    assert "Owned by the director" in page and "Owned by the officer" not in page


@time_machine.travel(NOW, tick=False)
def test_board_counts_per_status_ignore_the_status_filter(world):
    world.recommend(text="One")
    world.recommend(text="Two")
    response = world.personas.client("case_officer").get(reverse("recommendations:board"), {"status": "fully"})
    counts = response.context["counts"]
    assert {c.status: c.count for c in counts.statuses}["unknown"] == 2
    assert counts.overdue == 2


def test_board_answers_htmx_with_the_table_only(world):
    world.recommend(text="Visible in the partial")
    response = world.personas.client("case_officer").get(reverse("recommendations:board"), HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "Visible in the partial" in page and "<html" not in page


def test_board_with_a_bad_filter_says_so_and_keeps_the_rest(world):
    response = world.personas.client("case_officer").get(reverse("recommendations:board"), {"status": "lost"})
    assert response.status_code == 200
    assert response.context["form"].errors["status"]


@time_machine.travel(NOW, tick=False)
def test_a_recommendation_gets_a_followup_and_leaves_the_overdue_list(world):
    """The issue's done-criterion, through the pages a case officer uses."""
    recommendation = world.recommend(text="Allow lawyers to meet their clients in private", due_on=D(2024, 2, 1))
    client = world.personas.client("case_officer")
    overdue_before = client.get(reverse("recommendations:board"), {"overdue": "on"}).content.decode()
    assert "Allow lawyers to meet their clients in private" in overdue_before

    response = client.post(
        reverse("recommendations:followup_add", args=[recommendation.pk]),
        {
            "occurred_on": "2024-02-28",
            "action": "letter",
            "implementation_status": "not_implemented",
            "description": "Letter to the Prosecutor General",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Letter to the Prosecutor General" in response.content.decode()

    overdue_after = client.get(reverse("recommendations:board"), {"overdue": "on"}).content.decode()
    assert "Allow lawyers to meet their clients in private" not in overdue_after
    recommendation.refresh_from_db()
    assert recommendation.status == ImplementationStatus.NOT_IMPLEMENTED


@time_machine.travel(NOW, tick=False)
def test_invalid_followup_keeps_what_was_typed_and_records_nothing(world):
    recommendation = world.recommend()
    response = world.personas.client("case_officer").post(
        reverse("recommendations:followup_add", args=[recommendation.pk]),
        {"occurred_on": "2030-01-01", "action": "letter", "implementation_status": "fully", "description": "Kept text"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert "the date cannot be in the future" in page and "Kept text" in page
    assert not FollowUp.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_followup_without_htmx_redirects_to_the_recommendation(world):
    recommendation = world.recommend()
    response = world.personas.client("case_officer").post(
        reverse("recommendations:followup_add", args=[recommendation.pk]),
        {"occurred_on": "2024-02-20", "action": "meeting", "implementation_status": "partially"},
    )
    assert response["Location"] == reverse("recommendations:detail", args=[recommendation.pk])


def test_followup_can_link_an_activity_of_the_ledger(world):
    from defensor.core.ledger import activity_record

    activity = activity_record(
        actor=world.user("case_officer"),
        organisation=world.organisation,
        kind="letter_sent",
        occurred_on=D(2024, 2, 1),
        title="Letter to the Prosecutor General",
    )
    recommendation = world.recommend()
    client = world.personas.client("case_officer")
    client.post(
        reverse("recommendations:followup_add", args=[recommendation.pk]),
        {"occurred_on": "2024-02-01", "action": "letter", "implementation_status": "unknown", "activity": activity.pk},
    )
    followup = FollowUp.objects.get()
    assert followup.link_id == str(activity.pk)
    page = client.get(reverse("recommendations:detail", args=[recommendation.pk])).content.decode()
    assert "Letter to the Prosecutor General" in page


def test_adding_a_recommendation_by_hand(world):
    response = world.personas.client("case_officer").post(
        reverse("recommendations:add"),
        {
            "text": "Investigate the threats against the lawyer",
            "addressee": world.ministry.pk,
            "country": "",
            "case": world.case.pk,
            "provisions": [world.provision.pk],
            "priority": "high",
            "made_on": "2024-01-10",
            "due_on": "2024-04-10",
            "owner": world.user("case_officer").pk,
            "sensitivity": "internal",
        },
    )
    recommendation = Recommendation.objects.get()
    assert response["Location"] == reverse("recommendations:detail", args=[recommendation.pk])
    assert (recommendation.country, recommendation.case, recommendation.priority) == ("KZ", world.case, "high")


def test_adding_with_a_due_date_before_it_was_made_keeps_what_was_typed(world):
    response = world.personas.client("case_officer").post(
        reverse("recommendations:add"),
        {
            "text": "Text that must not be lost",
            "addressee": world.ministry.pk,
            "priority": "medium",
            "made_on": "2024-03-10",
            "due_on": "2024-01-10",
            "sensitivity": "internal",
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Text that must not be lost" in page and "cannot be due before" in page
    assert not Recommendation.objects.exists()


def test_editing_a_recommendation(world):
    recommendation = world.recommend()
    response = world.personas.client("director").post(
        reverse("recommendations:edit", args=[recommendation.pk]),
        {
            "text": "Reworded",
            "addressee": world.prosecutor.pk,
            "priority": "low",
            "made_on": "2024-01-10",
            "due_on": "2024-05-01",
            "owner": world.user("director").pk,
            "sensitivity": "internal",
        },
    )
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert (recommendation.text, recommendation.priority, recommendation.owner) == (
        "Reworded",
        "low",
        world.user("director"),
    )


def test_detail_shows_the_source_and_the_provisions(world):
    recommendation = world.recommend(source=world.case, provisions=[world.provision])
    page = (
        world.personas.client("case_officer")
        .get(reverse("recommendations:detail", args=[recommendation.pk]))
        .content.decode()
    )
    assert world.case.reference in page and "BPRL-16" in page


def test_detail_never_names_a_source_the_user_cannot_see(world):
    from defensor.recommendations import sources

    # The source's app says this user may not see it: only the kind of record is shown.
    sources.register("directory.institution", lambda user, obj: None)
    try:
        recommendation = world.recommend(source=world.ministry)
        page = (
            world.personas.client("case_officer")
            .get(reverse("recommendations:detail", args=[recommendation.pk]))
            .content.decode()
        )
    finally:
        sources.unregister("directory.institution")
    made_by = page[page.index("Made by") :]
    assert made_by[: made_by.index("</dd>")].count("Institution") == 1
    assert "Ministry of Justice" not in made_by[: made_by.index("</dd>")]


def test_navigation_shows_recommendations(world):
    page = world.personas.client("volunteer").get(reverse("recommendations:board")).content.decode()
    assert 'href="/app/recommendations/"' in page
