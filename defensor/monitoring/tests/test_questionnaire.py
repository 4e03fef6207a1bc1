"""The questionnaire is data: loaded from a file, versioned, frozen once published."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from defensor.monitoring import questionnaire_file, services
from defensor.monitoring.models import Question, Questionnaire, QuestionnaireFrozen, Section
from defensor.standards.loader import read_dataset


def shipped_codes() -> set[str]:
    dataset = read_dataset()
    return {p["code"] for instrument in dataset.instruments for p in instrument["provisions"]}


def test_v1_has_every_section_a_to_m():
    spec = questionnaire_file.parse(questionnaire_file.SHIPPED_V1.read_bytes())
    assert [s.code for s in spec.sections] == list("ABCDEFGHIJKLM")


def test_v1_guarantee_codes_exist_in_the_standards_catalogue():
    spec = questionnaire_file.parse(questionnaire_file.SHIPPED_V1.read_bytes())
    assert spec.provision_codes() and spec.provision_codes() <= shipped_codes()


def test_v1_keeps_facts_apart_from_assessment():
    spec = questionnaire_file.parse(questionnaire_file.SHIPPED_V1.read_bytes())
    parts = {q.code: q.part for s in spec.sections for q in s.questions}
    assert parts["C.hearing_public"] == "fact" and parts["M.observer_assessment"] == "assessment"


def test_loading_v1_makes_a_published_version_with_its_guarantees(catalogue):
    assert catalogue.status == Questionnaire.Status.PUBLISHED and catalogue.published_at is not None
    question = catalogue.questions.get(code="C.hearing_public")
    assert question.answer_type == "bool3"
    assert [p.code for p in question.provisions.all()] == ["ICCPR-14.1.public"]


def test_a_bad_file_lists_every_problem_and_loads_nothing(catalogue):
    content = b"""
label = "broken"
title_en = "Broken"
title_ru = "Broken"
[[sections]]
code = "C"
title_en = "Publicity"
title_ru = "Publicity"
[[sections.questions]]
code = "C.thing"
type = "maybe"
text_en = "?"
text_ru = "?"
provisions = ["ICCPR-99"]
"""
    before = Questionnaire.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.questionnaire_load(actor=None, content=content, source="broken.toml")
    text = " ".join(exc.value.messages)
    assert "type must be one of" in text and "ICCPR-99" in text
    assert Questionnaire.objects.count() == before


def test_a_published_question_refuses_to_be_saved(catalogue):
    question = catalogue.questions.first()
    question.text_en = "Changed"
    with pytest.raises(QuestionnaireFrozen):
        question.save()


def test_a_published_question_refuses_to_be_deleted(catalogue):
    with pytest.raises(QuestionnaireFrozen):
        catalogue.questions.first().delete()


def test_a_published_section_refuses_a_new_title(catalogue):
    section = catalogue.sections.first()
    section.title_en = "Changed"
    with pytest.raises(QuestionnaireFrozen):
        section.save()


def test_a_published_question_keeps_its_guarantees(catalogue):
    from django.db import transaction

    question = catalogue.questions.get(code="C.hearing_public")
    with pytest.raises(QuestionnaireFrozen), transaction.atomic():
        question.provisions.clear()
    assert question.provisions.count() == 1


def test_a_published_version_cannot_go_back_to_draft(catalogue):
    catalogue.status = Questionnaire.Status.DRAFT
    with pytest.raises(QuestionnaireFrozen):
        catalogue.save()


def test_adding_a_question_to_a_published_version_is_refused_by_the_service(world):
    director = world.user("director")
    section = world.questionnaire.sections.get(code="C")
    with pytest.raises(Exception) as exc:
        services.question_save(
            actor=director, section=section, code="C.new", text_en="New", text_ru="Новый", answer_type="text"
        )
    assert isinstance(exc.value, ValidationError | Exception)
    assert not Question.objects.filter(code="C.new").exists()


def test_a_new_draft_copies_the_published_version(world):
    draft = services.questionnaire_draft_new(actor=world.user("director"), organisation=world.organisation, label="v2")
    assert draft.is_draft and draft.based_on == world.questionnaire
    assert draft.questions.count() == world.questionnaire.questions.count()
    copied = draft.questions.get(code="C.hearing_public")
    assert [p.code for p in copied.provisions.all()] == ["ICCPR-14.1.public"]


def test_a_draft_question_can_change_then_publishing_freezes_it(world):
    director = world.user("director")
    draft = services.questionnaire_draft_new(actor=director, organisation=world.organisation, label="v2")
    question = draft.questions.get(code="C.hearing_public")
    services.question_save(actor=director, section=question.section, question=question, text_en="Was it public?")
    services.questionnaire_publish(actor=director, questionnaire=draft)
    question.refresh_from_db()
    assert question.text_en == "Was it public?"
    with pytest.raises(ValidationError):
        services.question_save(actor=director, section=question.section, question=question, text_en="Again")


def test_the_original_version_is_untouched_by_a_draft(world):
    director = world.user("director")
    draft = services.questionnaire_draft_new(actor=director, organisation=world.organisation, label="v2")
    question = draft.questions.get(code="C.hearing_public")
    services.question_save(actor=director, section=question.section, question=question, text_en="Changed")
    assert world.questionnaire.questions.get(code="C.hearing_public").text_en != "Changed"


def test_a_volunteer_cannot_draft_a_version(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.questionnaire_draft_new(actor=world.user("volunteer"), organisation=world.organisation, label="v2")


def test_a_case_officer_cannot_publish(world):
    from django.core.exceptions import PermissionDenied

    draft = services.questionnaire_draft_new(
        actor=world.user("case_officer"), organisation=world.organisation, label="v2"
    )
    with pytest.raises(PermissionDenied):
        services.questionnaire_publish(actor=world.user("case_officer"), questionnaire=draft)


def test_observations_keep_the_version_they_were_answered_in(world):
    observation = services.observation_start(actor=world.observer, hearing=world.hearing)
    director = world.user("director")
    draft = services.questionnaire_draft_new(actor=director, organisation=world.organisation, label="v2")
    services.questionnaire_publish(actor=director, questionnaire=draft)
    observation.refresh_from_db()
    assert observation.questionnaire == world.questionnaire
    assert services.latest_published(world.organisation) == draft


def test_the_command_checks_a_file(catalogue, capsys):
    call_command("questionnaire", "check", str(questionnaire_file.SHIPPED_V1))
    assert "13 sections" in capsys.readouterr().out


def test_the_command_loads_and_publishes_a_version(catalogue, tmp_path):
    path = tmp_path / "v9.toml"
    path.write_text(questionnaire_file.SHIPPED_V1.read_text(encoding="utf-8").replace('label = "v1"', 'label = "v9"'))
    call_command("questionnaire", "load", str(path), "--publish")
    loaded = Questionnaire.objects.get(label="v9", organisation__isnull=True)
    assert loaded.status == Questionnaire.Status.PUBLISHED
    assert Section.objects.filter(questionnaire=loaded).count() == 13


def test_the_command_refuses_a_label_already_taken(catalogue):
    with pytest.raises(CommandError):
        call_command("questionnaire", "load", str(questionnaire_file.SHIPPED_V1))
