from __future__ import annotations

import pytest
from django.utils import translation

from defensor.standards import selectors
from defensor.standards.models import Instrument, Provision, Term

pytestmark = pytest.mark.usefixtures("standards_catalogue")


def test_instrument_list_counts_active_provisions_and_items_to_verify():
    Provision.objects.filter(code="CAT-16").update(active=False)
    counts = {i.code: (i.provision_count, i.to_verify_count) for i in selectors.instrument_list()}
    assert counts["CAT"] == (2, 0)
    assert counts["COE-LAWYERS-2025"] == (8, 8)
    assert counts["BPRL"] == (32, 0)


def test_instrument_list_leaves_out_inactive_instruments():
    Instrument.objects.filter(code="CAT").update(active=False)
    assert "CAT" not in [i.code for i in selectors.instrument_list()]


def test_instrument_get_returns_none_for_an_unknown_code():
    assert selectors.instrument_get("NOPE") is None
    assert selectors.instrument_get("ECHR").code == "ECHR"


def test_provision_get_returns_an_inactive_provision_too():
    Provision.objects.filter(code="BPRL-3").update(active=False)
    provision = selectors.provision_get("BPRL-3")
    assert provision is not None and provision.active is False


def test_provision_get_returns_none_for_an_unknown_code():
    assert selectors.provision_get("BPRL-30") is None


def test_search_finds_a_provision_by_code():
    assert [p.code for p in selectors.provision_search(query="iccpr-14.3.b")] == ["ICCPR-14.3.b"]


def test_search_matches_every_word_in_the_english_texts():
    with translation.override("en"):
        found = {p.code for p in selectors.provision_search(query="48 HOURS")}
    assert found == {"BPRL-7", "ICCPR-9.3.prompt_48h"}


def test_search_matches_russian_words_whatever_their_case():
    with translation.override("ru"):
        found = {p.code for p in selectors.provision_search(query="ОТОЖДЕСТВЛЯЕТСЯ")}
    assert found == {"BPRL-18"}


def test_search_reads_the_current_language_only():
    with translation.override("en"):
        assert selectors.provision_search(query="отождествляется") == []


def test_search_can_keep_only_items_to_verify():
    found = {p.code for p in selectors.provision_search(to_verify_only=True)}
    assert "ICCPR-9.3.prompt_48h" in found
    assert "COE-LAWYERS-2025-rights" in found
    assert all(Provision.objects.get(code=code).to_verify for code in found)


def test_search_leaves_out_inactive_provisions():
    Provision.objects.filter(code="BPRL-7").update(active=False)
    with translation.override("en"):
        assert "BPRL-7" not in {p.code for p in selectors.provision_search(query="48 hours")}


def test_provision_tree_follows_headings_and_hierarchy():
    sections = selectors.provision_tree(Instrument.objects.get(code="BPRL"))
    assert [s.group.code for s in sections] == [
        "access",
        "criminal_safeguards",
        "qualification_training",
        "duties",
        "guarantees",
        "expression_association",
        "associations",
        "discipline",
    ]
    guarantees = sections[4]
    sixteen = guarantees.nodes[0]
    assert sixteen.provision.code == "BPRL-16"
    assert [c.provision.code for c in sixteen.children] == ["BPRL-16.a", "BPRL-16.b", "BPRL-16.c"]
    assert sixteen.children[0].depth == 1


def test_provision_tree_nests_three_levels():
    sections = selectors.provision_tree(Instrument.objects.get(code="ICCPR"))
    assert len(sections) == 1 and sections[0].group is None
    fourteen = next(n for n in sections[0].nodes if n.provision.code == "ICCPR-14")
    paragraph_3 = next(n for n in fourteen.children if n.provision.code == "ICCPR-14.3")
    assert paragraph_3.children[1].provision.code == "ICCPR-14.3.b"
    assert paragraph_3.children[1].depth == 2


def test_siblings_are_other_instruments_provisions():
    siblings = [p.code for p in selectors.provision_siblings(Provision.objects.get(code="ICCPR-7"))]
    assert siblings == ["ECHR-3", "CAT-2", "CAT-16"]


def test_subtree_ids_include_every_descendant():
    fourteen = Provision.objects.get(code="ICCPR-14")
    ids = set(selectors.provision_subtree_ids(fourteen))
    assert Provision.objects.get(code="ICCPR-14.3.b").pk in ids
    assert Provision.objects.get(code="ICCPR-15").pk not in ids
    assert len(ids) == Provision.objects.filter(code__startswith="ICCPR-14").count()


def test_provisions_for_choice_are_grouped_by_instrument_and_active_only():
    Provision.objects.filter(code="CAT-16").update(active=False)
    with translation.override("en"):
        groups = dict(selectors.provisions_for_choice())
    assert list(groups)[:2] == ["UN Basic Principles", "ICCPR"]
    assert [code for code, _label in groups["Convention against Torture"]] == ["CAT-2", "CAT-15"]
    labels = dict(groups["ICCPR"])
    assert labels["ICCPR-14.3.b"].startswith("\u2003\u2003ICCPR-14.3.b — ")


def test_terms_are_in_order_and_active_only_by_default():
    Term.objects.filter(code="risk.medium").update(active=False)
    assert [t.code for t in selectors.terms("risk_level")] == ["risk.imminent", "risk.high", "risk.low", "risk.unknown"]
    assert "risk.medium" in [t.code for t in selectors.terms("risk_level", active_only=False)]


def test_term_get():
    assert selectors.term_get("rep.lib.arrest").vocabulary.code == "reprisal_type"
    assert selectors.term_get("rep.nothing") is None


def test_term_choices_leave_out_headings_and_indent_children():
    with translation.override("en"):
        choices = dict(selectors.term_choices("proceeding_stage"))
    assert "stage.pre_charge" not in choices
    assert choices["stage.investigation"] == "\u2003Investigation"
    assert choices["stage.released.pardon"] == "\u2003\u2003Released by pardon"
