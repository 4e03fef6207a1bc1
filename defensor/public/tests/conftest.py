from __future__ import annotations

import pytest

from defensor.campaigns.models import Campaign
from defensor.core.testing import Personas
from defensor.public.testing import make_campaign


@pytest.fixture
def campaign(personas: Personas) -> Campaign:
    return make_campaign(personas.organisation, personas.users["director"])


@pytest.fixture
def committed(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Run what a request queues after commit (the tests' transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
