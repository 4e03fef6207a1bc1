from __future__ import annotations

import pytest
from django.utils import translation

from defensor.standards.models import Provision

pytestmark = pytest.mark.usefixtures("standards_catalogue")


def test_title_and_paraphrase_follow_the_active_language():
    provision = Provision.objects.get(code="BPRL-18")
    with translation.override("ru"):
        assert provision.title == "Юрист не отождествляется с клиентом"
        assert provision.paraphrase == provision.paraphrase_ru
    with translation.override("en"):
        assert provision.title == "Lawyers are not their clients"


def test_a_language_the_catalogue_lacks_falls_back_to_english():
    provision = Provision.objects.get(code="BPRL-18")
    with translation.override("tr"):
        assert provision.title == "Lawyers are not their clients"


def test_an_empty_russian_text_falls_back_to_english():
    provision = Provision.objects.get(code="BPRL-18")
    provision.title_ru = ""
    with translation.override("ru"):
        assert provision.title == "Lawyers are not their clients"


def test_label_cites_the_number_the_way_the_instrument_numbers_it():
    with translation.override("en"):
        assert Provision.objects.select_related("instrument").get(code="ICCPR-14.3.b").label == "Article 14(3)(b)"
        assert Provision.objects.get(code="BPRL-16.a").label == "Principle 16(a)"
        assert Provision.objects.get(code="COE-R2000-21-IV").label == "Principle IV"


def test_label_of_an_unnumbered_chapter_is_its_title():
    with translation.override("en"):
        assert Provision.objects.get(code="COE-LAWYERS-2025-protection").label == "Protective measures"
