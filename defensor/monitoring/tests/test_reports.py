"""Trial reports: generated from the plan's data, edited, reviewed, approved, published, rendered."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from defensor.core.audit import AuditEntry
from defensor.core.models import Activity, ActivityKind, RenderJob
from defensor.core.rendering import services as render_services
from defensor.core.testing import assert_persona_matrix
from defensor.directory.models import Consent, ConsentScope
from defensor.monitoring.models import ReportVersion, TrialReport
from defensor.monitoring.reports import services as report_services
from defensor.monitoring.reports.content import SECTION_ORDER
from defensor.monitoring.reports.document import RENDER_KIND
from defensor.monitoring.tests.reporting import (
    ASSESSMENT,
    BPRL_18_RATIONALE,
    RECOMMENDATION,
    contains,
    docx_text,
    observed_trial,
    pdf_text,
    published_report,
)
from defensor.recommendations.models import Recommendation

STAFF = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 200, "director": 200}


@pytest.fixture
def trial(world):
    return observed_trial(world)


@pytest.fixture
def report(trial):
    return report_services.report_generate(actor=trial.officer, plan=trial.plan, language="en")


def texts(report):
    return {item["key"]: item["text"] for item in report.sections}


# ------------------------------------------------------------------ generation


def test_sections_follow_the_structure_of_a_trial_report(report):
    assert [item["key"] for item in report.sections if item["level"] == 1] == list(SECTION_ORDER)


def test_summary_gives_the_grade_and_what_it_means(report):
    summary = texts(report)["summary"]
    assert "Grade: C." in summary
    assert "affected the outcome" in summary


def test_observations_come_hearing_by_hearing_in_date_order(trial, report):
    keys = [item["key"] for item in report.sections if item["key"].startswith("hearing:")]
    assert keys == [f"hearing:{trial.world.hearing.pk}", f"hearing:{trial.second_hearing.pk}"]
    first = texts(report)[keys[0]]
    assert "Was the hearing open to the public? No." in first
    assert "The judge read the indictment and cleared the courtroom." in first


def test_observers_are_numbered_never_named(trial, report):
    first = texts(report)[f"hearing:{trial.world.hearing.pk}"]
    assert "Observer 1 recorded:" in first and "Observer 2 recorded:" in first
    everything = str(report.sections)
    assert trial.world.observer.email not in everything


def test_observers_own_assessments_are_not_quoted(report):
    assert ASSESSMENT not in str(report.sections)


def test_analysis_gives_the_standard_the_facts_and_the_finding_per_guarantee(report):
    analysis = texts(report)["finding:BPRL-18"]
    assert analysis.startswith("The standard.")
    assert "identify counsel with the client's cause? Yes." in analysis
    assert "Violation. " + BPRL_18_RATIONALE in analysis
    item = report.section("finding:BPRL-18")
    assert item["notes"] and item["notes"][0].startswith("Observation of the hearing of")


def test_charges_give_the_article_and_the_maximum_penalty(report):
    assert (
        "Criminal Code, Article 275: Inciting social discord (maximum penalty: Ten years' imprisonment)."
        in (texts(report)["charges"])
    )


def test_method_says_the_grading_scale_is_to_be_verified(report):
    assert "grading scale adapted from published practice; wording to be verified" in texts(report)["mandate"]


def test_a_defendant_without_consent_is_not_named(report):
    assert "Matalaev" not in str(report.sections) + report.title
    assert "against the defendant" in texts(report)["summary"]


def test_a_defendant_who_consented_is_named(trial):
    person = trial.world.case.subjects.get().person
    Consent.objects.create(
        organisation=trial.world.organisation,
        person=person,
        scope=ConsentScope.PUBLISH_NAME,
        given_on=datetime.date(2024, 1, 1),
        method="written",
        recorded_by=trial.officer,
    )
    report = report_services.report_generate(actor=trial.officer, plan=trial.plan, language="en")
    assert report.title == "The trial of Gaspar Matalaev"
    assert "against Gaspar Matalaev" in texts(report)["summary"]


def test_the_report_in_russian_has_its_headings_in_russian(trial):
    report = report_services.report_generate(actor=trial.officer, plan=trial.plan, language="ru")
    assert report.language == "ru"
    # The standards catalogue carries Russian paraphrases: the analysis quotes the standard in Russian.
    assert any("\u0400" <= char <= "\u04ff" for char in texts(report)["finding:BPRL-18"])


def test_generation_is_audited_without_the_texts(report):
    entry = AuditEntry.objects.filter(action="monitoring.report.generated").latest("id")
    assert entry.changes["created"] is True
    assert BPRL_18_RATIONALE not in str(entry.changes)


def test_a_volunteer_cannot_generate(trial):
    with pytest.raises(PermissionDenied):
        report_services.report_generate(actor=trial.world.user("volunteer"), plan=trial.plan, language="en")


# ------------------------------------------------------------------ editing and regenerating


def test_regenerating_keeps_the_sections_an_editor_changed(trial, report):
    report_services.report_section_edit(actor=trial.officer, report=report, key="background", text="Our own words.")
    again = report_services.report_generate(actor=trial.officer, plan=trial.plan, language="en")
    assert texts(again)["background"] == "Our own words."
    assert again.section("background")["edited"] is True
    assert "Grade: C." in texts(again)["summary"]


def test_regenerating_with_overwrite_replaces_the_edits_and_keeps_them_in_the_history(trial, report):
    report_services.report_section_edit(actor=trial.officer, report=report, key="background", text="Our own words.")
    again = report_services.report_generate(actor=trial.officer, plan=trial.plan, language="en", overwrite=True)
    assert texts(again)["background"] != "Our own words."
    kept = [v.sections for v in ReportVersion.objects.filter(report=again, event="edited")]
    assert any(s["key"] == "background" and s["text"] == "Our own words." for sections in kept for s in sections)


def test_an_edited_section_of_a_finding_no_longer_made_stays(trial, report):
    report_services.report_section_edit(
        actor=trial.officer, report=report, key="finding:BPRL-18", text="Kept by the editor."
    )
    trial.plan.findings.filter(provision__code="BPRL-18").delete()
    again = report_services.report_generate(actor=trial.officer, plan=trial.plan, language="en")
    keys = [item["key"] for item in again.sections]
    assert keys.index("finding:BPRL-18") > keys.index("analysis")
    assert texts(again)["finding:BPRL-18"] == "Kept by the editor."


def test_an_empty_section_is_refused(trial, report):
    with pytest.raises(ValidationError):
        report_services.report_section_edit(actor=trial.officer, report=report, key="summary", text="  ")


def test_an_edit_is_audited_by_section_name_only(trial, report):
    report_services.report_section_edit(actor=trial.officer, report=report, key="summary", text="Secret words here.")
    entry = AuditEntry.objects.filter(action="monitoring.report.edited").latest("id")
    assert entry.changes["section"] == "summary"
    assert "Secret words" not in str(entry.changes)


def test_an_approved_report_is_not_edited(trial, report):
    report_services.report_submit(actor=trial.officer, report=report)
    report_services.report_approve(actor=trial.director, report=report)
    with pytest.raises(ValidationError):
        report_services.report_section_edit(actor=trial.officer, report=report, key="summary", text="Changed.")


# ------------------------------------------------------------------ workflow


def test_a_case_officer_cannot_approve(trial, report):
    report_services.report_submit(actor=trial.officer, report=report)
    with pytest.raises(PermissionDenied):
        report_services.report_approve(actor=trial.officer, report=report)


def test_a_draft_cannot_be_published_before_approval(trial, report):
    with pytest.raises(ValidationError):
        report_services.report_publish(actor=trial.director, report=report)


def test_publishing_makes_the_recommendations_with_the_report_as_source(trial):
    report = published_report(trial)
    recommendation = Recommendation.objects.get()
    assert recommendation.text == RECOMMENDATION
    assert recommendation.source_type == ContentType.objects.get_for_model(TrialReport)
    assert recommendation.source_id == str(report.pk)
    assert recommendation.case == trial.world.case
    assert recommendation.made_on == datetime.date(2025, 3, 1)
    assert (recommendation.priority, recommendation.due_on) == ("high", datetime.date(2025, 6, 1))
    assert report.recommendations[0]["made"] == recommendation.pk


def test_publishing_is_written_to_the_ledger_and_audited(trial):
    report = published_report(trial)
    assert Activity.objects.filter(kind=ActivityKind.REPORT_PUBLISHED, occurred_on=report.dated).exists()
    assert AuditEntry.objects.filter(action="monitoring.report.published").exists()
    assert AuditEntry.objects.filter(action="monitoring.report.approved").exists()


def test_a_new_version_after_withdrawal_does_not_make_the_recommendations_twice(trial):
    report = published_report(trial)
    report_services.report_withdraw(actor=trial.director, report=report, reason="A date was wrong.")
    report_services.report_return_to_draft(actor=trial.officer, report=report)
    assert (report.status, report.version) == ("draft", 2)
    report_services.report_submit(actor=trial.officer, report=report)
    report_services.report_approve(actor=trial.director, report=report)
    report_services.report_publish(actor=trial.director, report=report, dated=datetime.date(2025, 4, 1))
    assert Recommendation.objects.count() == 1


def test_withdrawing_needs_a_reason(trial):
    report = published_report(trial)
    with pytest.raises(ValidationError):
        report_services.report_withdraw(actor=trial.director, report=report, reason=" ")


def test_every_state_is_kept(trial):
    report = published_report(trial)
    events = list(ReportVersion.objects.filter(report=report).order_by("id").values_list("event", flat=True))
    assert events == ["generated", "edited", "submitted", "approved", "published"]


def test_the_recommendation_links_back_to_the_report(trial):
    from defensor.recommendations import sources

    report = published_report(trial)
    recommendation = Recommendation.objects.get()
    described = sources.describe(trial.officer, recommendation.source_type, recommendation.source_id)
    assert described is not None
    assert described.url == reverse("monitoring:report", args=[report.pk])


# ------------------------------------------------------------------ rendering


def _render(trial, report, kind, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = render_services.render_job_start(
            actor=trial.officer, organisation=report.organisation, kind=RENDER_KIND, obj=report, params={"format": kind}
        )
    job.refresh_from_db()
    return job


def _content(job):
    with job.file.storage.open(job.file.name, "rb") as handle:
        return handle.read()


def test_the_pdf_job_finishes_with_the_findings_and_the_recommendations(trial, django_capture_on_commit_callbacks):
    report = published_report(trial)
    job = _render(trial, report, "pdf", django_capture_on_commit_callbacks)
    assert job.status == RenderJob.Status.DONE, job.message
    assert job.mime == "application/pdf"
    text = pdf_text(_content(job))
    assert contains(text, BPRL_18_RATIONALE)
    assert contains(text, RECOMMENDATION)
    assert contains(text, "Observation of the hearing of")
    assert contains(text, trial.world.case.reference)


def test_the_docx_job_finishes_with_the_findings_and_the_recommendations(trial, django_capture_on_commit_callbacks):
    report = published_report(trial)
    job = _render(trial, report, "docx", django_capture_on_commit_callbacks)
    assert job.status == RenderJob.Status.DONE, job.message
    assert job.filename.endswith(".docx")
    text = docx_text(_content(job))
    assert BPRL_18_RATIONALE in text
    assert RECOMMENDATION in text


def test_a_draft_is_marked_as_a_draft_in_the_pdf(trial, report, django_capture_on_commit_callbacks):
    job = _render(trial, report, "pdf", django_capture_on_commit_callbacks)
    assert "DRAFT" in pdf_text(_content(job))


# ------------------------------------------------------------------ views


def test_report_page_persona_matrix(trial, report):
    assert_persona_matrix(trial.world.personas, reverse("monitoring:report", args=[report.pk]), STAFF)


def test_plan_reports_persona_matrix(trial, report):
    assert_persona_matrix(trial.world.personas, reverse("monitoring:plan_reports", args=[trial.plan.pk]), STAFF)


def test_generate_persona_matrix(trial):
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 302, "director": 302}
    url = reverse("monitoring:report_generate", args=[trial.plan.pk])
    assert_persona_matrix(trial.world.personas, url, expected, method="post", data={"language": "en"})
    assert TrialReport.objects.filter(plan=trial.plan, language="en").count() == 1


def test_section_edit_persona_matrix(trial, report):
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 302, "director": 302}
    url = reverse("monitoring:report_section", args=[report.pk, "summary"])
    data = {"heading": "Summary", "text": "Edited in the browser."}
    assert_persona_matrix(trial.world.personas, url, expected, method="post", data=data)


def test_approve_persona_matrix(trial, report):
    report_services.report_submit(actor=trial.officer, report=report)
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 403, "director": 302}
    url = reverse("monitoring:report_step", args=[report.pk, "approve"])
    assert_persona_matrix(trial.world.personas, url, expected, method="post")
    report.refresh_from_db()
    assert report.status == "approved"


def test_render_persona_matrix(trial, report):
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 302, "director": 302}
    url = reverse("monitoring:report_render", args=[report.pk])
    assert_persona_matrix(trial.world.personas, url, expected, method="post", data={"format": "pdf"})


def test_recommendation_add_persona_matrix(trial, report):
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 302, "director": 302}
    url = reverse("monitoring:report_recommendation_add", args=[report.pk])
    data = {"text": "Open the hearings.", "addressee": trial.ministry.pk, "priority": "medium"}
    assert_persona_matrix(trial.world.personas, url, expected, method="post", data=data)


def test_htmx_section_edit_returns_the_section(trial, report):
    client = trial.world.client("case_officer")
    url = reverse("monitoring:report_section", args=[report.pk, "summary"])
    response = client.post(url, {"heading": "Summary", "text": "New summary."}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "New summary." in response.content.decode()
    assert "<html" not in response.content.decode()


def test_htmx_section_edit_with_empty_text_shows_the_error_and_keeps_the_heading(trial, report):
    client = trial.world.client("case_officer")
    url = reverse("monitoring:report_section", args=[report.pk, "summary"])
    response = client.post(url, {"heading": "My heading", "text": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "cannot be empty" in body and 'value="My heading"' in body


def test_htmx_render_returns_the_progress_partial(trial, report):
    client = trial.world.client("case_officer")
    response = client.post(
        reverse("monitoring:report_render", args=[report.pk]), {"format": "docx"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "render-job" in response.content.decode()


def test_report_page_shows_the_sections_and_the_render_buttons(trial, report):
    body = trial.world.client("case_officer").get(reverse("monitoring:report", args=[report.pk])).content.decode()
    assert "Analysis per guarantee" in body
    assert "Render PDF" in body
    assert "Send for review" in body


def test_a_bad_recommendation_keeps_what_was_typed(trial, report):
    client = trial.world.client("case_officer")
    url = reverse("monitoring:report_recommendation_add", args=[report.pk])
    response = client.post(url, {"text": "Typed text stays.", "priority": "medium"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Typed text stays." in body and "Choose the institution" in body
