from __future__ import annotations

import pytest

from defensor.standards.loader import LoadReport, load


@pytest.fixture
def standards_catalogue(db: None) -> LoadReport:
    """The shipped catalogue, loaded from the data files (the suite runs without migrations)."""
    return load()
