"""Importing the spreadsheet an organisation keeps: two bad rows are reported, nothing is written
until the user confirms, and then only the good rows come in."""

from __future__ import annotations

import pytest

from defensor.core.testing import make_member, make_organisation

pytestmark = pytest.mark.e2e

PEOPLE = """Name;Name in Latin script;Nationality;Professions;Email
Айгуль Темирова;Aigul Temirova;KZ;advocate;aigul@example.org
Deniz Arslan;;Turkey;lawyer;deniz@example.org
Олег Ветров;Oleg Vetrov;Atlantis;lawyer;oleg@example.org
Nadia Karimova;;UZ;human rights defender;not-an-email
"""


def test_people_spreadsheet_with_bad_rows(session, transactional_db, tmp_path):
    from defensor.directory.models import Person

    organisation = make_organisation("Justice International", "justice-international")
    officer = make_member(organisation, "case_officer", email="officer@ji.test")
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    page = session.page

    session.sign_in(officer)
    session.goto("/app/import/")
    page.select_option("select[name=kind]", "directory.person")
    page.set_input_files("input[name=file]", str(path))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/mapping/")
    session.assert_accessible()
    page.click("button:has-text('Check the rows')")
    page.wait_for_url("**/preview/")
    errors = page.locator("table.import-errors tbody tr")
    assert errors.count() == 2
    text = page.locator("table.import-errors").inner_text()
    assert "Atlantis" in text and "not-an-email" in text
    assert Person.objects.count() == 0
    session.assert_accessible()
    session.screenshot("import-preview")

    page.check("#skip-invalid")
    page.click("form.import-confirm button[type=submit]")
    page.wait_for_load_state()
    assert sorted(Person.objects.values_list("name", flat=True)) == ["Deniz Arslan", "Айгуль Темирова"]
