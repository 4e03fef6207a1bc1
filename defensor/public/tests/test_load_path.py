"""What keeps a sign-on cheap under load: one short transaction, nothing read, a small answer."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from defensor.campaigns.models import Campaign, Signature
from defensor.campaigns.signatures import email_links_split
from defensor.public import mail, services
from defensor.public.testing import signon_data

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT")


def _post(campaign: Campaign, client: Client | None = None, **overrides: Any) -> Any:
    return (client or Client()).post(f"/act/{campaign.slug}/", signon_data(campaign, **overrides))


def _statements(queries: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in queries.captured_queries if not query["sql"].startswith(SAVEPOINTS)]


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_sign_on_looks_up_its_proof_and_inserts_one_row(campaign: Campaign, monkeypatch: pytest.MonkeyPatch) -> None:
    _post(campaign, email="first@example.org")  # the process now remembers the campaign
    monkeypatch.setattr(mail, "_wake_until", time.time() + 60)  # a mailer run is already queued
    with CaptureQueriesContext(connection) as queries:
        response = _post(campaign)
    assert b'data-testid="check-email"' in response.content
    statements = _statements(queries)
    assert len(statements) == 2
    assert statements[0].startswith('SELECT 1 FROM "public_usedchallenge"')
    assert statements[1].startswith("INSERT")
    assert "campaigns_signature" in statements[1]
    assert len(queries.captured_queries) <= 6


@override_settings(TASKS=DATABASE_QUEUE)
def test_the_signature_row_carries_its_email_and_the_mailer_is_queued_in_the_same_transaction(
    campaign: Campaign, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mail, "_wake_until", 0.0)
    with django_capture_on_commit_callbacks() as callbacks:
        _post(campaign)
    signature = Signature.objects.get()
    assert signature.email_due_at is not None
    assert email_links_split(signature.email_links) is not None
    task = DBTaskResult.objects.get()  # written before the commit, not by an after-commit callback
    assert task.task_path == "defensor.public.tasks.send_confirmations"
    assert task.run_after is not None
    assert task.run_after > signature.created_at
    assert len(callbacks) == 1  # it only notes, after commit, that a run is queued


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_burst_of_sign_ons_queues_one_mailer_run(
    campaign: Campaign, committed: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mail, "_wake_until", 0.0)
    for n in range(3):
        with committed():
            _post(campaign, email=f"signer{n}@example.org")
    assert Signature.objects.count() == 3
    assert DBTaskResult.objects.count() == 1


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_sign_on_after_the_queued_run_has_started_queues_another(
    campaign: Campaign, committed: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mail, "_wake_until", time.time() + mail.WAKE_MARGIN / 2)
    with committed():
        _post(campaign)
    assert DBTaskResult.objects.count() == 1


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_replayed_proof_queues_no_email(campaign: Campaign, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mail, "_wake_until", 0.0)
    payload = signon_data(campaign)["altcha"]
    _post(campaign, altcha=payload)
    response = _post(campaign, altcha=payload, email="someone.else@example.org")
    assert response.status_code == 400
    assert Signature.objects.count() == 1
    assert Signature.objects.filter(email_due_at__isnull=False).count() == 1
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


@pytest.fixture
def writers_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Sign-ons queue on this file, whatever the database (as on a SQLite file)."""
    lock = tmp_path / "db.sqlite3-signon.lock"
    monkeypatch.setattr(services, "writers_lock_path", lambda database: str(lock))
    monkeypatch.setattr(services, "_writers_lock", {})
    return lock


def _lock_is_free(lock: Path) -> bool:
    probe = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        return True
    finally:
        os.close(probe)


@pytest.mark.django_db(transaction=True)
def test_sign_ons_take_the_writers_lock_and_release_it(
    campaign: Campaign, writers_lock: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken: list[bool] = []
    store = services.signature_store

    def store_and_probe(prepared: Any) -> Any:
        taken.append(not _lock_is_free(writers_lock))
        return store(prepared)

    monkeypatch.setattr(services, "signature_store", store_and_probe)
    assert b'data-testid="check-email"' in _post(campaign).content
    assert taken == [True]
    assert _lock_is_free(writers_lock)
    assert Signature.objects.count() == 1


def test_the_public_pages_pass_by_sessions_authentication_and_messages(campaign: Campaign) -> None:
    for response in (Client().get(f"/act/{campaign.slug}/"), _post(campaign)):
        request = response.wsgi_request
        assert response.status_code == 200
        assert not hasattr(request, "session")
        assert not hasattr(request, "user")
        assert not hasattr(request, "_messages")


def test_the_back_office_still_has_them(campaign: Campaign) -> None:
    request = Client().get("/app/").wsgi_request
    assert hasattr(request, "session")
    assert hasattr(request, "user")
    assert hasattr(request, "_messages")


@pytest.mark.django_db(transaction=True)
def test_the_write_ahead_log_is_checkpointed_after_the_writers_lock_is_released(
    campaign: Campaign, writers_lock: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "CHECKPOINT_EVERY", 2)
    monkeypatch.setattr(services, "_since_checkpoint", 0)
    checkpoints: list[bool] = []  # per checkpoint: whether the writers' lock was free

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if "wal_checkpoint" in sql:
            checkpoints.append(_lock_is_free(writers_lock))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        for n in range(5):
            assert _post(campaign, email=f"signer{n}@example.org").status_code == 200
    # Every second sign-on on SQLite, with the lock free; never on another database.
    assert checkpoints == ([True, True] if connection.vendor == "sqlite" else [])
    assert Signature.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_failed_checkpoint_is_logged_and_does_not_undo_the_sign_on(
    campaign: Campaign, writers_lock: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(services, "CHECKPOINT_EVERY", 1)
    tried: list[str] = []

    def refuse(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if "wal_checkpoint" in sql:
            tried.append(sql)
            raise OperationalError("disk I/O error")
        return execute(sql, params, many, context)

    with caplog.at_level("WARNING", logger="defensor.public.services"), connection.execute_wrapper(refuse):
        response = _post(campaign)
    assert b'data-testid="check-email"' in response.content
    assert Signature.objects.count() == 1
    # On SQLite the checkpoint was tried, failed and logged; PostgreSQL has none to try.
    expected = 1 if connection.vendor == "sqlite" else 0
    assert len(tried) == expected
    assert sum("checkpoint failed" in record.getMessage() for record in caplog.records) == expected
