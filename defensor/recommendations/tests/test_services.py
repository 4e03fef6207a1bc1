"""Writing recommendations and follow-ups: checks, defaults, status, audit and ledger."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from defensor.core.models import Activity, ActivityLink, AuditEntry, Sensitivity
from defensor.directory.models import Institution
from defensor.recommendations import services, sources
from defensor.recommendations.models import FollowUp, ImplementationStatus, Recommendation

D = datetime.date


def test_add_defaults_the_country_to_the_addressees(world):
    recommendation = world.recommend(addressee=world.ministry)
    assert recommendation.country == "KZ"


def test_add_keeps_a_country_given(world):
    assert world.recommend(addressee=world.ministry, country="tm").country == "TM"


def test_add_falls_back_to_the_cases_country_when_the_addressee_has_none(world):
    un_body = Institution.objects.create(organisation=world.organisation, name="A UN body", kind="un_body")
    assert world.recommend(addressee=un_body, case=world.case).country == "TM"


def test_add_without_any_country_is_refused_with_a_message(world):
    un_body = Institution.objects.create(organisation=world.organisation, name="A UN body", kind="un_body")
    with pytest.raises(ValidationError) as error:
        world.recommend(addressee=un_body)
    assert "country" in error.value.message_dict


def test_add_starts_with_status_unknown(world):
    assert world.recommend().status == ImplementationStatus.UNKNOWN


def test_add_takes_the_sensitivity_of_its_case(world):
    recommendation = world.recommend(case=world.confidential_case)
    assert recommendation.sensitivity == Sensitivity.CONFIDENTIAL


def test_add_stores_provisions(world):
    recommendation = world.recommend(provisions=[world.provision])
    assert list(recommendation.provisions.values_list("code", flat=True)) == ["BPRL-16"]


def test_volunteer_may_not_add(world):
    with pytest.raises(PermissionDenied):
        services.recommendation_add(
            actor=world.user("volunteer"),
            organisation=world.organisation,
            text="Release him.",
            addressee=world.prosecutor,
        )


def test_outsider_may_not_add_to_our_organisation(world):
    with pytest.raises(PermissionDenied):
        services.recommendation_add(
            actor=world.user("outsider"),
            organisation=world.organisation,
            text="Release him.",
            addressee=world.prosecutor,
        )


def test_addressee_of_another_organisation_is_refused(world):
    theirs = Institution.objects.create(
        organisation=world.personas.other_organisation, name="Their ministry", kind="ministry", country="TR"
    )
    with pytest.raises(ValidationError) as error:
        world.recommend(addressee=theirs)
    assert "addressee" in error.value.message_dict


def test_due_date_before_it_was_made_is_refused(world):
    with pytest.raises(ValidationError) as error:
        world.recommend(made_on=D(2024, 2, 1), due_on=D(2024, 1, 1))
    assert "due_on" in error.value.message_dict


def test_owner_who_cannot_see_it_is_refused(world):
    with pytest.raises(ValidationError) as error:
        world.recommend(owner=world.user("volunteer"), sensitivity=Sensitivity.CONFIDENTIAL)
    assert "owner" in error.value.message_dict
    assert not Recommendation.objects.exists()


def test_owner_from_another_organisation_is_refused(world):
    with pytest.raises(ValidationError) as error:
        world.recommend(owner=world.user("outsider"))
    assert "owner" in error.value.message_dict


def test_add_is_audited_without_the_text(world):
    recommendation = world.recommend(text="Release the lawyer Ivanov.")
    entry = AuditEntry.objects.get(action="recommendations.recommendation.added", object_id=str(recommendation.pk))
    assert "Ivanov" not in str(entry.changes)
    assert "text" in entry.changes["fields"]


def test_add_from_a_source_records_it(world):
    recommendation = world.recommend(source=world.ministry)
    assert recommendation.source_type == ContentType.objects.get_for_model(world.ministry)
    assert recommendation.source_id == str(world.ministry.pk)


def test_add_from_a_case_as_source_is_tied_to_that_case(world):
    assert world.recommend(source=world.case).case == world.case


def test_add_from_a_source_registered_with_a_case_sets_that_case(world):
    # A report-like source: the registry tells which case it belongs to.
    sources.register("directory.institution", lambda user, obj: None, case_of=lambda obj: world.case)
    try:
        recommendation = world.recommend(source=world.ministry)
    finally:
        sources.unregister("directory.institution")
    assert recommendation.case == world.case


def test_add_from_a_source_of_another_organisation_is_refused(world):
    theirs = Institution.objects.create(
        organisation=world.personas.other_organisation, name="Their ministry", kind="ministry", country="TR"
    )
    with pytest.raises(ValidationError):
        world.recommend(source=theirs)


def test_update_changes_fields_and_audits_names_only(world):
    recommendation = world.recommend(text="Release the lawyer Ivanov.")
    services.recommendation_update(
        actor=world.user("case_officer"),
        recommendation=recommendation,
        text="Release the lawyer Petrov.",
        addressee=world.ministry,
        made_on=recommendation.made_on,
        due_on=D(2024, 4, 1),
        priority="high",
        owner=world.user("director"),
    )
    recommendation.refresh_from_db()
    assert (recommendation.addressee, recommendation.country, recommendation.priority) == (world.ministry, "KZ", "high")
    entry = AuditEntry.objects.get(action="recommendations.recommendation.updated")
    assert entry.changes["text"] == "changed"
    assert "Petrov" not in str(entry.changes)


def test_update_with_a_new_due_date_starts_reminders_over(world):
    recommendation = world.recommend()
    Recommendation.objects.filter(pk=recommendation.pk).update(
        reminded_due_soon_on=D(2024, 1, 11), reminded_overdue_on=D(2024, 2, 11)
    )
    recommendation.refresh_from_db()
    services.recommendation_update(
        actor=world.user("case_officer"),
        recommendation=recommendation,
        text=recommendation.text,
        addressee=recommendation.addressee,
        made_on=recommendation.made_on,
        due_on=D(2024, 6, 1),
        owner=recommendation.owner,
    )
    recommendation.refresh_from_db()
    assert recommendation.reminded_due_soon_on is None and recommendation.reminded_overdue_on is None


def test_volunteer_may_not_update(world):
    recommendation = world.recommend()
    with pytest.raises(PermissionDenied):
        services.recommendation_update(
            actor=world.user("volunteer"),
            recommendation=recommendation,
            text="Changed",
            addressee=recommendation.addressee,
            made_on=recommendation.made_on,
            due_on=recommendation.due_on,
        )


def _follow_up(world, recommendation, **fields):
    values = {
        "occurred_on": D(2024, 2, 1),
        "action": "letter",
        "implementation_status": ImplementationStatus.NOT_IMPLEMENTED,
    }
    values.update(fields)
    return services.followup_add(actor=world.user("case_officer"), recommendation=recommendation, **values)


def test_followup_sets_the_recommendations_status(world):
    recommendation = world.recommend()
    _follow_up(world, recommendation, implementation_status=ImplementationStatus.PARTIALLY)
    recommendation.refresh_from_db()
    assert recommendation.status == ImplementationStatus.PARTIALLY


def test_status_follows_the_latest_followup_not_the_last_recorded(world):
    recommendation = world.recommend()
    _follow_up(world, recommendation, occurred_on=D(2024, 2, 20), implementation_status=ImplementationStatus.FULLY)
    _follow_up(world, recommendation, occurred_on=D(2024, 2, 1), implementation_status=ImplementationStatus.PARTIALLY)
    recommendation.refresh_from_db()
    assert recommendation.status == ImplementationStatus.FULLY
    assert not recommendation.is_open


def test_followup_description_is_encrypted_at_rest(world):
    from django.db import connection

    recommendation = world.recommend()
    followup = _follow_up(world, recommendation, description="Met the deputy prosecutor privately")
    with connection.cursor() as cursor:
        cursor.execute("SELECT description FROM recommendations_followup WHERE id = %s", [followup.pk])
        (stored,) = cursor.fetchone()
    assert "deputy" not in stored
    assert FollowUp.objects.get(pk=followup.pk).description == "Met the deputy prosecutor privately"


def test_followup_in_the_future_is_refused(world):
    recommendation = world.recommend()
    with pytest.raises(ValidationError) as error:
        _follow_up(world, recommendation, occurred_on=D(2999, 1, 1))
    assert "occurred_on" in error.value.message_dict


def test_followup_before_the_recommendation_was_made_is_refused(world):
    recommendation = world.recommend(made_on=D(2024, 1, 10))
    with pytest.raises(ValidationError) as error:
        _follow_up(world, recommendation, occurred_on=D(2024, 1, 9))
    assert "occurred_on" in error.value.message_dict


def test_followup_with_both_a_link_and_a_web_page_is_refused(world):
    recommendation = world.recommend()
    with pytest.raises(ValidationError) as error:
        _follow_up(world, recommendation, link=world.case, external_url="https://example.org/statement")
    assert "external_url" in error.value.message_dict


def test_followup_link_to_a_record_the_actor_cannot_see_is_refused(world):
    recommendation = world.recommend()
    hidden = world.confidential_case
    from defensor.cases.models import CaseAccess

    CaseAccess.objects.filter(case=hidden).delete()
    hidden.lead = world.user("director")
    hidden.save(update_fields=["lead"])
    with pytest.raises(ValidationError) as error:
        _follow_up(world, recommendation, link=hidden)
    assert "link_type" in error.value.message_dict


def test_followup_with_a_javascript_url_is_refused(world):
    recommendation = world.recommend()
    with pytest.raises(ValidationError) as error:
        _follow_up(world, recommendation, external_url="javascript:alert(1)")
    assert "external_url" in error.value.message_dict


def test_volunteer_may_not_follow_up(world):
    recommendation = world.recommend()
    with pytest.raises(PermissionDenied):
        services.followup_add(
            actor=world.user("volunteer"),
            recommendation=recommendation,
            occurred_on=D(2024, 2, 1),
            action="letter",
            implementation_status="unknown",
        )


def test_followup_made_outside_defensor_goes_to_the_ledger_with_the_case(world):
    recommendation = world.recommend(case=world.case)
    followup = _follow_up(world, recommendation, action="meeting")
    activity = Activity.objects.get(source_id=str(followup.pk))
    assert activity.kind == "meeting_held"
    assert ActivityLink.objects.filter(activity=activity, object_id=str(world.case.pk)).exists()


def test_followup_linking_a_record_of_defensor_writes_no_second_ledger_row(world):
    recommendation = world.recommend()
    _follow_up(world, recommendation, link=world.case)
    assert not Activity.objects.exists()


def test_followup_of_kind_other_is_not_an_intervention(world):
    recommendation = world.recommend()
    _follow_up(world, recommendation, action="other")
    assert not Activity.objects.exists()


def test_followup_is_audited_with_the_status_change(world):
    recommendation = world.recommend()
    followup = _follow_up(world, recommendation, implementation_status=ImplementationStatus.PARTIALLY)
    entry = AuditEntry.objects.get(action="recommendations.followup.added", object_id=str(followup.pk))
    assert entry.changes["status"] == {"from": "unknown", "to": "partially"}


def test_made_on_cannot_move_after_the_first_followup(world):
    recommendation = world.recommend(made_on=D(2024, 1, 10))
    _follow_up(world, recommendation, occurred_on=D(2024, 1, 20))
    with pytest.raises(ValidationError) as error:
        services.recommendation_update(
            actor=world.user("case_officer"),
            recommendation=recommendation,
            text=recommendation.text,
            addressee=recommendation.addressee,
            made_on=D(2024, 1, 25),
            due_on=D(2024, 3, 1),
            owner=recommendation.owner,
        )
    assert "made_on" in error.value.message_dict
