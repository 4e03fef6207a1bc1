"""Every view of the dossier through the personas, and the flows a case officer follows."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from defensor.cases import services
from defensor.cases.models import Case, Event
from defensor.core.testing import assert_persona_matrix

READ_INTERNAL = {"anonymous": 302, "outsider": 404, "volunteer": 200, "case_officer": 200, "director": 200}
EDIT_INTERNAL = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 200, "director": 200}


def test_case_list_matrix(world):
    expected = {"anonymous": 302, "outsider": 200, "volunteer": 200, "case_officer": 200, "director": 200}
    assert_persona_matrix(world.personas, reverse("cases:list"), expected)


def test_outsider_list_does_not_show_our_cases(world):
    response = world.personas.client("outsider").get(reverse("cases:list"))
    assert world.internal_case.reference not in response.content.decode()


def test_volunteer_list_omits_the_confidential_case(world):
    page = world.personas.client("volunteer").get(reverse("cases:list")).content.decode()
    assert world.internal_case.reference in page and world.confidential_case.reference not in page


def test_list_filters_by_country(world):
    page = world.personas.client("case_officer").get(reverse("cases:list"), {"country": "RU"}).content.decode()
    assert world.confidential_case.reference in page and world.internal_case.reference not in page


def test_list_filters_by_reprisal_type(world):
    services.event_add(
        actor=world.user("case_officer"),
        case=world.internal_case,
        title="Arrest",
        occurred_on=datetime.date(2016, 10, 5),
        event_type=world.reprisal,
    )
    page = world.personas.client("case_officer").get(reverse("cases:list"), {"reprisal": "rep.lib"})
    text = page.content.decode()
    assert world.internal_case.reference in text and world.confidential_case.reference not in text


def test_case_detail_matrix_for_an_internal_case(world):
    assert_persona_matrix(world.personas, reverse("cases:detail", args=[world.internal_case.pk]), READ_INTERNAL)


def test_case_detail_matrix_for_a_confidential_case(world):
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 404, "case_officer": 200, "director": 404}
    assert_persona_matrix(world.personas, reverse("cases:detail", args=[world.confidential_case.pk]), expected)


def test_reading_a_confidential_case_is_audited(world):
    from defensor.core.models import AuditEntry

    world.personas.client("case_officer").get(reverse("cases:detail", args=[world.confidential_case.pk]))
    assert AuditEntry.objects.filter(action="cases.case.viewed", object_id=str(world.confidential_case.pk)).exists()


def test_open_case_matrix(world):
    expected = {"anonymous": 302, "outsider": 200, "volunteer": 403, "case_officer": 200, "director": 200}
    assert_persona_matrix(world.personas, reverse("cases:open"), expected)


def test_opening_a_confidential_case_through_the_form(world):
    client = world.personas.client("case_officer")
    response = client.post(
        reverse("cases:open"),
        {
            "title": "Disbarment of a defence lawyer",
            "country": "KZ",
            "status": "active",
            "sensitivity": "confidential",
            "lead": world.user("case_officer").pk,
            "opened_on": "2017-09-20",
            "risk_level": "high",
            "risk_reason": "Criminal charges announced",
            "subject": world.person.pk,
            "subject_role": "lawyer_at_risk",
            "programmes": ["trial_monitoring"],
            "tags": "bar, disbarment",
        },
    )
    case = Case.objects.get(country="KZ")
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.sensitivity == "confidential" and case.tags == ["bar", "disbarment"]


def test_bad_case_form_keeps_what_was_typed(world):
    response = world.personas.client("case_officer").post(
        reverse("cases:open"), {"title": "Kept title", "country": "", "lead": world.user("case_officer").pk}
    )
    assert response.status_code == 200
    assert 'value="Kept title"' in response.content.decode()


def test_edit_case_matrix(world):
    assert_persona_matrix(world.personas, reverse("cases:edit", args=[world.internal_case.pk]), EDIT_INTERNAL)


def test_risk_page_matrix(world):
    assert_persona_matrix(world.personas, reverse("cases:risk", args=[world.internal_case.pk]), EDIT_INTERNAL)


def test_subject_add_matrix(world):
    assert_persona_matrix(world.personas, reverse("cases:subject_add", args=[world.internal_case.pk]), EDIT_INTERNAL)


def test_proceeding_add_matrix(world):
    url = reverse("cases:proceeding_add", args=[world.internal_case.pk])
    assert_persona_matrix(world.personas, url, EDIT_INTERNAL)


def test_proceeding_edit_matrix_and_charges(world):
    proceeding = services.proceeding_add(
        actor=world.user("case_officer"), case=world.internal_case, kind="criminal", body=world.court
    )
    assert_persona_matrix(world.personas, reverse("cases:proceeding_edit", args=[proceeding.pk]), EDIT_INTERNAL)
    client = world.personas.client("case_officer")
    client.post(
        reverse("cases:charge_add", args=[proceeding.pk]),
        {"charge-article": "Art. 254 (fraud)", "charge-max_penalty": "3 years"},
    )
    assert proceeding.charges.get().article == "Art. 254 (fraud)"


def test_access_page_is_for_the_lead_only(world):
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 200, "director": 403}
    assert_persona_matrix(world.personas, reverse("cases:access", args=[world.internal_case.pk]), expected)


def test_grant_then_revoke_through_the_pages_takes_effect_at_once(world):
    officer = world.personas.client("case_officer")
    volunteer = world.personas.client("volunteer")
    url = reverse("cases:detail", args=[world.confidential_case.pk])
    assert volunteer.get(url).status_code == 404
    officer.post(reverse("cases:access", args=[world.confidential_case.pk]), {"grant-user": world.user("volunteer").pk})
    assert volunteer.get(url).status_code == 200
    access = world.confidential_case.access.get(user=world.user("volunteer"))
    officer.post(reverse("cases:access_revoke", args=[world.confidential_case.pk, access.pk]))
    assert volunteer.get(url).status_code == 404


def test_event_add_matrix_rejects_empty_input(world):
    url = reverse("cases:event_add", args=[world.internal_case.pk])
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 422, "director": 422}
    assert_persona_matrix(world.personas, url, expected, method="post", data={"title": ""})


def test_event_added_inline_with_htmx_returns_the_timeline(world):
    client = world.personas.client("case_officer")
    response = client.post(
        reverse("cases:event_add", args=[world.internal_case.pk]),
        {
            "category": "reprisal",
            "event_type": world.reprisal.pk,
            "title": "Sentenced to three years",
            "occurred_on": "2016-10-25",
            "precision": "day",
            "verification": "verified",
            "sensitivity": "internal",
            "provisions": [world.provision.pk],
            "perpetrator_institution": world.court.pk,
            "involvement": "carried_out",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'hx-swap-oob="true"' in body and "Sentenced to three years" in body
    assert Event.objects.get().perpetrators.get().institution == world.court


def test_event_detail_matrix(world):
    event = services.event_add(
        actor=world.user("case_officer"),
        case=world.internal_case,
        title="Arrest",
        occurred_on=datetime.date(2016, 10, 5),
    )
    assert_persona_matrix(world.personas, reverse("cases:event", args=[event.pk]), READ_INTERNAL)


def test_anonymous_source_is_not_named_to_those_outside_the_team(world):
    event = services.event_add(
        actor=world.user("case_officer"),
        case=world.internal_case,
        title="Beaten in custody",
        occurred_on=datetime.date(2016, 11, 5),
        sources=[{"description": "Cellmate Orazov", "anonymous": True}],
    )
    page = world.personas.client("volunteer").get(reverse("cases:event", args=[event.pk])).content.decode()
    assert "Orazov" not in page


def test_document_upload_and_download(world):
    client = world.personas.client("case_officer")
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("statement.txt", b"Statement of the defence\n", content_type="text/plain")
    response = client.post(
        reverse("cases:document_add", args=[world.internal_case.pk]),
        {"file": upload, "title": "Defence statement", "kind": "statement", "sensitivity": "internal"},
    )
    assert response.status_code == 302
    document = world.internal_case.documents.get()
    url = reverse("cases:document_download", args=[document.pk])
    assert_persona_matrix(world.personas, url, READ_INTERNAL)
    download = client.get(url)
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content if download.streaming else [download.content]).startswith(b"Statement")


def test_bad_upload_is_reported_and_stores_nothing(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00" + b"\x00" * 100, content_type="application/pdf")
    response = world.personas.client("case_officer").post(
        reverse("cases:document_add", args=[world.internal_case.pk]),
        {"file": upload, "title": "Scan", "kind": "court", "sensitivity": "internal"},
    )
    assert response.status_code == 422
    assert not world.internal_case.documents.exists()


def _dossier_queries(world, events: int) -> int:  # type: ignore[no-untyped-def]
    officer = world.user("case_officer")
    for number in range(events):
        services.event_add(
            actor=officer,
            case=world.internal_case,
            title=f"Event {number}",
            occurred_on=datetime.date(2016, 1, 1) + datetime.timedelta(days=number),
            event_type=world.reprisal,
            provisions=[world.provision],
            perpetrators=[{"institution": world.court}],
            sources=[{"description": "court record"}],
        )
        services.proceeding_add(actor=officer, case=world.internal_case, kind="criminal", body=world.court)
        services.document_add(actor=officer, case=world.internal_case, data=b"text\n", filename=f"d{number}.txt")
    client = world.personas.client("case_officer")
    url = reverse("cases:detail", args=[world.internal_case.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_dossier_is_served_with_a_fixed_number_of_queries(world):
    few = _dossier_queries(world, 2)
    many = _dossier_queries(world, 12)
    assert many == few, f"{few} queries for a small dossier but {many} for a larger one"


def test_provision_page_lists_the_cases_and_events_that_engage_it(world):
    services.event_add(
        actor=world.user("case_officer"),
        case=world.internal_case,
        title="Hearing closed to the public",
        occurred_on=datetime.date(2016, 10, 25),
        provisions=[world.provision],
    )
    page = world.personas.client("volunteer").get(reverse("standards:provision", args=[world.provision.code]))
    text = page.content.decode()
    assert world.internal_case.reference in text and "Hearing closed to the public" in text


def test_provision_page_hides_events_of_cases_the_user_cannot_see(world):
    services.event_add(
        actor=world.user("case_officer"),
        case=world.confidential_case,
        title="Search of the law office",
        occurred_on=datetime.date(2017, 3, 5),
        provisions=[world.provision],
    )
    text = world.personas.client("volunteer").get(reverse("standards:provision", args=[world.provision.code]))
    assert "Search of the law office" not in text.content.decode()
    assert world.confidential_case.reference not in text.content.decode()


def test_case_statuses_and_risk_levels_are_the_vocabulary_terms(db):
    from pathlib import Path

    from defensor.cases.models import Case, Perpetrator
    from defensor.standards.loader import load
    from defensor.standards.models import Term

    load(data_dir=Path(__file__).resolve().parents[2] / "standards" / "data", actor=None)
    handling = set(Term.objects.filter(vocabulary__code="handling_status").values_list("code", flat=True))
    risks = set(Term.objects.filter(vocabulary__code="risk_level").values_list("code", flat=True))
    assert {f"handling.{value}" for value in Case.Status.values} == handling
    assert {f"risk.{value}" for value in Case.Risk.values} == risks
    assert len(Perpetrator.Involvement.values) == Term.objects.filter(vocabulary__code="degree_of_involvement").count()


def test_publication_page_is_for_those_who_may_publish_and_edit(world):
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 403, "director": 200}
    assert_persona_matrix(world.personas, reverse("cases:publication", args=[world.internal_case.pk]), expected)


def test_publishing_the_name_without_consent_is_refused_on_the_page_and_keeps_the_input(world):
    response = world.personas.client("director").post(
        reverse("cases:publication", args=[world.internal_case.pk]),
        {"pseudonym": "G. M.", "use_real_name": "on", "published_fields": ["summary"], "public_summary": "Kept text"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "consented to publishing their name" in body and "Kept text" in body
    assert not hasattr(Case.objects.get(pk=world.internal_case.pk), "publication")


def test_long_timelines_show_the_latest_events_and_offer_the_rest(world, monkeypatch):
    from defensor.cases import selectors

    monkeypatch.setattr(selectors, "TIMELINE_PAGE", 2)
    for day in (1, 2, 3):
        services.event_add(
            actor=world.user("case_officer"),
            case=world.internal_case,
            title=f"Summons number {day}",
            occurred_on=datetime.date(2017, 1, day),
        )
    client = world.personas.client("case_officer")
    url = reverse("cases:detail", args=[world.internal_case.pk])
    page = client.get(url).content.decode()
    assert "Summons number 3" in page and "Summons number 1" not in page and "Show them all" in page
    assert "Summons number 1" in client.get(url, {"all": "1"}).content.decode()


def test_event_form_is_served_on_request(world):
    url = reverse("cases:event_add", args=[world.internal_case.pk])
    response = world.personas.client("case_officer").get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'name="occurred_on"' in response.content.decode()
    assert world.personas.client("volunteer").get(url).status_code == 403
