"""Plans, hearings, observers, the checklist and the notification letter; every view per persona."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from defensor.cases import services as case_services
from defensor.core.models import AuditEntry
from defensor.core.testing import assert_persona_matrix, make_member
from defensor.monitoring import services
from defensor.monitoring.letters import notification_draft
from defensor.monitoring.selectors import plan_checklist, upcoming_hearings
from defensor.monitoring.tests.conftest import soon

READ = {"anonymous": 302, "outsider": 404, "volunteer": 200, "case_officer": 200, "director": 200}
MANAGE = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 200, "director": 200}
LIST = {"anonymous": 302, "outsider": 200, "volunteer": 200, "case_officer": 200, "director": 200}


def test_plan_list_matrix(world):
    assert_persona_matrix(world.personas, reverse("monitoring:plans"), LIST)


def test_the_outsider_list_does_not_show_our_plan(world):
    page = world.personas.client("outsider").get(reverse("monitoring:plans")).content.decode()
    assert world.case.reference not in page


def test_plan_create_matrix(world):
    expected = {"anonymous": 302, "outsider": 200, "volunteer": 403, "case_officer": 200, "director": 200}
    assert_persona_matrix(world.personas, reverse("monitoring:plan_create"), expected)


def test_plan_detail_matrix(world):
    assert_persona_matrix(world.personas, reverse("monitoring:plan", args=[world.plan.pk]), READ)


def test_observers_names_are_shown_to_plan_staff_only(world):
    staff = world.client("case_officer").get(reverse("monitoring:plan", args=[world.plan.pk])).content.decode()
    volunteer = world.client("volunteer").get(reverse("monitoring:plan", args=[world.plan.pk])).content.decode()
    assert world.observer.get_full_name() in staff and "observer@justice.test" not in volunteer
    assert "Observers and experts" not in volunteer


@pytest.mark.parametrize(
    "name",
    ["monitoring:plan_edit", "monitoring:hearing_add", "monitoring:assignment_add", "monitoring:plan_notification"],
)
def test_staff_pages_matrix(world, name):
    assert_persona_matrix(world.personas, reverse(name, args=[world.plan.pk]), MANAGE)


def test_hearing_detail_and_edit_matrix(world):
    assert_persona_matrix(world.personas, reverse("monitoring:hearing", args=[world.hearing.pk]), READ)
    assert_persona_matrix(world.personas, reverse("monitoring:hearing_edit", args=[world.hearing.pk]), MANAGE)


def test_checklist_matrix(world):
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 302, "director": 302}
    url = reverse("monitoring:plan_checklist", args=[world.plan.pk])
    assert_persona_matrix(
        world.personas, url, expected, method="post", data={"item": "observer_briefed", "checked": "1"}
    )


def test_a_plan_in_a_confidential_case_is_hidden_like_the_case(world):
    officer = world.user("case_officer")
    case = case_services.case_open(
        actor=officer,
        organisation=world.organisation,
        title="Secret",
        country="RU",
        lead=officer,
        sensitivity="confidential",
    )
    proceeding = case_services.proceeding_add(actor=officer, case=case, kind="criminal")
    plan = services.plan_create(actor=officer, proceeding=proceeding)
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 404, "case_officer": 200, "director": 404}
    assert_persona_matrix(world.personas, reverse("monitoring:plan", args=[plan.pk]), expected)


def test_creating_a_plan_is_audited(world):
    entry = AuditEntry.objects.filter(action="monitoring.plan.created").get()
    assert entry.changes["case"] == world.case.pk


def test_a_volunteer_cannot_create_a_plan(world):
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=world.user("volunteer"), proceeding=world.proceeding)


def test_creating_a_plan_through_the_form(world):
    response = world.client("director").post(
        reverse("monitoring:plan_create"),
        {"proceeding": world.proceeding.pk, "selection_criteria": ["vulnerable_group", "scrutiny_value"]},
    )
    plan = world.proceeding.monitoring_plans.order_by("-id").first()
    assert response.status_code == 302 and plan.selection_criteria == ["vulnerable_group", "scrutiny_value"]


def test_adding_a_hearing_sets_the_proceedings_next_hearing(world):
    world.proceeding.refresh_from_db()
    assert world.proceeding.next_hearing_on == timezone.localtime(world.hearing.scheduled_start).date()
    earlier = soon(days=1)
    services.hearing_add(actor=world.user("case_officer"), plan=world.plan, kind="detention", scheduled_start=earlier)
    world.proceeding.refresh_from_db()
    assert world.proceeding.next_hearing_on == timezone.localtime(earlier).date()


def test_an_adjournment_moves_the_next_hearing(world):
    officer = world.user("case_officer")
    next_date = timezone.localdate() + datetime.timedelta(days=40)
    services.hearing_update(
        actor=officer,
        hearing=world.hearing,
        scheduled_start=timezone.now() - datetime.timedelta(days=1),
        adjourned=True,
        adjournment_reason="witness_absent",
        next_date=next_date,
    )
    world.proceeding.refresh_from_db()
    assert world.proceeding.next_hearing_on == next_date


def test_an_adjournment_needs_its_reason(world):
    with pytest.raises(ValidationError):
        services.hearing_update(actor=world.user("case_officer"), hearing=world.hearing, adjourned=True)


def test_adding_a_hearing_through_the_form(world):
    start = soon(days=10)
    response = world.client("case_officer").post(
        reverse("monitoring:hearing_add", args=[world.plan.pk]),
        {
            "kind": "verdict",
            "scheduled_start": timezone.localtime(start).strftime("%Y-%m-%dT%H:%M"),
            "bench": [world.judge.pk],
        },
    )
    hearing = world.plan.hearings.get(kind="verdict")
    assert response.status_code == 302 and list(hearing.bench.all()) == [world.judge]


def test_only_someone_who_can_see_the_case_can_be_assigned(world):
    with pytest.raises(ValidationError):
        services.assignment_add(
            actor=world.user("case_officer"), plan=world.plan, user=world.personas.users["outsider"]
        )


def test_a_partner_member_can_be_assigned_once_the_case_is_shared(world):
    officer = world.user("case_officer")
    partner = world.personas.other_organisation
    partner_observer = make_member(partner, "trial_observer", email="observer@l4l.test")
    case_services.share_grant(
        actor=officer, case=world.case, partner=partner, override_reason="Joint monitoring mission"
    )
    assignment = services.assignment_add(actor=officer, plan=world.plan, user=partner_observer)
    assert assignment.user == partner_observer


def test_an_assignment_can_be_limited_to_some_hearings(world):
    officer = world.user("case_officer")
    later = services.hearing_add(actor=officer, plan=world.plan, kind="verdict", scheduled_start=soon(days=20))
    assignment = services.assignment_add(actor=officer, plan=world.plan, user=world.other_observer, hearings=[later])
    assert assignment.covers(later) and not assignment.covers(world.hearing)


def test_an_ended_assignment_stops_the_observer(world):
    officer = world.user("case_officer")
    assignment = world.plan.assignments.get(user=world.observer)
    services.assignment_end(actor=officer, assignment=assignment)
    with pytest.raises(PermissionDenied):
        services.observation_start(actor=world.observer, hearing=world.hearing)
    assert world.client("observer").get(reverse("monitoring:my")).content.decode().count(world.case.reference) == 0


def test_the_checklist_records_who_and_when(world):
    officer = world.user("case_officer")
    services.plan_check_set(actor=officer, plan=world.plan, item="observer_briefed", checked=True)
    row = next(r for r in plan_checklist(plan=world.plan) if r.item.code == "observer_briefed")
    assert row.checked and row.check.by == officer and row.check.at is not None


def test_unticking_keeps_the_history(world):
    officer = world.user("case_officer")
    services.plan_check_set(actor=officer, plan=world.plan, item="observer_briefed", checked=True)
    services.plan_check_set(actor=world.user("director"), plan=world.plan, item="observer_briefed", checked=False)
    row = next(r for r in plan_checklist(plan=world.plan) if r.item.code == "observer_briefed")
    assert not row.checked and world.plan.checks.count() == 2


def test_an_unknown_checklist_item_is_refused(world):
    with pytest.raises(ValidationError):
        services.plan_check_set(actor=world.user("case_officer"), plan=world.plan, item="made_up", checked=True)


def test_the_notification_is_filled_in_from_the_plan(world):
    text = notification_draft(world.plan, language="en")
    assert "Ashgabat City Court" in text and "1-77/2025" in text and world.observer.get_full_name() in text


def test_the_notification_exists_in_russian(world):
    text = notification_draft(world.plan, language="ru")
    assert "Наблюдатели" in text and "1-77/2025" in text


def test_recording_the_notification_as_sent(world):
    client = world.client("case_officer")
    today = timezone.localdate()
    response = client.post(
        reverse("monitoring:plan_notification", args=[world.plan.pk]),
        {"language": "en", "text": "Dear President,\nWe will observe.", "sent_on": today.isoformat()},
    )
    world.plan.refresh_from_db()
    assert response.status_code == 302 and world.plan.notification_sent_on == today
    assert world.plan.notification_text.startswith("Dear President")
    entry = AuditEntry.objects.get(action="monitoring.plan.notification_sent")
    assert "We will observe" not in str(entry.changes)


def test_upcoming_hearings_for_the_dashboard(world):
    officer = world.user("case_officer")
    services.hearing_add(actor=officer, plan=world.plan, kind="verdict", scheduled_start=soon(days=45))
    hearings = upcoming_hearings(user=officer, organisation=world.organisation, days=30)
    assert hearings == [world.hearing]
    assert (
        upcoming_hearings(user=world.personas.users["outsider"], organisation=world.personas.other_organisation) == []
    )
