"""Writes of the dossier: references, encryption at rest, risk history, events, documents, publication."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from defensor.cases import services
from defensor.cases.models import Case, Document, Event
from defensor.core.models import Activity, AuditEntry, Sensitivity
from defensor.core.testing import raw_column


def test_references_count_up_per_organisation_and_year(world):
    assert world.internal_case.reference == "JUST-2016-001"
    another = services.case_open(
        actor=world.user("case_officer"),
        organisation=world.organisation,
        title="Second case",
        country="KZ",
        lead=world.user("case_officer"),
        opened_on=datetime.date(2016, 12, 1),
    )
    assert another.reference == "JUST-2016-002"


def test_title_and_summary_are_encrypted_at_rest(world):
    assert "cotton" not in raw_column("cases_case", "title", world.internal_case.pk)
    assert "forced labour" not in raw_column("cases_case", "summary", world.internal_case.pk)
    assert Case.objects.get(pk=world.internal_case.pk).title == "Detention of a cotton-labour monitor"


def test_opening_is_audited_without_the_secret_text(world):
    entry = AuditEntry.objects.get(action="cases.case.opened", object_id=str(world.internal_case.pk))
    assert "cotton" not in str(entry.changes)


def test_a_volunteer_cannot_open_a_case(world):
    with pytest.raises(PermissionDenied):
        services.case_open(
            actor=world.user("volunteer"),
            organisation=world.organisation,
            title="x",
            country="TM",
            lead=world.user("case_officer"),
        )


def test_the_lead_must_be_a_member_who_may_edit(world):
    with pytest.raises(ValidationError):
        services.case_open(
            actor=world.user("case_officer"),
            organisation=world.organisation,
            title="x",
            country="TM",
            lead=world.user("volunteer"),
        )


def test_risk_history_keeps_every_assessment_and_the_case_shows_the_latest(world):
    officer = world.user("case_officer")
    services.risk_assess(
        actor=officer,
        case=world.internal_case,
        level="high",
        reason="Sentenced",
        assessed_on=datetime.date(2016, 11, 1),
    )
    services.risk_assess(
        actor=officer,
        case=world.internal_case,
        level="imminent",
        reason="Tortured",
        assessed_on=datetime.date(2016, 12, 1),
    )
    world.internal_case.refresh_from_db()
    assert world.internal_case.risk_level == "imminent"
    assert [a.level for a in world.internal_case.risk_assessments.all()] == ["imminent", "high", "unknown"]


def test_a_risk_assessment_needs_a_reason(world):
    with pytest.raises(ValidationError):
        services.risk_assess(actor=world.user("case_officer"), case=world.internal_case, level="high", reason=" ")


def test_event_keeps_provisions_perpetrators_and_sources(world):
    event = services.event_add(
        actor=world.user("case_officer"),
        case=world.internal_case,
        title="Arrested at the bus station",
        occurred_on=datetime.date(2016, 10, 5),
        precision="day",
        event_type=world.reprisal,
        provisions=[world.provision, world.sibling],
        perpetrators=[{"institution": world.court, "involvement": "ordered"}],
        sources=[{"description": "His mother", "anonymous": True}],
    )
    assert sorted(p.code for p in event.provisions.all()) == ["BPRL-16", "ICCPR-14.1"]
    assert event.perpetrators.get().institution == world.court
    assert event.sources.get().anonymous is True
    assert "bus station" not in raw_column("cases_event", "title", event.pk)


def test_event_cannot_end_before_it_starts(world):
    with pytest.raises(ValidationError):
        services.event_add(
            actor=world.user("case_officer"),
            case=world.internal_case,
            title="Detention",
            occurred_on=datetime.date(2016, 10, 5),
            ended_on=datetime.date(2016, 10, 1),
        )


def test_event_inherits_the_sensitivity_of_its_case(world):
    event = services.event_add(
        actor=world.user("case_officer"),
        case=world.confidential_case,
        title="Threatening call",
        occurred_on=datetime.date(2017, 3, 2),
    )
    assert event.sensitivity == Sensitivity.CONFIDENTIAL


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = {1: "N", 2: (37.0, 57.0, 0.0), 3: "E", 4: (58.0, 23.0, 0.0)}
    exif[0x8825] = gps
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_uploaded_photo_is_stored_without_gps_and_encrypted(world, settings):
    from pathlib import Path

    data = jpeg_with_gps()
    assert b"PhoneMaker" in data
    document = services.document_add(
        actor=world.user("case_officer"), case=world.internal_case, data=data, filename="IMG_0042.jpg", title="Photo"
    )
    with document.file.open("rb") as handle:
        clean = handle.read()
    assert Image.open(io.BytesIO(clean)).getexif().get_ifd(0x8825) == {}
    assert b"PhoneMaker" not in clean
    on_disk = Path(settings.MEDIA_ROOT, document.file.name).read_bytes()
    assert on_disk.startswith(b"DFE1") and b"JFIF" not in on_disk and b"Exif" not in on_disk


def test_upload_type_comes_from_the_content_not_the_name(world):
    with pytest.raises(ValidationError):
        services.document_add(
            actor=world.user("case_officer"),
            case=world.internal_case,
            data=b"\x7fELF\x02\x01\x01" + b"\x00" * 200,
            filename="judgment.pdf",
        )
    assert not Document.objects.exists()


def test_download_of_a_confidential_document_is_audited(world):
    document = services.document_add(
        actor=world.user("case_officer"),
        case=world.confidential_case,
        data=b"Notes of the meeting\n",
        filename="notes.txt",
    )
    services.document_read(actor=world.user("case_officer"), document=document)
    assert AuditEntry.objects.filter(action="cases.document.downloaded", object_id=str(document.pk)).exists()


def test_publishing_the_real_name_needs_consent(world):
    with pytest.raises(ValidationError):
        services.publication_update(
            actor=world.user("director"),
            case=world.internal_case,
            pseudonym="G.",
            use_real_name=True,
            fields=["summary"],
        )


def test_publishing_with_consent_is_allowed(world):
    from defensor.directory.models import Consent

    for scope in ("store", "publish_name"):
        Consent.objects.create(
            organisation=world.organisation,
            person=world.person,
            scope=scope,
            given_on=datetime.date(2017, 5, 1),
            method="written",
            recorded_by=world.user("case_officer"),
        )
    # The director may publish but is not the lead: give them edit access first.
    services.access_grant(actor=world.user("case_officer"), case=world.internal_case, user=world.user("director"))
    publication = services.publication_update(
        actor=world.user("director"),
        case=world.internal_case,
        pseudonym="G. M.",
        use_real_name=True,
        fields=["summary", "country"],
    )
    assert publication.use_real_name is True


def test_timeline_merges_events_and_ledger_activities(world):
    from defensor.cases import selectors
    from defensor.core.ledger import activity_record

    services.event_add(
        actor=world.user("case_officer"),
        case=world.internal_case,
        title="Arrest",
        occurred_on=datetime.date(2016, 10, 5),
    )
    activity_record(
        actor=None,
        organisation=world.organisation,
        kind="submission_filed",
        occurred_on=datetime.date(2017, 6, 1),
        title="Petition to the UN Working Group on Arbitrary Detention",
        concerns=[world.internal_case],
    )
    dossier = selectors.dossier(user=world.user("case_officer"), case=world.internal_case)
    assert [item.kind for item in dossier.timeline] == ["activity", "event"]
    assert Activity.objects.count() == 1


def test_confidential_event_in_an_internal_case_is_hidden_from_a_volunteer(world):
    from defensor.cases import selectors

    services.event_add(
        actor=world.user("case_officer"),
        case=world.internal_case,
        title="Name of the informant",
        occurred_on=datetime.date(2016, 10, 6),
        sensitivity=Sensitivity.CONFIDENTIAL,
    )
    dossier = selectors.dossier(user=world.user("volunteer"), case=world.internal_case)
    assert dossier.events == []
    assert Event.objects.count() == 1


def test_a_perpetrator_known_only_by_type_reads_as_the_type_label(world):
    from defensor.cases.models import Perpetrator
    from defensor.standards.models import Term, Vocabulary

    vocabulary = Vocabulary.objects.create(code="perpetrator_type", name_en="Perpetrators", name_ru="Исполнители")
    police = Term.objects.create(vocabulary=vocabulary, code="perp.state.police", label_en="Police", label_ru="Полиция")
    event = services.event_add(
        actor=world.user("case_officer"),
        case=world.internal_case,
        title="Beaten at the police station",
        occurred_on=datetime.date(2016, 10, 6),
        perpetrators=[{"perpetrator_type": police}],
    )
    assert str(Perpetrator.objects.get(event=event)) == "Police"
