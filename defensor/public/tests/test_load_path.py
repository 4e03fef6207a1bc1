"""What keeps a sign-on cheap under load: one short transaction, nothing read, a small answer."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from defensor.campaigns.models import Campaign, Signature
from defensor.public import services
from defensor.public.testing import signon_data

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT")


def _post(campaign: Campaign, client: Client | None = None, **overrides: Any) -> Any:
    return (client or Client()).post(f"/act/{campaign.slug}/", signon_data(campaign, **overrides))


def _statements(queries: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in queries.captured_queries if not query["sql"].startswith(SAVEPOINTS)]


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_sign_on_inserts_three_rows_and_reads_nothing(campaign: Campaign) -> None:
    _post(campaign, email="first@example.org")  # the process now remembers the campaign
    with CaptureQueriesContext(connection) as queries:
        response = _post(campaign)
    assert b'data-testid="check-email"' in response.content
    statements = _statements(queries)
    assert len(statements) == 3
    assert all(sql.startswith("INSERT") for sql in statements)
    tables = " ".join(statements)
    for table in ("public_usedchallenge", "campaigns_signature", "dbtaskresult"):
        assert table in tables
    assert len(queries.captured_queries) <= 7


@override_settings(TASKS=DATABASE_QUEUE)
def test_the_email_is_queued_in_the_signatures_own_transaction(
    campaign: Campaign, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        _post(campaign)
    signature = Signature.objects.get()
    task = DBTaskResult.objects.get()
    assert task.task_path == "defensor.public.tasks.send_signature_confirmation"
    assert task.args_kwargs["args"][0] == signature.pk
    assert callbacks == []


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_replayed_proof_queues_no_email(campaign: Campaign) -> None:
    payload = signon_data(campaign)["altcha"]
    _post(campaign, altcha=payload)
    response = _post(campaign, altcha=payload, email="someone.else@example.org")
    assert response.status_code == 400
    assert Signature.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


def test_the_answer_sets_no_cookie_and_runs_no_script(campaign: Campaign) -> None:
    response = _post(campaign)
    assert b'data-testid="check-email"' in response.content
    assert not response.cookies
    assert b"<script" not in response.content
    assert b"<form" not in response.content


def test_the_answer_is_in_the_signers_language(campaign: Campaign) -> None:
    english = _post(campaign, email="en@example.org")
    russian = Client().post(
        f"/act/{campaign.slug}/", signon_data(campaign, email="ru@example.org"), HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert b'<html lang="en"' in english.content
    assert b'<html lang="ru"' in russian.content
    assert "Свободу защитнику".encode() in russian.content


def test_the_embedded_answer_has_no_site_chrome(campaign: Campaign) -> None:
    response = Client().post(f"/act/{campaign.slug}/embed/", signon_data(campaign))
    assert b'data-testid="check-email"' in response.content
    assert b"public-header" not in response.content
    assert b"frame-ancestors 'none'" in response["Content-Security-Policy"].encode()


def test_a_campaign_taken_off_the_public_site_is_gone_at_once(campaign: Campaign) -> None:
    assert Client().get(f"/act/{campaign.slug}/").status_code == 200  # now remembered
    campaign.public_page = False
    campaign.save()
    assert Client().get(f"/act/{campaign.slug}/").status_code == 404
    assert _post(campaign).status_code == 404


def test_a_paused_campaign_stops_taking_signatures_at_once(campaign: Campaign) -> None:
    assert _post(campaign, email="first@example.org").status_code == 200
    campaign.status = Campaign.Status.PAUSED
    campaign.save()
    assert _post(campaign).status_code == 409
    assert Signature.objects.count() == 1


def test_the_writers_lock_sits_next_to_a_sqlite_file_only() -> None:
    sqlite = "django.db.backends.sqlite3"
    assert services.writers_lock_path({"ENGINE": sqlite, "NAME": "/srv/defensor/db.sqlite3"}) == (
        "/srv/defensor/db.sqlite3-signon.lock"
    )
    assert services.writers_lock_path({"ENGINE": sqlite, "NAME": ":memory:"}) is None
    assert services.writers_lock_path({"ENGINE": "django.db.backends.postgresql", "NAME": "defensor"}) is None


@pytest.mark.django_db(transaction=True)
def test_sign_ons_take_the_writers_lock_and_release_it(
    campaign: Campaign, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = tmp_path / "db.sqlite3-signon.lock"
    monkeypatch.setattr(services, "writers_lock_path", lambda database: str(lock))
    monkeypatch.setattr(services, "_writers_lock", {})
    taken: list[bool] = []
    store = services.signature_store

    def store_and_probe(prepared: Any) -> Any:
        probe = os.open(lock, os.O_RDWR)
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            taken.append(True)
        else:
            taken.append(False)
        finally:
            os.close(probe)
        return store(prepared)

    monkeypatch.setattr(services, "signature_store", store_and_probe)
    assert b'data-testid="check-email"' in _post(campaign).content
    assert taken == [True]
    probe = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released: does not raise
    finally:
        os.close(probe)
    assert Signature.objects.count() == 1
