"""The questionnaire pages: read versions, draft, load from a file, edit a draft, publish."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from defensor.core.testing import assert_persona_matrix
from defensor.monitoring import questionnaire_file, services
from defensor.monitoring.models import Questionnaire

EVERY_MEMBER = {"anonymous": 302, "outsider": 200, "volunteer": 200, "case_officer": 200, "director": 200}


def test_questionnaire_list_matrix(world):
    assert_persona_matrix(world.personas, reverse("monitoring:questionnaires"), EVERY_MEMBER)


def test_the_shipped_version_is_readable_by_every_member(world):
    assert_persona_matrix(
        world.personas, reverse("monitoring:questionnaire", args=[world.questionnaire.pk]), EVERY_MEMBER
    )


def test_a_draft_of_our_organisation_is_hidden_from_the_outsider(world):
    draft = services.questionnaire_draft_new(actor=world.user("director"), organisation=world.organisation, label="v2")
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 200, "case_officer": 200, "director": 200}
    assert_persona_matrix(world.personas, reverse("monitoring:questionnaire", args=[draft.pk]), expected)


def test_load_page_matrix(world):
    expected = {"anonymous": 302, "outsider": 200, "volunteer": 403, "case_officer": 200, "director": 200}
    assert_persona_matrix(world.personas, reverse("monitoring:questionnaire_load"), expected)


def test_loading_a_file_through_the_page_makes_a_draft(world):
    content = questionnaire_file.SHIPPED_V1.read_bytes()
    response = world.client("case_officer").post(
        reverse("monitoring:questionnaire_load"),
        {"file": SimpleUploadedFile("ours.toml", content), "label": "ours-1"},
    )
    draft = Questionnaire.objects.get(label="ours-1")
    assert response.status_code == 302 and draft.is_draft and draft.organisation == world.organisation


def test_a_broken_file_shows_its_problems(world):
    response = world.client("case_officer").post(
        reverse("monitoring:questionnaire_load"), {"file": SimpleUploadedFile("bad.toml", b"label = ")}
    )
    assert response.status_code == 200 and "not a valid TOML file" in response.content.decode()


def test_drafting_publishing_and_editing_through_the_pages(world):
    director = world.client("director")
    director.post(reverse("monitoring:questionnaire_new"), {"label": "v2"})
    draft = Questionnaire.objects.get(label="v2")
    question = draft.questions.get(code="C.hearing_public")
    response = director.post(
        reverse("monitoring:question_edit", args=[question.pk]),
        {
            "code": "C.hearing_public",
            "text_en": "Was the hearing public?",
            "text_ru": "Было ли заседание открытым?",
            "answer_type": "bool3",
            "part": "fact",
            "required": "on",
        },
    )
    assert response.status_code == 302
    director.post(reverse("monitoring:questionnaire_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert (
        draft.status == "published"
        and draft.questions.get(code="C.hearing_public").text_en == "Was the hearing public?"
    )
    assert director.get(reverse("monitoring:question_edit", args=[question.pk])).status_code == 403


def test_question_edit_matrix_on_a_draft(world):
    draft = services.questionnaire_draft_new(actor=world.user("director"), organisation=world.organisation, label="v2")
    question = draft.questions.first()
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 200, "director": 200}
    assert_persona_matrix(world.personas, reverse("monitoring:question_edit", args=[question.pk]), expected)


def test_a_choice_question_with_a_bad_choice_line_keeps_the_form(world):
    draft = services.questionnaire_draft_new(actor=world.user("director"), organisation=world.organisation, label="v2")
    section = draft.sections.get(code="C")
    response = world.client("director").post(
        reverse("monitoring:question_add", args=[draft.pk, section.pk]),
        {
            "code": "C.crowd",
            "text_en": "Crowd?",
            "text_ru": "Толпа?",
            "answer_type": "choice",
            "part": "fact",
            "choices": "big",
        },
    )
    assert response.status_code == 200 and 'value="C.crowd"' in response.content.decode()
    assert not draft.questions.filter(code="C.crowd").exists()


def test_only_a_director_may_publish(world):
    draft = services.questionnaire_draft_new(actor=world.user("director"), organisation=world.organisation, label="v2")
    response = world.client("case_officer").post(reverse("monitoring:questionnaire_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert response.status_code == 403 and draft.is_draft
