"""The demo builder: people and institutions from the seeds, and nothing new on a second run."""

from __future__ import annotations

import pytest

from defensor.accounts import demo as accounts_demo
from defensor.core.management.commands.demo import Demo
from defensor.directory import demo as directory_demo
from defensor.directory.models import Affiliation, Consent, ContactChannel, Institution, NameKey, Person
from defensor.directory.selectors import office_holder

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    models = (Person, Institution, Affiliation, Consent, ContactChannel, NameKey)
    return {model.__name__: model.objects.count() for model in models}


def _build() -> Demo:
    demo = Demo()
    accounts_demo.build(demo)
    directory_demo.build(demo)
    return demo


def test_demo_builds_people_and_institutions_under_stable_keys():
    demo = _build()
    matalaev = demo.objects["person:matalaev"]
    assert matalaev.name_latin == "Gaspar Matalaev"
    assert demo.objects["institution:wgad"].parent == demo.objects["institution:ohchr"]
    assert demo.objects["institution:pg-turkmenistan"].salutation("ru").startswith("Уважаемый")
    assert office_holder(demo.objects["institution:almaty-bar"], "Member").person == demo.objects["person:temirova"]


def test_demo_keeps_a_withdrawn_consent():
    demo = _build()
    dolgov = demo.objects["person:dolgov"]
    assert Consent.objects.filter(person=dolgov, withdrawn_on__isnull=False).count() == 1
    assert not dolgov.has_consent("publish_name")
    assert dolgov.has_consent("store")


def test_running_the_demo_twice_creates_nothing_new():
    _build()
    first = _counts()
    _build()
    assert _counts() == first
    assert first["Person"] == len(directory_demo.PEOPLE)
    assert first["Institution"] == len(directory_demo.INSTITUTIONS)
