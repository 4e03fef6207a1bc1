"""Trial monitoring from end to end, in the browser: a case officer plans the monitoring of a trial,
adds a hearing and assigns an observer and an expert; the observer fills the questionnaire on a
phone (a reload half-way loses nothing) and submits it; the expert confirms the findings the rules
propose and grades the trial; the report is generated, given a recommendation, approved and
published by the director, typeset as a PDF and downloaded after typing the password again; the
recommendation then waits on the board among the overdue ones until a follow-up is recorded."""

from __future__ import annotations

import datetime
import io
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pypdf
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from defensor.core.testing import PASSWORD, make_member, make_organisation

pytestmark = pytest.mark.e2e

CASE_TITLE = "Prosecution of a defence lawyer for his courtroom speech"
CASE_NUMBER = "1(103)-77/2025"
RATIONALE_BPRL_16 = "A warning for objecting to the closure of the courtroom sanctions counsel for doing his duty"
GRADE_RATIONALE = "The public and the family were kept out without a reason and counsel was punished for his work"
RECOMMENDATION = "Reopen the hearings to the public and the family of the defendant without delay"


@dataclass
class Team:
    officer: Any
    observer: Any
    expert: Any
    director: Any
    case: Any
    proceeding: Any


def _named(user: Any, name: str) -> Any:
    user.full_name = name
    user.save(update_fields=["full_name"])
    return user


@pytest.fixture
def team(transactional_db: None) -> Team:
    """What the organisation has before the trial is planned: its members, a case with a proceeding
    before a court, and the ministry the report will address. Nothing of the monitoring itself."""
    from defensor.cases import services as case_services
    from defensor.directory.models import Institution, Person
    from defensor.monitoring import questionnaire_file, services
    from defensor.monitoring.models import Questionnaire
    from defensor.standards.loader import load

    # The migrations loaded the catalogue and questionnaire v1; a browser test run earlier in the
    # same session may have flushed them since.
    load()
    if not Questionnaire.objects.filter(organisation__isnull=True, status=Questionnaire.Status.PUBLISHED).exists():
        services.questionnaire_load(
            actor=None, content=questionnaire_file.SHIPPED_V1.read_bytes(), source="questionnaire-v1.toml", publish=True
        )

    organisation = make_organisation("Justice International", "justice-international")
    officer = _named(make_member(organisation, "case_officer", email="officer@ji.test"), "Leyla Aliyeva")
    observer = _named(make_member(organisation, "trial_observer", email="observer@ji.test"), "Pieter de Vries")
    expert = _named(make_member(organisation, "probono_expert", email="expert@ji.test"), "Ana Ribeiro")
    director = _named(make_member(organisation, "director", email="director@ji.test"), "Marta Kowalska")
    court = Institution.objects.create(
        organisation=organisation,
        name="Bakı Ağır Cinayətlər Məhkəməsi",
        name_latin="Baku Grave Crimes Court",
        kind="court",
        country="AZ",
    )
    Institution.objects.create(
        organisation=organisation,
        name="Ədliyyə Nazirliyi",
        name_latin="Ministry of Justice of Azerbaijan",
        kind="ministry",
        country="AZ",
    )
    defendant = Person.objects.create(organisation=organisation, name="Elvin Məmmədov", name_latin="Elvin Mammadov")
    case = case_services.case_open(
        actor=officer,
        organisation=organisation,
        title=CASE_TITLE,
        country="AZ",
        lead=officer,
        status="active",
        opened_on=datetime.date(2025, 2, 3),
        subjects=[(defendant, "defender_at_risk")],
    )
    proceeding = case_services.proceeding_add(
        actor=officer, case=case, kind="criminal", body=court, case_number=CASE_NUMBER
    )
    return Team(officer, observer, expert, director, case, proceeding)


