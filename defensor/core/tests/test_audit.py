"""The hash-chained audit log: it links, verifies, catches tampering, keeps secrets out; its page."""

from __future__ import annotations

import csv
import datetime
import io
import itertools

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from defensor.accounts.models import Role
from defensor.accounts.services import invitation_accept, invitation_create
from defensor.core import audit, context
from defensor.core.audit import GENESIS, audit_record, changed_fields, entry_digest
from defensor.core.models import AuditEntry, AuditHead
from defensor.core.testing import PASSWORD, assert_persona_matrix, make_member, sign_in

pytestmark = pytest.mark.django_db

CLOSED_TO_PERSONAS = {"anonymous": 302, "outsider": 403, "volunteer": 403, "case_officer": 403, "director": 403}


def _write(count: int = 5) -> list[AuditEntry]:
    """A fresh chain of `count` entries (the table is empty in each test)."""
    return [audit_record(actor=None, action=f"test.entry.{n}", changes={"n": n}) for n in range(1, count + 1)]


def _problems() -> str:
    return "\n".join(audit.verify().problems)


def _renumber(old: int, new: int) -> None:
    AuditEntry.objects.filter(seq=old).update(seq=new)


# --- the chain --------------------------------------------------------------------------------


def test_first_entry_follows_the_genesis_hash():
    first = _write(1)[0]
    assert first.seq == 1
    assert first.prev_hash == GENESIS


def test_each_entry_links_to_the_hash_of_the_one_before():
    entries = _write(4)
    for before, after in itertools.pairwise(entries):
        assert after.seq == before.seq + 1
        assert after.prev_hash == before.entry_hash


def test_head_holds_the_last_link():
    entries = _write(3)
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.entry_hash) == (3, entries[-1].entry_hash)


def test_verify_accepts_an_intact_chain():
    _write(5)
    result = audit.verify()
    assert result.ok, result.problems
    assert result.checked == 5


def test_verify_accepts_an_empty_log():
    assert audit.verify().ok


def test_entry_hash_covers_what_is_stored():
    _write(2)
    stored = AuditEntry.objects.get(seq=2)
    assert stored.entry_hash == audit._digest_of(stored)


def test_entry_from_a_request_with_an_ipv6_address_verifies():
    # The database stores IPv6 addresses in canonical form: the hash must cover that form.
    token = context.activate(
        context.RequestContext(request_id="r-1", ip_address="2001:0DB8:0000:0000:0000:0000:0000:0001")
    )
    try:
        audit_record(actor=None, action="test.ipv6")
    finally:
        context.deactivate(token)
    assert audit.verify().ok, _problems()


