"""The dossier flow of a case officer, in the browser: a person (warned about a duplicate across
scripts), a confidential case, three events with provisions, a photo whose GPS position is removed,
access given to a volunteer and taken back."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from defensor.core.testing import make_member, make_organisation

pytestmark = pytest.mark.e2e


def photo_with_gps(path):  # type: ignore[no-untyped-def]
    image = Image.new("RGB", (64, 48), (30, 60, 160))
    exif = Image.Exif()
    exif[0x010F] = "CameraMakerX"
    exif[0x8825] = {1: "N", 2: (41.0, 0.0, 36.0), 3: "E", 4: (28.0, 58.0, 48.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def team(transactional_db):  # type: ignore[no-untyped-def]
    from defensor.directory.services import person_create

    organisation = make_organisation("Justice International", "justice-international")
    officer = make_member(organisation, "case_officer", email="officer@ji.test")
    volunteer = make_member(organisation, "volunteer", email="volunteer@ji.test")
    person_create(actor=officer, organisation=organisation, name="Ivan Matveev")
    return organisation, officer, volunteer


def test_case_officer_builds_a_confidential_dossier(session, browser, live_server, team, tmp_path):
    from defensor.cases.models import Case, Event
    from defensor.e2e.browser import BrowserSession

    _organisation, officer, volunteer = team
    page = session.page
    session.sign_in(officer)

    # A person, typed in Cyrillic: the directory warns about "Ivan Matveev".
    session.goto("/app/directory/people/new/")
    page.fill("input[name=name]", "Иван Матвеев")
    page.click("main form button[type=submit]")
    assert page.locator(".directory-similar").is_visible()
    assert "Ivan Matveev" in page.locator(".directory-similar").inner_text()
    assert page.input_value("input[name=name]") == "Иван Матвеев"
    page.check("input[name=different_person]")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/directory/people/*/")
    session.assert_accessible()

    # A confidential case for them.
    session.goto("/app/cases/new/")
    page.fill("input[name=title]", "Prosecution of a defence lawyer in Istanbul")
    page.select_option("select[name=country]", "TR")
    page.select_option("select[name=status]", "active")
    page.select_option("select[name=sensitivity]", "confidential")
    page.select_option("select[name=risk_level]", "high")
    page.fill("input[name=risk_reason]", "Detained after defending a journalist")
    from defensor.directory.models import Person

    page.select_option("select[name=subject]", value=str(Person.objects.get(name="Иван Матвеев").pk))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/app/cases/*/")
    case = Case.objects.get()
    assert case.sensitivity == "confidential"
    session.assert_accessible()

    # Three events with provisions, added inline without leaving the page.
    for day, title, code in (
        ("2017-03-01", "Arrested at his office", "ICCPR-9.1"),
        ("2017-03-04", "Denied access to his own lawyer", "BPRL-8"),
        ("2017-06-12", "First hearing held behind closed doors", "ICCPR-14.1.public"),
    ):
        page.click("#add-event summary")
        form = page.locator("#event-form form")
        form.locator("input[name=title]").fill(title)
        form.locator("input[name=occurred_on]").fill(day)
        form.locator("select[name=provisions]").select_option(value=_provision_pk(code))
        form.locator("button[type=submit]").click()
        page.locator("#timeline").get_by_text(title).wait_for()
        page.click("#add-event summary")  # fold the form again
    assert Event.objects.filter(case=case).count() == 3
    assert page.locator("#timeline .timeline-item").count() == 3

    # A photo with a GPS position: stored without it.
    page.click("#documents summary")
    page.set_input_files("#documents-part input[type=file]", str(photo_with_gps(tmp_path / "IMG_2017.jpg")))
    page.fill("#documents-part input[name=title]", "Photo of the search")
    page.click("#documents-part button[type=submit]")
    page.locator("#documents-part").get_by_text("Photo of the search").wait_for()
    document = case.documents.get()
    with document.file.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
    assert stored.getexif().get_ifd(0x8825) == {}
    session.screenshot("dossier")

    # Access for a volunteer, then taken back: the volunteer's next request is a 404.
    other = browser.new_context(viewport={"width": 1280, "height": 900})
    volunteer_session = BrowserSession(page=other.new_page(), base_url=live_server.url, results=session.results)
    volunteer_session.sign_in(volunteer)
    case_path = f"/app/cases/{case.pk}/"
    assert volunteer_session.goto(case_path).status == 404
    session.goto(f"{case_path}access/")
    page.select_option("select[name=grant-user]", label=f"{volunteer.full_name} <{volunteer.email}>")
    with page.expect_navigation():
        page.click("form:has(select[name=grant-user]) button[type=submit]")
    assert volunteer_session.goto(case_path).status == 200
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("button:has-text('Revoke')")
    assert "Access revoked" in page.locator(".messages").inner_text()
    assert volunteer_session.goto(case_path).status == 404
    other.close()


def _provision_pk(code: str) -> str:
    from defensor.standards.models import Provision

    return str(Provision.objects.get(code=code).pk)