@contextmanager
def another_person(browser: Any, live_server: Any, results: Any) -> Iterator[Any]:
    """Another person at their own computer: a browser context of their own, failing on any console error."""
    from defensor.e2e.browser import BrowserSession

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    person = BrowserSession(page=page, base_url=live_server.url, results=results)
    try:
        yield person
    finally:
        context.close()
    person.assert_no_console_errors()


def _submit(page: Page, name: str | re.Pattern[str]) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def _question(page: Page, text: str) -> Any:
    """The group of answers of one question of the questionnaire, found by the question's text."""
    return page.get_by_role("group", name=text)


def _autosaved(page: Page) -> Any:
    """Waits for the autosave that what is done inside the block sets off."""
    return page.expect_response(lambda response: response.url.endswith("/autosave/") and response.ok)


def _answer(page: Page, question: str, answer: str) -> None:
    with _autosaved(page):
        _question(page, question).get_by_label(answer, exact=True).check()
    expect(page.locator("#save-status")).to_contain_text("Saved")


def _finding_card(page: Page, code: str) -> Any:
    heading = page.get_by_role("heading", name=re.compile(rf"^{re.escape(code)} ·"))
    return page.get_by_role("article").filter(has=heading)


def plan_the_monitoring(session: Any, team: Team) -> str:
    """The case officer: the plan on the proceeding, a hearing, the observer and the expert. Returns the plan's path."""
    page = session.page
    session.sign_in(team.officer)
    page.get_by_role("navigation", name="Areas").get_by_role("link", name="Trial monitoring").click()
    page.get_by_role("button", name="New monitoring plan").click()
    page.get_by_label("Proceeding").select_option(label=f"{team.case.reference} · Criminal {CASE_NUMBER}")
    page.get_by_label("The defendant belongs to a vulnerable group").check()
    page.get_by_label("Risk to the defendant and others").check()
    page.get_by_label("Why this trial, in your words").fill("A lawyer on trial for what he said in court.")
    _submit(page, "Save")
    expect(page.get_by_text("Monitoring plan created.")).to_be_visible()
    plan_path = page.url.removeprefix(session.base_url.rstrip("/"))

    page.get_by_role("button", name="Add a hearing").click()
    expect(page.get_by_label("Court:", exact=True)).to_have_value(str(team.proceeding.body_id))
    held_on = timezone.localdate() - datetime.timedelta(days=60)
    page.get_by_label("Type").select_option(label="Trial")
    page.get_by_label("Scheduled start").fill(f"{held_on:%Y-%m-%d}T10:00")
    page.get_by_label("Courtroom").fill("3")
    _submit(page, "Save")
    expect(page.get_by_text("Hearing added.")).to_be_visible()
    hearings = page.get_by_role("region", name="Hearings")
    expect(hearings.get_by_role("row")).to_have_count(2)  # the header and the hearing
    expect(hearings).to_contain_text("Baku Grave Crimes Court, 3")

    for person, role in ((team.observer, "Observer"), (team.expert, "Expert reviewer")):
        page.get_by_role("button", name="Assign someone").click()
        page.get_by_label("Person").select_option(label=f"{person.full_name} <{person.email}>")
        page.get_by_label("Role").select_option(label=role)
        _submit(page, "Assign")
        expect(page.get_by_text(f"Added to the plan: {person.full_name}.")).to_be_visible()
    observers = page.get_by_role("region", name="Observers and experts")
    expect(observers).to_contain_text("Pieter de Vries · Observer · every hearing")
    expect(observers).to_contain_text("Ana Ribeiro · Expert reviewer")
    session.assert_accessible()
    return plan_path