def test_audit_records_the_address_the_proxy_saw_not_the_one_the_client_claims(settings, personas):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = personas.client("director")
    client.post(reverse("accounts:language"), {"language": "ru"}, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    entry = AuditEntry.objects.get(action="accounts.user.profile_updated")
    assert entry.ip_address == "203.0.113.7"


def test_audit_ignores_a_forwarded_address_that_is_not_an_address(settings, personas):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = personas.client("director")
    response = client.post(reverse("accounts:language"), {"language": "ru"}, HTTP_X_FORWARDED_FOR="not-an-address")
    assert response.status_code == 302
    assert AuditEntry.objects.get(action="accounts.user.profile_updated").ip_address is None
    assert audit.verify().ok, _problems()


def test_entry_with_unicode_and_nested_changes_verifies():
    audit_record(actor=None, action="test.unicode", changes={"name": {"from": "Ирина", "to": "İpek"}, "n": [1, 2.5]})
    assert audit.verify().ok, _problems()


# --- tampering ----------------------------------------------------------------------------------


def test_verify_detects_an_entry_edited_through_the_orm():
    _write(5)
    AuditEntry.objects.filter(seq=3).update(action="test.innocent")
    assert "entry #3 was altered" in _problems()


def test_verify_detects_an_entry_edited_with_raw_sql():
    _write(5)
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET actor_label = %s WHERE seq = %s", ["someone-else@example.org", 2])  # noqa: S608
    assert "entry #2 was altered" in _problems()


def test_verify_detects_changes_rewritten_in_the_json():
    _write(5)
    AuditEntry.objects.filter(seq=4).update(changes={"n": 40})
    assert "entry #4 was altered" in _problems()


def test_verify_detects_an_entry_whose_hash_was_recomputed():
    # An editor who knows the algorithm fixes the entry's own hash: the next link breaks.
    _write(5)
    entry = AuditEntry.objects.get(seq=2)
    entry.action = "test.innocent"
    AuditEntry.objects.filter(seq=2).update(action=entry.action, entry_hash=audit._digest_of(entry))
    assert "entry #3 does not follow the entry before it" in _problems()


def test_verify_detects_a_deleted_entry_in_the_middle():
    _write(5)
    AuditEntry.objects.filter(seq=3).delete()
    problems = _problems()
    assert "entry #3 is missing" in problems
    assert "entry #4 does not follow" in problems


def test_verify_detects_a_reordered_pair():
    _write(5)
    _renumber(2, 1000)
    _renumber(3, 2)
    _renumber(1000, 3)
    problems = _problems()
    assert "entry #2 does not follow" in problems
    assert "entry #2 was altered" in problems


def test_verify_detects_a_truncated_tail():
    _write(5)
    AuditEntry.objects.filter(seq__gte=4).delete()
    assert "the chain ends at #3 but its head says #5" in _problems()


def test_verify_detects_a_forged_entry_inserted_in_the_middle():
    _write(5)
    for seq in (5, 4, 3):
        _renumber(seq, seq + 1)
    before = AuditEntry.objects.get(seq=2)
    forged = _forged_entry(seq=3, prev_hash=before.entry_hash)
    AuditEntry.objects.bulk_create([forged])
    problems = _problems()
    assert "entry #4 was altered" in problems
    assert "entry #4 does not follow" in problems


def test_verify_detects_a_forged_entry_appended_past_the_head():
    _write(3)
    last = AuditEntry.objects.get(seq=3)
    AuditEntry.objects.bulk_create([_forged_entry(seq=4, prev_hash=last.entry_hash)])
    assert "head says #3" in _problems()


def test_verify_with_the_head_kept_elsewhere_detects_a_forged_tail_and_head():
    # The database alone cannot catch a forger who also moves the head; the head hash
    # an operator wrote down earlier can.
    _write(3)
    recorded_head = audit.verify().head_hash
    last = AuditEntry.objects.get(seq=3)
    forged = _forged_entry(seq=4, prev_hash=last.entry_hash)
    AuditEntry.objects.bulk_create([forged])
    AuditHead.objects.filter(pk=1).update(seq=4, entry_hash=forged.entry_hash)
    assert audit.verify().ok, "the forgery is consistent inside the database"
    result = audit.verify(expect_head=recorded_head)
    assert "the chain head differs from the one recorded outside the database" in result.problems


def _forged_entry(*, seq: int, prev_hash: str) -> AuditEntry:
    created_at = timezone.now()
    fields = {
        "seq": seq,
        "organisation_id": None,
        "actor_id": None,
        "actor_label": "system",
        "action": "test.forged",
        "object_type": "",
        "object_id": "",
        "changes": {},
        "request_id": "",
        "ip_address": None,
        "prev_hash": prev_hash,
    }
    digest = entry_digest(created_at=created_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"), **fields)
    return AuditEntry(created_at=created_at, entry_hash=digest, **fields)


# --- append-only ---------------------------------------------------------------------------------


def test_saving_an_existing_entry_is_refused():
    entry = _write(1)[0]
    entry.action = "test.changed"
    with pytest.raises(PermissionError):
        entry.save()
    assert AuditEntry.objects.get(seq=1).action == "test.entry.1"


def test_saving_a_reloaded_entry_is_refused():
    _write(1)
    entry = AuditEntry.objects.get(seq=1)
    with pytest.raises(PermissionError):
        entry.save(update_fields=["action"])


def test_deleting_an_entry_is_refused():
    entry = _write(1)[0]
    with pytest.raises(PermissionError):
        entry.delete()
    assert AuditEntry.objects.filter(seq=1).exists()


# --- the command --------------------------------------------------------------------------------


def test_verify_command_reports_an_intact_chain():
    _write(3)
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "audit chain intact: 3 entries" in out.getvalue()


def test_verify_command_fails_on_a_broken_chain():
    _write(3)
    AuditEntry.objects.filter(seq=2).update(action="test.innocent")
    err = io.StringIO()
    with pytest.raises(CommandError, match="audit chain is broken"):
        call_command("audit", "verify", stderr=err)
    assert "entry #2 was altered" in err.getvalue()


def test_verify_command_checks_the_head_recorded_elsewhere():
    _write(3)
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--expect-head", "0" * 64, stderr=io.StringIO())


# --- secrets --------------------------------------------------------------------------------------


def test_changed_fields_records_only_that_a_secret_changed():
    summary = changed_fields(
        {"notes": "the safe house is on Lenin street", "status": "open"},
        {"notes": "moved to the north", "status": "closed"},
        secret=["notes"],
    )
    assert summary == {"notes": "changed", "status": {"from": "open", "to": "closed"}}


def test_changed_fields_leaves_out_unchanged_secrets():
    assert changed_fields({"notes": "same"}, {"notes": "same"}, secret=["notes"]) == {}


def test_secret_value_never_reaches_the_audit_table():
    secret = "the safe house is on Lenin street 12"
    audit_record(
        actor=None, action="test.secret", changes=changed_fields({"notes": ""}, {"notes": secret}, secret=["notes"])
    )
    stored = AuditEntry.objects.get(action="test.secret")
    assert stored.changes == {"notes": "changed"}
    assert not AuditEntry.objects.filter(changes__icontains="Lenin").exists()


def test_invitation_token_and_password_never_reach_the_audit_log(personas):
    role = Role.objects.get(organisation=personas.organisation, code="volunteer")
    _invitation, token = invitation_create(
        actor=personas.users["director"], organisation=personas.organisation, email="new@ji.test", role=role
    )
    password = "a long and private passphrase 7"
    invitation_accept(token=token, full_name="New Volunteer", password=password)
    logged = " ".join(str(row) for row in AuditEntry.objects.values_list("changes", "object_id", "actor_label"))
    assert "accounts.invitation.accepted" in set(AuditEntry.objects.values_list("action", flat=True))
    assert token not in logged
    assert password not in logged


# --- the administrator's audit page -------------------------------------------------------------


@pytest.fixture
def administrator(personas):
    return make_member(personas.organisation, "administrator")


def test_audit_page_persona_matrix(personas):
    assert_persona_matrix(personas, reverse("core:audit"), CLOSED_TO_PERSONAS)


def test_audit_export_persona_matrix(personas):
    assert_persona_matrix(personas, reverse("core:audit_export"), CLOSED_TO_PERSONAS)


def test_administrator_opens_the_audit_page(administrator):
    response = sign_in(Client(), administrator).get(reverse("core:audit"))
    assert response.status_code == 200
    assert "accounts.membership.created" in response.content.decode()


def test_audit_page_shows_only_the_administrators_organisation(personas, administrator):
    audit_record(actor=None, action="test.elsewhere", organisation=personas.other_organisation)
    audit_record(actor=None, action="test.here", organisation=personas.organisation)
    page = sign_in(Client(), administrator).get(reverse("core:audit")).content.decode()
    assert "test.here" in page
    assert "test.elsewhere" not in page


def test_audit_page_filters_by_action(personas, administrator):
    audit_record(actor=None, action="test.wanted", organisation=personas.organisation)
    audit_record(actor=None, action="test.other", organisation=personas.organisation)
    page = sign_in(Client(), administrator).get(reverse("core:audit"), {"action": "test.want"}).content.decode()
    assert "test.wanted" in page
    assert "test.other" not in page


def test_audit_page_filters_by_actor(personas, administrator):
    audit_record(actor=personas.users["volunteer"], action="test.by_volunteer", organisation=personas.organisation)
    audit_record(actor=personas.users["director"], action="test.by_director", organisation=personas.organisation)
    page = sign_in(Client(), administrator).get(reverse("core:audit"), {"actor": "volunteer@"}).content.decode()
    assert "test.by_volunteer" in page
    assert "test.by_director" not in page


def test_audit_page_filters_by_dates(personas, administrator):
    with time_machine.travel(datetime.datetime(2024, 3, 10, 12, tzinfo=datetime.UTC), tick=False):
        audit_record(actor=None, action="test.march", organisation=personas.organisation)
    with time_machine.travel(datetime.datetime(2024, 5, 10, 12, tzinfo=datetime.UTC), tick=False):
        audit_record(actor=None, action="test.may", organisation=personas.organisation)
    page = (
        sign_in(Client(), administrator)
        .get(reverse("core:audit"), {"date_from": "2024-03-01", "date_to": "2024-03-31"})
        .content.decode()
    )
    assert "test.march" in page
    assert "test.may" not in page


def _reauthenticated(user) -> Client:  # type: ignore[no-untyped-def]
    client = sign_in(Client(), user)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, "re-authentication failed"
    return client


def _export(client: Client, **query: str):  # type: ignore[no-untyped-def]
    response = client.get(reverse("core:audit_export"), query)
    body = b"".join(response.streaming_content).decode() if response.status_code == 200 else ""
    return response, body


def test_export_gives_the_filtered_entries_as_csv(personas, administrator):
    audit_record(actor=None, action="test.wanted", organisation=personas.organisation)
    audit_record(actor=None, action="test.other", organisation=personas.organisation)
    response, body = _export(_reauthenticated(administrator), action="test.want")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [row["action"] for row in rows] == ["test.wanted"]


def test_export_is_itself_audited(personas, administrator):
    response, _body = _export(_reauthenticated(administrator), action="test.")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="core.audit.exported")
    assert entry.actor_id == administrator.pk
    assert entry.organisation_id == personas.organisation.pk
    assert entry.changes == {"filters": {"action": "test."}}
    assert audit.verify().ok


def test_export_needs_re_authentication_even_just_after_sign_in(administrator):
    response, _body = _export(sign_in(Client(), administrator))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not AuditEntry.objects.filter(action="core.audit.exported").exists()


def test_export_needs_re_authentication_again_after_five_minutes(administrator):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = _reauthenticated(administrator)
    with time_machine.travel(start + datetime.timedelta(minutes=6), tick=False):
        response, _body = _export(client)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not AuditEntry.objects.filter(action="core.audit.exported").exists()
