"""Staff produce a campaign's letters and download them: the download asks for the password again,
and the letters inside name the target's salutation and the signatories."""

from __future__ import annotations

import datetime
import io
import zipfile

import pypdf
import pytest
from django.utils import timezone

from defensor.core.testing import PASSWORD, make_member, make_organisation

pytestmark = pytest.mark.e2e


@pytest.fixture
def campaign(transactional_db):  # type: ignore[no-untyped-def]
    from defensor.campaigns import services
    from defensor.campaigns.models import Signature
    from defensor.cases.services import case_open
    from defensor.directory.models import Institution

    organisation = make_organisation("Justice International", "justice-international")
    officer = make_member(organisation, "case_officer", email="officer@ji.test")
    prosecutor = Institution.objects.create(
        organisation=organisation,
        name="Генеральная прокуратура Туркменистана",
        name_latin="Prosecutor General's Office of Turkmenistan",
        kind="prosecutor",
        country="TM",
        salutations={"en": "Dear Prosecutor General,"},
    )
    case = case_open(
        actor=officer,
        organisation=organisation,
        title="Detention of a monitor",
        country="TM",
        lead=officer,
        opened_on=datetime.date(2016, 10, 5),
    )
    campaign = services.campaign_create(
        actor=officer,
        organisation=organisation,
        slug="free-the-monitor",
        title_en="Free the monitor",
        ask_en="Release him.",
        cases=[case],
    )
    services.target_add(actor=officer, campaign=campaign, institution=prosecutor, position="Prosecutor General")
    services.template_save(
        actor=officer,
        campaign=campaign,
        language="en",
        subject="Release him",
        body="{{ salutation }}\n\nPlease release him.\n\n{{ co_signing_organisations }}",
    )
    for name in ("Anna de Wit", "Ivan Petrov"):
        Signature.objects.create(
            organisation=organisation,
            campaign=campaign,
            name=name,
            email=f"{name.split()[0].lower()}@example.org",
            profession="lawyer",
            country="NL",
            status=Signature.Status.CONFIRMED,
            consent_letter=True,
            confirmed_at=timezone.now(),
        )
    return officer, campaign


def test_staff_render_the_letters_and_download_them(session, campaign):
    officer, campaign = campaign
    page = session.page
    session.sign_in(officer)
    session.goto(f"/app/campaigns/{campaign.pk}/")
    session.assert_accessible()
    page.click("#letters form button[type=submit]")
    page.wait_for_url(f"**/app/campaigns/{campaign.pk}/**")
    download_link = page.locator("#letters a[role=button]", has_text="Download")
    download_link.wait_for()
    download_link.click()
    page.wait_for_url("**/reauthenticate/**")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_download() as caught:
        page.click("main form button[type=submit]")
    archive = zipfile.ZipFile(io.BytesIO(caught.value.path().read_bytes()))
    pdfs = [name for name in archive.namelist() if name.endswith(".pdf")]
    text = "\n".join(
        page_.extract_text() for name in pdfs for page_ in pypdf.PdfReader(io.BytesIO(archive.read(name))).pages
    )
    assert "Dear Prosecutor General," in text
    assert "Anna de Wit" in text
    assert "Ivan Petrov" in text


def test_the_letter_editor_previews_as_the_user_types(session, campaign):
    officer, campaign = campaign
    page = session.page
    session.sign_in(officer)
    session.goto(f"/app/campaigns/{campaign.pk}/letter/")
    session.assert_accessible()
    page.fill("textarea[name=body]", "")
    page.locator("textarea[name=body]").press_sequentially("{{ salutation }} We ask for his release.")
    preview = page.locator("#letter-preview")
    preview.get_by_text("Dear Prosecutor General, We ask for his release.").wait_for()
    page.locator("textarea[name=body]").press_sequentially(" {{ nonsense }}")
    preview.get_by_text("Unknown merge fields").wait_for()
