"""The observer's questionnaire: own assignments only, autosave, resume, submit lock, amendments."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from defensor.core.models import Activity, AuditEntry
from defensor.core.testing import assert_persona_matrix
from defensor.monitoring import services
from defensor.monitoring.models import Observation

OBSERVER_ONLY = {"anonymous": 302, "outsider": 404, "volunteer": 404, "case_officer": 404, "director": 404}


@pytest.fixture
def observation(world):
    return services.observation_start(actor=world.observer, hearing=world.hearing)


def section(world, code):
    return world.questionnaire.sections.get(code=code)


def fill_required(world, observation):
    services.observation_save(
        actor=world.observer, observation=observation, section=section(world, "C"), answers={"C.hearing_public": "yes"}
    )
    services.observation_save(
        actor=world.observer,
        observation=observation,
        section=section(world, "M"),
        answers={"M.observer_assessment": "Fair enough."},
    )


def test_the_observation_uses_the_published_version_and_starts_at_section_a(observation, world):
    assert observation.questionnaire == world.questionnaire and observation.current_section == "A"


def test_an_unassigned_user_cannot_start_an_observation(world):
    with pytest.raises(PermissionDenied):
        services.observation_start(actor=world.other_observer, hearing=world.hearing)


def test_an_unassigned_observer_gets_404_when_starting(world):
    response = world.client("other_observer").post(reverse("monitoring:observe", args=[world.hearing.pk]))
    assert response.status_code == 404


def test_the_assigned_observer_starts_and_lands_on_the_first_section(world):
    client = world.client("observer")
    response = client.post(reverse("monitoring:observe", args=[world.hearing.pk]))
    observation = Observation.objects.get(observer=world.observer)
    assert response["Location"] == reverse("monitoring:observation", args=[observation.pk])
    page = client.get(response["Location"], follow=True)
    assert "Mission and observer" in page.content.decode()


def test_my_hearings_lists_only_my_assignments(world):
    mine = world.client("observer").get(reverse("monitoring:my")).content.decode()
    theirs = world.client("other_observer").get(reverse("monitoring:my")).content.decode()
    assert world.case.reference in mine and world.case.reference not in theirs


def test_my_hearings_matrix(world):
    expected = {"anonymous": 302, "outsider": 200, "volunteer": 200, "case_officer": 200, "director": 200}
    assert_persona_matrix(world.personas, reverse("monitoring:my"), expected)


def test_another_observer_gets_404_on_my_observation(world, observation):
    url = reverse("monitoring:observation_section", args=[observation.pk, "C"])
    assert world.client("other_observer").get(url).status_code == 404
    assert (
        world.client("other_observer").get(reverse("monitoring:observation_read", args=[observation.pk])).status_code
        == 404
    )


def test_only_the_observer_fills_the_section_matrix(world, observation):
    url = reverse("monitoring:observation_section", args=[observation.pk, "C"])
    assert_persona_matrix(world.personas, url, OBSERVER_ONLY)
    assert world.client("observer").get(url).status_code == 200


def test_autosave_matrix(world, observation):
    url = reverse("monitoring:observation_autosave", args=[observation.pk])
    assert_persona_matrix(world.personas, url, OBSERVER_ONLY, method="post", data={"section": "C"})


def test_submit_page_matrix(world, observation):
    assert_persona_matrix(
        world.personas, reverse("monitoring:observation_submit", args=[observation.pk]), OBSERVER_ONLY
    )


def test_plan_staff_read_the_observation_and_others_get_404(world, observation):
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 404, "case_officer": 200, "director": 200}
    assert_persona_matrix(world.personas, reverse("monitoring:observation_read", args=[observation.pk]), expected)


def test_the_section_page_separates_facts_and_assessment(world, observation):
    page = world.client("observer").get(reverse("monitoring:observation_section", args=[observation.pk, "C"]))
    text = page.content.decode()
    assert "monitoring-facts-part" in text and "monitoring-assessment-part" in text
    assert text.index("C.hearing_public") < text.index("monitoring-assessment-part")


def test_bool3_questions_are_three_radio_buttons(world, observation):
    text = (
        world.client("observer")
        .get(reverse("monitoring:observation_section", args=[observation.pk, "C"]))
        .content.decode()
    )
    assert text.count('name="q-C.hearing_public"') == 3


def test_autosave_keeps_the_answers_of_earlier_sections(world, observation):
    client = world.client("observer")
    url = reverse("monitoring:observation_autosave", args=[observation.pk])
    client.post(url, {"section": "A", "q-A.sending_org": "Justice International"}, HTTP_HX_REQUEST="true")
    response = client.post(url, {"section": "C", "q-C.hearing_public": "no"}, HTTP_HX_REQUEST="true")
    observation.refresh_from_db()
    assert response.status_code == 200 and "Saved" in response.content.decode()
    assert observation.answers == {"A.sending_org": "Justice International", "C.hearing_public": "no"}


def test_autosave_of_a_section_ignores_fields_of_other_sections(world, observation):
    client = world.client("observer")
    client.post(
        reverse("monitoring:observation_autosave", args=[observation.pk]),
        {"section": "C", "q-C.hearing_public": "yes", "q-A.sending_org": "sneaked in"},
    )
    observation.refresh_from_db()
    assert observation.answers == {"C.hearing_public": "yes"}


def test_autosave_saves_the_good_answers_and_names_the_bad_one(world, observation):
    response = world.client("observer").post(
        reverse("monitoring:observation_autosave", args=[observation.pk]),
        {"section": "C", "q-C.public_count": "about twenty", "q-C.hearing_public": "yes"},
    )
    observation.refresh_from_db()
    assert observation.answers == {"C.hearing_public": "yes"}
    assert "Enter a number." in response.content.decode()


def test_emptying_a_text_answer_removes_it(world, observation):
    s = section(world, "A")
    services.observation_save(actor=world.observer, observation=observation, section=s, answers={"A.sending_org": "X"})
    services.observation_save(actor=world.observer, observation=observation, section=s, answers={"A.sending_org": ""})
    observation.refresh_from_db()
    assert "A.sending_org" not in observation.answers


def test_a_bad_answer_on_next_keeps_what_was_typed(world, observation):
    response = world.client("observer").post(
        reverse("monitoring:observation_section", args=[observation.pk, "C"]),
        {"q-C.public_count": "about twenty", "goto": "D"},
    )
    text = response.content.decode()
    assert response.status_code == 200 and 'value="about twenty"' in text and "Enter a number." in text


def test_reopening_resumes_at_the_section_where_the_observer_stopped(world, observation):
    client = world.client("observer")
    client.post(reverse("monitoring:observation_section", args=[observation.pk, "C"]), {"goto": "D"})
    response = client.get(reverse("monitoring:observation", args=[observation.pk]))
    assert response["Location"] == reverse("monitoring:observation_section", args=[observation.pk, "D"])


def test_answers_are_encrypted_at_rest(world, observation):
    services.observation_save(
        actor=world.observer,
        observation=observation,
        section=section(world, "M"),
        answers={"M.narrative_chronology": "The judge shouted at Matalaev"},
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers FROM monitoring_observation WHERE id = %s", [observation.pk])
        raw = cursor.fetchone()[0]
    assert "Matalaev" not in raw and raw.startswith("dfe1:")


def test_the_audit_of_a_save_names_questions_but_no_answers(world, observation):
    services.observation_save(
        actor=world.observer,
        observation=observation,
        section=section(world, "A"),
        answers={"A.sending_org": "Secret NGO"},
    )
    entry = AuditEntry.objects.filter(action="monitoring.observation.saved").first()
    assert entry.changes == {"section": "A", "questions": ["A.sending_org"]}
    assert "Secret NGO" not in str(entry.changes)


def test_submitting_needs_the_required_answers(world, observation):
    with pytest.raises(ValidationError) as exc:
        services.observation_submit(actor=world.observer, observation=observation)
    assert "C.hearing_public" in str(exc.value)


def test_submitting_locks_and_writes_the_ledger(world, observation):
    fill_required(world, observation)
    services.observation_submit(actor=world.observer, observation=observation)
    observation.refresh_from_db()
    assert observation.is_submitted and observation.submitted_at is not None
    activity = Activity.objects.get(kind="hearing_observed")
    assert activity.links.get().object_id == str(world.case.pk)
    assert AuditEntry.objects.filter(action="monitoring.observation.submitted").exists()


def test_a_submitted_observation_refuses_autosave(world, observation):
    fill_required(world, observation)
    services.observation_submit(actor=world.observer, observation=observation)
    response = world.client("observer").post(
        reverse("monitoring:observation_autosave", args=[observation.pk]), {"section": "C", "q-C.hearing_public": "no"}
    )
    observation.refresh_from_db()
    assert response.status_code == 409 and observation.answers["C.hearing_public"] == "yes"


def test_the_submit_view_submits(world, observation):
    fill_required(world, observation)
    response = world.client("observer").post(reverse("monitoring:observation_submit", args=[observation.pk]))
    observation.refresh_from_db()
    assert response.status_code == 302 and observation.is_submitted


def test_an_amendment_keeps_the_old_answer_and_the_reason(world, observation):
    fill_required(world, observation)
    services.observation_submit(actor=world.observer, observation=observation)
    amendment = services.observation_amend(
        actor=world.observer,
        observation=observation,
        section=section(world, "C"),
        answers={"C.hearing_public": "no"},
        reason="I misread my notes.",
    )
    observation.refresh_from_db()
    assert observation.answers["C.hearing_public"] == "no" and observation.version == 2
    assert amendment.before == {"C.hearing_public": "yes"} and amendment.after == {"C.hearing_public": "no"}
    assert AuditEntry.objects.get(action="monitoring.observation.amended").changes["questions"] == ["C.hearing_public"]


def test_an_amendment_needs_a_reason(world, observation):
    fill_required(world, observation)
    services.observation_submit(actor=world.observer, observation=observation)
    with pytest.raises(ValidationError):
        services.observation_amend(
            actor=world.observer,
            observation=observation,
            section=section(world, "C"),
            answers={"C.hearing_public": "no"},
            reason=" ",
        )


def test_amendments_are_versioned_and_shown_to_staff(world, observation):
    fill_required(world, observation)
    services.observation_submit(actor=world.observer, observation=observation)
    client = world.client("observer")
    url = reverse("monitoring:observation_amend", args=[observation.pk, "C"])
    client.post(url, {"q-C.hearing_public": "no", "reason": "First correction"})
    client.post(url, {"q-C.hearing_public": "unknown", "reason": "Second correction"})
    observation.refresh_from_db()
    assert observation.version == 3 and observation.amendments.count() == 2
    page = (
        world.client("case_officer").get(reverse("monitoring:observation_read", args=[observation.pk])).content.decode()
    )
    assert "Second correction" in page and "Version 3" in page


def test_staff_cannot_fill_the_observation_for_the_observer(world, observation):
    with pytest.raises(PermissionDenied):
        services.observation_save(
            actor=world.user("case_officer"), observation=observation, section=section(world, "C"), answers={}
        )
