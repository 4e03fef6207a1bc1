"""Rules propose findings with their basis; experts confirm; the grade is checked against them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from defensor.core.testing import assert_persona_matrix
from defensor.monitoring import questionnaire_file, rules, services
from defensor.monitoring.grading import warnings_for
from defensor.monitoring.models import ObserverAssignment
from defensor.monitoring.selectors import findings_propose, grade_warnings
from defensor.standards.models import Provision

EXPERT = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 200, "director": 200}


def submit(world, answers_by_section, *, hearing=None, observer=None):
    observer = observer or world.observer
    observation = services.observation_start(actor=observer, hearing=hearing or world.hearing)
    answers_by_section.setdefault("C", {}).setdefault("C.hearing_public", "yes")
    answers_by_section.setdefault("M", {}).setdefault("M.observer_assessment", "Noted.")
    for code, answers in answers_by_section.items():
        section = world.questionnaire.sections.get(code=code)
        services.observation_save(actor=observer, observation=observation, section=section, answers=answers)
    return services.observation_submit(actor=observer, observation=observation)


def test_the_shipped_rules_name_questions_of_v1_and_guarantees_of_the_catalogue():
    from defensor.monitoring.tests.test_questionnaire import shipped_codes

    spec = questionnaire_file.parse(questionnaire_file.SHIPPED_V1.read_bytes())
    questions = {q.code for s in spec.sections for q in s.questions}
    for rule in rules.shipped_rules():
        assert rule.questions() <= questions, rule.code
        assert rule.provision in shipped_codes(), rule.code


@pytest.mark.parametrize(
    ("condition", "answers", "holds"),
    [
        ({"question": "x", "op": "eq", "value": "yes"}, {"x": "yes"}, True),
        ({"question": "x", "op": "ne", "value": "yes"}, {}, False),
        ({"question": "x", "op": "ne", "value": "yes"}, {"x": "no"}, True),
        ({"question": "x", "op": "in", "value": ["a", "b"]}, {"x": "b"}, True),
        ({"question": "x", "op": "gt", "value": 3}, {"x": 4}, True),
        ({"question": "x", "op": "lt", "value": 3}, {"x": 4}, False),
        ({"question": "x", "op": "lt", "value": 3}, {"x": "two"}, False),
        ({"question": "x", "op": "answered"}, {"x": "text"}, True),
        ({"question": "x", "op": "answered", "value": False}, {}, True),
        (
            {"any": [{"question": "x", "op": "eq", "value": 1}, {"question": "y", "op": "eq", "value": 2}]},
            {"y": 2},
            True,
        ),
        (
            {"all": [{"question": "x", "op": "eq", "value": 1}, {"question": "y", "op": "eq", "value": 2}]},
            {"y": 2},
            False,
        ),
    ],
)
def test_the_condition_language(condition, answers, holds):
    assert rules.evaluate(condition, answers)[0] is holds


def test_a_rule_file_with_code_in_it_is_refused():
    content = 'version = "1"\n[[rules]]\ncode = "x"\nprovision = "ICCPR-7"\nfinding = "concern"\n'
    content += 'when = { question = "a", op = "__import__", value = 1 }\nexplanation_en = "a"\nexplanation_ru = "b"\n'
    with pytest.raises(rules.RuleFileError):
        rules.parse_rules(content)


def test_closed_hearing_without_reason_proposes_a_concern_citing_the_answers(world):
    observation = submit(world, {"C": {"C.hearing_public": "no", "C.closure_reason_announced": "no"}})
    proposal = findings_propose(world.plan)["ICCPR-14.1.public"]
    assert proposal.value == "concern"
    cited = {(b.question, b.value) for b in proposal.basis}
    assert cited == {("C.hearing_public", "no"), ("C.closure_reason_announced", "no")}
    assert {b.observation_id for b in proposal.basis} == {observation.pk}
    assert {b.hearing_id for b in proposal.basis} == {world.hearing.pk}


def test_the_strongest_proposal_wins(world):
    submit(
        world,
        {
            "C": {
                "C.hearing_public": "no",
                "C.closure_reason_announced": "no",
                "C.family_admitted": "no",
                "C.media_admitted": "no",
            }
        },
    )
    proposal = findings_propose(world.plan)["ICCPR-14.1.public"]
    assert proposal.value == "violation"
    assert {r.code for r in proposal.rules} == {"publicity.family_and_media_excluded"}


def test_draft_observations_propose_nothing(world):
    observation = services.observation_start(actor=world.observer, hearing=world.hearing)
    services.observation_save(
        actor=world.observer,
        observation=observation,
        section=world.questionnaire.sections.get(code="E"),
        answers={"E.counsel_present": "no"},
    )
    assert "ICCPR-14.3.d" not in findings_propose(world.plan)


def test_confirming_the_proposal_needs_no_rationale(world):
    submit(world, {"E": {"E.counsel_present": "no"}})
    provision = Provision.objects.get(code="ICCPR-14.3.d")
    finding = services.finding_confirm(
        actor=world.user("case_officer"), plan=world.plan, provision=provision, value="violation"
    )
    assert finding.proposed_value == "violation" and finding.proposed_basis[0]["question"] == "E.counsel_present"


def test_changing_the_proposal_needs_a_rationale(world):
    submit(world, {"E": {"E.counsel_present": "no"}})
    provision = Provision.objects.get(code="ICCPR-14.3.d")
    with pytest.raises(ValidationError):
        services.finding_confirm(
            actor=world.user("case_officer"), plan=world.plan, provision=provision, value="concern"
        )
    finding = services.finding_confirm(
        actor=world.user("case_officer"),
        plan=world.plan,
        provision=provision,
        value="concern",
        rationale="Counsel came late.",
    )
    assert finding.confirmed_value == "concern" and finding.rationale == "Counsel came late."


def test_a_volunteer_cannot_confirm_a_finding(world):
    with pytest.raises(PermissionDenied):
        services.finding_confirm(
            actor=world.user("volunteer"),
            plan=world.plan,
            provision=Provision.objects.get(code="ICCPR-7"),
            value="concern",
            rationale="x",
        )


def test_an_assigned_expert_reviewer_may_confirm(world):
    from defensor.core.testing import make_member

    expert = make_member(world.organisation, "probono_expert", email="expert@justice.test")
    services.assignment_add(
        actor=world.user("case_officer"), plan=world.plan, user=expert, role=ObserverAssignment.Role.EXPERT
    )
    finding = services.finding_confirm(
        actor=expert,
        plan=world.plan,
        provision=Provision.objects.get(code="ICCPR-7"),
        value="concern",
        rationale="Seen.",
    )
    assert finding.confirmed_by == expert


def grade(letter, serious=False, outcome="unknown", harm="unknown"):
    return SimpleNamespace(grade=letter, serious_violation=serious, affected_outcome=outcome, significant_harm=harm)


@pytest.mark.parametrize(
    ("the_grade", "findings", "code"),
    [
        (grade("A"), ["violation"], "a_with_violation"),
        (grade("B", outcome="no", harm="no"), ["serious_violation"], "serious_below_d"),
        (grade("C", outcome="yes"), ["serious_violation"], "serious_below_d"),
        (grade("D", outcome="yes"), ["violation"], "d_without_serious"),
        (grade("F", outcome="yes"), ["concern"], "f_without_violation"),
        (grade("C"), ["violation"], "no_impact"),
        (grade("B", outcome="no", harm="no"), ["concern"], "b_without_violation"),
    ],
)
def test_grade_warnings(the_grade, findings, code):
    assert code in {w.code for w in warnings_for(grade=the_grade, confirmed_values=findings)}


def test_a_consistent_grade_has_no_warning():
    assert warnings_for(grade=grade("D", serious=True, outcome="yes"), confirmed_values=["serious_violation"]) == []


def test_grade_warnings_of_a_plan_read_the_confirmed_findings(world):
    officer = world.user("case_officer")
    services.finding_confirm(
        actor=officer,
        plan=world.plan,
        provision=Provision.objects.get(code="ICCPR-7"),
        value="violation",
        rationale="Seen.",
    )
    services.grade_set(actor=officer, plan=world.plan, grade="A", rationale="Looked fine.")
    assert [w.code for w in grade_warnings(world.plan)] == ["a_with_violation"]


def test_grades_keep_their_history(world):
    officer = world.user("case_officer")
    services.grade_set(actor=officer, plan=world.plan, grade="ungraded", rationale="Preliminary.")
    services.grade_set(actor=officer, plan=world.plan, grade="C", rationale="Final.", affected_outcome="yes")
    assert list(world.plan.grades.values_list("grade", flat=True)) == ["C", "ungraded"]


def test_findings_page_matrix(world):
    assert_persona_matrix(world.personas, reverse("monitoring:findings", args=[world.plan.pk]), EXPERT)


def test_findings_page_shows_the_to_verify_note_and_the_basis(world):
    submit(world, {"C": {"C.hearing_public": "no", "C.closure_reason_announced": "no"}})
    page = world.client("case_officer").get(reverse("monitoring:findings", args=[world.plan.pk])).content.decode()
    assert "not confirmed against a published methodology" in page
    assert "C.closure_reason_announced" in page and "ICCPR-14.1.public" in page


def test_confirming_through_the_page(world):
    submit(world, {"E": {"E.counsel_present": "no"}})
    client = world.client("director")
    response = client.post(
        reverse("monitoring:findings", args=[world.plan.pk]), {"provision": "ICCPR-14.3.d", "value": "violation"}
    )
    assert response.status_code == 302 and world.plan.findings.get().confirmed_value == "violation"


def test_a_change_without_rationale_through_the_page_keeps_the_form(world):
    submit(world, {"E": {"E.counsel_present": "no"}})
    response = world.client("director").post(
        reverse("monitoring:findings", args=[world.plan.pk]), {"provision": "ICCPR-14.3.d", "value": "no_issue"}
    )
    assert response.status_code == 200 and "Explain why the finding differs" in response.content.decode()
    assert not world.plan.findings.exists()


def test_grade_matrix(world):
    data = {"grade": "ungraded", "affected_outcome": "unknown", "significant_harm": "unknown", "rationale": "Early."}
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 302, "director": 302}
    assert_persona_matrix(
        world.personas, reverse("monitoring:grade", args=[world.plan.pk]), expected, method="post", data=data
    )
