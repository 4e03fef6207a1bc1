"""What the shipped data files really contain: the instruments and counts the issue names."""

from __future__ import annotations

import pytest

from defensor.standards.models import Instrument, Provision, Term, Vocabulary

pytestmark = pytest.mark.usefixtures("standards_catalogue")


def codes(instrument: str, **filters: object) -> set[str]:
    return set(Provision.objects.filter(instrument__code=instrument, **filters).values_list("code", flat=True))


def test_all_eight_instruments_are_loaded():
    assert set(Instrument.objects.values_list("code", flat=True)) == {
        "BPRL",
        "ICCPR",
        "ECHR",
        "ECHR-P7",
        "CAT",
        "UNDHRD",
        "COE-R2000-21",
        "COE-LAWYERS-2025",
    }


def test_the_29_basic_principles_are_loaded():
    principles = Provision.objects.filter(instrument__code="BPRL", parent=None)
    assert principles.count() == 29
    assert sorted(int(p.number) for p in principles) == list(range(1, 30))


def test_basic_principle_16_is_split_into_a_b_c():
    assert codes("BPRL", parent__code="BPRL-16") == {"BPRL-16.a", "BPRL-16.b", "BPRL-16.c"}


def test_basic_principles_fall_under_their_eight_headings():
    bprl = Instrument.objects.get(code="BPRL")
    assert bprl.groups.count() == 8
    assert codes("BPRL", group__code="guarantees", parent=None) == {f"BPRL-{n}" for n in range(16, 23)}


def test_the_iccpr_articles_are_loaded():
    assert codes("ICCPR", parent=None) == {f"ICCPR-{n}" for n in (6, 7, 9, 10, 14, 15, 17, 19, 21, 22, 26)}


def test_iccpr_14_is_split_into_its_checkable_elements():
    assert codes("ICCPR", parent__code="ICCPR-14") == {f"ICCPR-14.{n}" for n in range(1, 8)}
    assert codes("ICCPR", parent__code="ICCPR-14.1") == {
        f"ICCPR-14.1.{e}"
        for e in (
            "equality",
            "access",
            "arms",
            "fair",
            "public",
            "public_judgment",
            "competent",
            "independent",
            "impartial",
            "by_law",
        )
    }
    assert codes("ICCPR", parent__code="ICCPR-14.3") == {f"ICCPR-14.3.{x}" for x in "abcdefg"}


def test_iccpr_9_and_15_have_their_paragraphs():
    assert codes("ICCPR", parent__code="ICCPR-9") == {f"ICCPR-9.{n}" for n in range(1, 6)}
    assert codes("ICCPR", parent__code="ICCPR-15") == {"ICCPR-15.1", "ICCPR-15.2"}


def test_the_echr_articles_and_protocol_7_are_loaded():
    assert {f"ECHR-{n}" for n in (3, 5, 6, 7, 8, 10, 11)} <= codes("ECHR", parent=None)
    assert codes("ECHR-P7") == {"ECHR-P7-2", "ECHR-P7-3", "ECHR-P7-4"}
    assert codes("ECHR", parent__code="ECHR-6.3") == {f"ECHR-6.3.{x}" for x in "abcde"}
    assert codes("ECHR", parent__code="ECHR-5.1") == {f"ECHR-5.1.{x}" for x in "abcdef"}


def test_cat_15_is_loaded():
    assert "CAT-15" in codes("CAT")


def test_the_hrd_declaration_articles_are_loaded():
    assert codes("UNDHRD", parent=None) == {f"UNDHRD-{n}" for n in (1, 5, 6, 9, 11, 12, 13, 17)}
    assert {"UNDHRD-9.3.b", "UNDHRD-9.3.c", "UNDHRD-9.4"} <= codes("UNDHRD")


def test_recommendation_r2000_21_has_principles_i_to_vi():
    assert codes("COE-R2000-21") == {f"COE-R2000-21-{n}" for n in ("I", "II", "III", "IV", "V", "VI")}


def test_the_2025_convention_is_at_chapter_level_and_marked_to_verify():
    chapters = Provision.objects.filter(instrument__code="COE-LAWYERS-2025")
    assert {p.code.removeprefix("COE-LAWYERS-2025-") for p in chapters} == {
        "scope",
        "entitlement",
        "associations",
        "rights",
        "expression",
        "discipline",
        "protection",
        "monitoring",
    }
    assert all(p.kind == "chapter" and p.to_verify and p.verify_note_en and p.verify_note_ru for p in chapters)
    assert Instrument.objects.get(code="COE-LAWYERS-2025").to_verify is True


def test_the_derived_48_hour_item_is_marked_to_verify():
    item = Provision.objects.get(code="ICCPR-9.3.prompt_48h")
    assert item.to_verify is True
    assert "General Comment 35" in item.verify_note_en


def test_every_provision_has_both_languages():
    for provision in Provision.objects.all():
        assert provision.title_en and provision.title_ru, provision.code
        assert provision.paraphrase_en and provision.paraphrase_ru, provision.code


def test_russian_texts_are_in_russian():
    assert all(any("а" <= ch <= "я" for ch in p.paraphrase_ru.lower()) for p in Provision.objects.all())


def test_the_required_vocabularies_are_loaded():
    assert {
        "reprisal_type",
        "perpetrator_type",
        "handling_status",
        "proceeding_stage",
        "risk_level",
        "source_reliability",
    } <= set(Vocabulary.objects.values_list("code", flat=True))


def test_reprisal_types_are_hierarchical_under_rep_categories():
    categories = set(Term.objects.filter(vocabulary__code="reprisal_type", parent=None).values_list("code", flat=True))
    expected = ("prof", "jud", "lib", "phys", "threat", "priv", "obst", "move", "econ", "other")
    assert categories == {f"rep.{c}" for c in expected}
    assert Term.objects.filter(code__startswith="rep.", parent__isnull=False).count() >= 45


def test_every_term_has_both_labels():
    assert not Term.objects.filter(label_en="").exists()
    assert not Term.objects.filter(label_ru="").exists()
