"""Contact channels: encrypted, found by exact email through a blind index, removed by archiving."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from defensor.core.models import AuditEntry
from defensor.core.testing import make_member
from defensor.directory.models import ContactChannel, ContactKind, Messenger
from defensor.directory.selectors import people_with_email, person_contacts
from defensor.directory.services import contact_add, contact_remove, email_index


def test_contact_value_is_encrypted_in_the_database(director, internal_person):
    contact = contact_add(actor=director, person=internal_person, kind=ContactKind.PHONE, value="+993 12 345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM directory_contactchannel WHERE id = %s", [contact.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("dfe1:") and "345678" not in raw
    assert ContactChannel.objects.get(pk=contact.pk).value == "+993 12 345678"


def test_email_gets_a_blind_index_and_is_found_by_exact_address(personas, director, internal_person, make_person):
    make_person("Deniz Arslan")
    contact = contact_add(
        actor=director, person=internal_person, kind=ContactKind.EMAIL, value=" G.Matalaev@Example.org "
    )
    assert contact.value == "g.matalaev@example.org"
    assert len(contact.email_index) == 64 and "matalaev" not in contact.email_index
    found = people_with_email(user=director, organisation=personas.organisation, email="g.matalaev@EXAMPLE.org")
    assert list(found) == [internal_person]
    assert not people_with_email(user=director, organisation=personas.organisation, email="other@example.org").exists()


def test_blind_index_differs_between_organisations(personas):
    address = "someone@example.org"
    ours = email_index(address, organisation_id=personas.organisation.pk)
    theirs = email_index(address, organisation_id=personas.other_organisation.pk)
    assert ours != theirs


def test_email_lookup_is_closed_to_members_without_confidential_access(personas, director, internal_person):
    contact_add(actor=director, person=internal_person, kind=ContactKind.EMAIL, value="g@example.org")
    volunteer = personas.users["volunteer"]
    assert not people_with_email(user=volunteer, organisation=personas.organisation, email="g@example.org").exists()


def test_phone_contacts_have_no_blind_index(director, internal_person):
    contact = contact_add(actor=director, person=internal_person, kind=ContactKind.PHONE, value="+7 701 000 0000")
    assert contact.email_index == ""


def test_an_invalid_email_is_refused_with_a_message(director, internal_person):
    with pytest.raises(ValidationError) as caught:
        contact_add(actor=director, person=internal_person, kind=ContactKind.EMAIL, value="not an address")
    assert "value" in caught.value.message_dict


def test_an_invalid_phone_is_refused(director, internal_person):
    with pytest.raises(ValidationError):
        contact_add(actor=director, person=internal_person, kind=ContactKind.PHONE, value="call me")


def test_a_messenger_handle_needs_its_app(director, internal_person):
    with pytest.raises(ValidationError) as caught:
        contact_add(actor=director, person=internal_person, kind=ContactKind.MESSENGER, value="@gaspar")
    assert "messenger" in caught.value.message_dict
    contact = contact_add(
        actor=director, person=internal_person, kind=ContactKind.MESSENGER, messenger=Messenger.SIGNAL, value="@gaspar"
    )
    assert contact.get_messenger_display() == "Signal"


def test_adding_a_contact_needs_confidential_access(personas, internal_person):
    staff = make_member(personas.organisation, "programme_staff")
    with pytest.raises(PermissionDenied):
        contact_add(actor=staff, person=internal_person, kind=ContactKind.PHONE, value="+993 12 345678")


def test_contacts_are_hidden_from_a_volunteer(personas, director, internal_person):
    contact_add(actor=director, person=internal_person, kind=ContactKind.PHONE, value="+993 12 345678")
    assert person_contacts(user=personas.users["volunteer"], person=internal_person) == []
    assert len(person_contacts(user=personas.users["case_officer"], person=internal_person)) == 1


def test_removing_a_contact_archives_it_and_audits_without_the_value(director, internal_person):
    contact = contact_add(actor=director, person=internal_person, kind=ContactKind.PHONE, value="+993 12 345678")
    contact_remove(actor=director, contact=contact)
    assert ContactChannel.objects.filter(pk=contact.pk).exists()
    assert person_contacts(user=director, person=internal_person) == []
    assert len(person_contacts(user=director, person=internal_person, include_archived=True)) == 1
    entry = AuditEntry.objects.get(action="directory.contact.removed", object_id=str(contact.pk))
    assert entry.changes == {"person": internal_person.pk, "kind": "phone"}
    added = AuditEntry.objects.get(action="directory.contact.added", object_id=str(contact.pk))
    assert "345678" not in str(added.changes)


def test_a_removed_email_is_no_longer_found(personas, director, internal_person):
    contact = contact_add(actor=director, person=internal_person, kind=ContactKind.EMAIL, value="g@example.org")
    contact_remove(actor=director, contact=contact)
    assert not people_with_email(user=director, organisation=personas.organisation, email="g@example.org").exists()
