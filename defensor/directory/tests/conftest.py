from __future__ import annotations

from typing import Any

import pytest

from defensor.core.models import Sensitivity
from defensor.core.testing import Personas
from defensor.directory.models import Institution, InstitutionKind, Person
from defensor.directory.services import institution_create, person_create


@pytest.fixture
def director(personas: Personas) -> Any:
    return personas.users["director"]


@pytest.fixture
def make_person(personas: Personas, director: Any):  # type: ignore[no-untyped-def]
    def make(name: str = "Гаспар Маталаев", **kwargs: Any) -> Person:
        kwargs.setdefault("organisation", personas.organisation)
        return person_create(actor=kwargs.pop("actor", director), name=name, **kwargs)

    return make


@pytest.fixture
def make_institution(personas: Personas, director: Any):  # type: ignore[no-untyped-def]
    def make(name: str = "Генеральная прокуратура Туркменистана", **kwargs: Any) -> Institution:
        kwargs.setdefault("organisation", personas.organisation)
        kwargs.setdefault("kind", InstitutionKind.PROSECUTOR)
        return institution_create(actor=kwargs.pop("actor", director), name=name, **kwargs)

    return make


@pytest.fixture
def internal_person(make_person):  # type: ignore[no-untyped-def]
    return make_person("Гаспар Маталаев", name_latin="Gaspar Matalaev", nationality="TM")


@pytest.fixture
def confidential_person(make_person):  # type: ignore[no-untyped-def]
    return make_person(
        "Арсений Долгов",
        name_latin="Arseny Dolgov",
        sensitivity=Sensitivity.CONFIDENTIAL,
        birth_date="1979-03",
        security_notes="Never call the office line.",
    )


@pytest.fixture
def institution(make_institution):  # type: ignore[no-untyped-def]
    return make_institution(
        name_latin="Prosecutor General's Office of Turkmenistan",
        country="TM",
        salutations={"en": "Dear Prosecutor General,", "ru": "Уважаемый Генеральный прокурор!"},
    )