def observe_the_hearing(phone: Any, team: Team) -> None:
    """The observer, on a phone: three sections of the questionnaire, a reload half-way, then submission."""
    from defensor.monitoring.models import Observation

    page = phone.page
    phone.sign_in(team.observer)
    page.get_by_role("navigation", name="Areas").get_by_role("link", name="My hearings").click()
    expect(page.get_by_role("heading", name=team.case.reference)).to_be_visible()
    _submit(page, "Start the observation")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mission and observer")

    # Section A is skipped; "All sections" leads to C, publicity.
    page.get_by_text("All sections").click()
    _submit(page, re.compile(r"^C\. Publicity and access to the courtroom"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Publicity and access to the courtroom")
    _answer(page, "Was the hearing open to the public?", "No")
    _answer(page, "If closed, was a reason announced?", "No")
    _answer(page, "Were you admitted to the courtroom?", "After a delay")
    _answer(page, "Was the family admitted?", "No")
    _answer(page, "Were journalists admitted?", "No")
    page.get_by_label("Legal basis given for the closure").fill("None was given")
    with _autosaved(page):
        page.get_by_label("Legal basis given for the closure").blur()
    expect(page.locator("#save-status")).to_contain_text("Saved")
    phone.assert_accessible()

    # Half-way, the page is reloaded (a dropped connection, a phone that slept): nothing is lost.
    page.reload()
    expect(_question(page, "Was the hearing open to the public?").get_by_label("No", exact=True)).to_be_checked()
    expect(_question(page, "Were you admitted to the courtroom?").get_by_label("After a delay")).to_be_checked()
    expect(_question(page, "Were journalists admitted?").get_by_label("No", exact=True)).to_be_checked()
    expect(page.get_by_label("Legal basis given for the closure")).to_have_value("None was given")
    observation = Observation.objects.get(observer=team.observer)
    assert observation.answers["C.hearing_public"] == "no"
    assert observation.answers["C.closure_legal_basis"] == "None was given"

    _submit(page, "Next →")  # D is left unanswered
    expect(page.get_by_role("heading", level=1)).to_contain_text("Defendant: presence, treatment, detention")
    _submit(page, "Next →")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Legal representation")
    _answer(page, "Was defence counsel present?", "Yes")
    _answer(page, "Who chose the counsel?", "Chosen by the client")
    _answer(page, "Was counsel threatened or sanctioned in court?", "Warning")
    _answer(page, "Did the judge or prosecutor identify counsel with the client's cause?", "Yes")
    phone.screenshot("trial-monitoring-observation-phone")

    page.get_by_text("All sections").click()
    _submit(page, re.compile(r"^M\. Observer's narrative and assessment"))
    assessment = page.get_by_label("Your overall assessment of the hearing's fairness")
    assessment.fill("Closed to the public without a reason; counsel was warned for objecting.")
    with _autosaved(page):
        assessment.blur()
    _submit(page, "Review and submit")
    expect(page.get_by_text(re.compile(r"You answered 11 of \d+ questions"))).to_be_visible()
    _submit(page, "Submit the observation")
    expect(page.get_by_text("Observation submitted. Thank you.")).to_be_visible()
    observation.refresh_from_db()
    assert observation.is_submitted


def confirm_findings_and_grade(expert: Any, team: Team) -> None:
    """The expert: every proposed finding confirmed (one changed, with reasons), then the grade."""
    page = expert.page
    expert.sign_in(team.expert)
    page.get_by_role("navigation", name="Areas").get_by_role("link", name="My hearings").click()
    page.get_by_role("button", name="Review the findings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Findings and grade")
    expect(page.get_by_role("article")).to_have_count(3)
    proposed = {
        "ICCPR-14.1.public": "Violation",  # closed without a reason, family and journalists kept out
        "BPRL-16": "Concern",  # counsel warned
        "BPRL-18": "Violation",  # counsel identified with the client's cause
    }
    for code, value in proposed.items():
        expect(_finding_card(page, code)).to_contain_text(f"Proposed: {value}")
    expert.assert_accessible()

    for code, value in proposed.items():
        card = _finding_card(page, code)
        expect(card.get_by_label("Finding")).to_have_value(value.lower())
        if code == "BPRL-16":
            card.get_by_label("Finding").select_option(label="Violation")
            card.get_by_label("Rationale").fill(RATIONALE_BPRL_16)
        with page.expect_navigation():
            card.get_by_role("button", name="Confirm").click()
        expect(page.get_by_text(f"Finding on {code} confirmed.")).to_be_visible()
    expect(_finding_card(page, "BPRL-16")).to_contain_text("Confirmed: Violation")
    expect(_finding_card(page, "ICCPR-14.1.public")).to_contain_text("Confirmed: Violation")

    grade = page.locator("form", has=page.get_by_role("button", name="Record the grade"))
    grade.get_by_label("Grade:", exact=True).select_option("C")
    grade.get_by_label("The violations affected the outcome").select_option(label="Yes")
    grade.get_by_label("The violations resulted in significant harm").select_option(label="Unknown")
    grade.get_by_label("Rationale").fill(GRADE_RATIONALE)
    _submit(page, "Record the grade")
    expect(page.get_by_text("Grade recorded.")).to_be_visible()
    graded = page.get_by_role("region", name="Grade", exact=True)
    expect(graded).to_contain_text("Ana Ribeiro")
    expect(graded.get_by_role("alert")).to_have_count(0)  # no warning: the grade agrees with the findings


def write_the_report(session: Any, plan_path: str, due_on: datetime.date) -> None:
    """The case officer generates the report, adds a recommendation and sends it for review."""
    page = session.page
    session.goto(plan_path)
    _submit(page, "Generate the report from the plan's data")
    expect(page.get_by_text("The report was generated from the plan's data.")).to_be_visible()
    expect(page.get_by_role("heading", name="BPRL-16 · Working free from interference and reprisals")).to_be_visible()

    page.get_by_text("Add a recommendation", exact=True).click()
    page.get_by_label("Recommendation:", exact=True).fill(RECOMMENDATION)
    page.get_by_label("Addressed to").select_option(label="Ministry of Justice of Azerbaijan")
    page.get_by_label("Priority").select_option(label="High")
    page.get_by_label("First response due").fill(f"{due_on:%Y-%m-%d}")
    _submit(page, "Add the recommendation")
    expect(page.get_by_text("Recommendation added.")).to_be_visible()
    expect(page.locator(".report-recommendations")).to_contain_text(RECOMMENDATION)
    session.assert_accessible()
    _submit(page, "Send for review")
    expect(page.get_by_text("The report was sent for review.")).to_be_visible()


def publish_and_download(director: Any, team: Team, dated: datetime.date) -> bytes:
    """The director approves and publishes the report (dated when it went out to the authorities), has the
    PDF typeset and downloads it. Returns the PDF."""
    page = director.page
    director.sign_in(team.director)
    page.get_by_role("navigation", name="Areas").get_by_role("link", name="Trial monitoring").click()
    page.get_by_role("link", name=team.case.reference).click()
    page.get_by_role("region", name="Trial report").get_by_role("link", name="Trial observation report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trial observation report")
    _submit(page, "Approve")
    expect(page.get_by_text("The report was approved.")).to_be_visible()
    page.get_by_label("Date of the report").fill(f"{dated:%Y-%m-%d}")
    _submit(page, "Publish")
    expect(page.get_by_text("The report was published and its recommendations are now followed up.")).to_be_visible()
    expect(page.get_by_role("region", name="Recommendations being followed up")).to_contain_text(RECOMMENDATION)

    page.get_by_role("button", name="Render PDF").click()
    job = page.locator("#report-jobs .render-job").first
    expect(job.get_by_text("The document is ready.")).to_be_visible(timeout=30_000)
    job.get_by_role("button", name="Download").click()
    page.wait_for_url("**/reauthenticate/**")
    director.assert_accessible()
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_download() as caught:
        page.get_by_role("button", name="Confirm").click()
    download = caught.value
    assert download.suggested_filename.endswith(".pdf")
    return download.path().read_bytes()


def look_at_the_pdf(content: bytes, results: Any) -> None:
    """The findings and the recommendation are in the PDF; its first two pages become PNG files."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for expected in (
        "ICCPR-14.1.public · Public hearing",
        "BPRL-16 · Working free from interference and reprisals",
        "BPRL-18 · Lawyers are not their clients",
        RATIONALE_BPRL_16,
        GRADE_RATIONALE,
        RECOMMENDATION,
        "Ministry of Justice of Azerbaijan",
    ):
        assert expected in text, f"not in the PDF: {expected!r}"
    assert "Pieter de Vries" not in text  # observers are never named
    results.mkdir(parents=True, exist_ok=True)
    pdf = results / "trial-report-e2e.pdf"
    pdf.write_bytes(content)
    for old in results.glob("trial-report-e2e-page-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "2", str(pdf), str(results / "trial-report-e2e-page")],
        check=True,
        timeout=60,
    )
    pages = sorted(results.glob("trial-report-e2e-page-*.png"))
    assert len(pages) == 2
    assert all(png.read_bytes().startswith(b"\x89PNG") for png in pages)


def follow_up(session: Any) -> None:
    """The case officer finds the recommendation among the overdue ones, records a follow-up, and it leaves them."""
    page = session.page
    page.get_by_role("navigation", name="Areas").get_by_role("link", name="Recommendations").click()
    board = page.locator("#board")
    row = board.get_by_role("row").filter(has_text=RECOMMENDATION)
    expect(row).to_contain_text("Overdue")
    expect(board.get_by_text("1 overdue")).to_be_visible()
    page.get_by_text("Filter", exact=True).click()
    page.get_by_label("Overdue only").check()
    expect(page).to_have_url(re.compile(r"overdue=on"))
    expect(board.get_by_role("row").filter(has_text=RECOMMENDATION)).to_be_visible()
    session.assert_accessible()

    board.get_by_role("link", name=RECOMMENDATION).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recommendation to Ministry of Justice of Azerbaijan")
    page.get_by_text("Record a follow-up").click()
    page.get_by_label("What was done").select_option(label="Letter")
    page.get_by_label("Implementation status on that date").select_option(label="Not implemented")
    page.get_by_label("Description").fill("Letter to the minister asking for the hearings to be reopened.")
    page.get_by_role("button", name="Record the follow-up").click()
    expect(page.get_by_text("The follow-up was recorded.")).to_be_visible()
    expect(page.locator("#followup-timeline")).to_contain_text("Letter")

    page.get_by_role("navigation", name="Areas").get_by_role("link", name="Recommendations").click()
    expect(page.locator("#board").get_by_text("0 overdue")).to_be_visible()
    expect(page.locator("#board").get_by_role("row").filter(has_text=RECOMMENDATION)).not_to_contain_text("Overdue")
    page.get_by_text("Filter", exact=True).click()
    page.get_by_label("Overdue only").check()
    expect(page.locator("#board").get_by_text("No recommendation matches.", exact=False)).to_be_visible()


def test_a_trial_is_monitored_reported_and_its_recommendation_followed_up(
    session, phone_session, browser, live_server, team
):  # type: ignore[no-untyped-def]
    from defensor.recommendations.models import Recommendation

    # The report went out a month ago; the first response was due ten days ago and nothing came.
    dated = timezone.localdate() - datetime.timedelta(days=30)
    due_on = timezone.localdate() - datetime.timedelta(days=10)
    plan_path = plan_the_monitoring(session, team)
    observe_the_hearing(phone_session, team)
    with another_person(browser, live_server, session.results) as expert:
        confirm_findings_and_grade(expert, team)
    write_the_report(session, plan_path, due_on)
    with another_person(browser, live_server, session.results) as director:
        content = publish_and_download(director, team, dated)
    look_at_the_pdf(content, session.results)
    recommendation = Recommendation.objects.get()
    assert recommendation.due_on == due_on
    assert recommendation.is_overdue(timezone.localdate())
    follow_up(session)
    recommendation.refresh_from_db()
    assert not recommendation.is_overdue(timezone.localdate())
