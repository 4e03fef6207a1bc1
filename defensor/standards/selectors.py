"""Reads of the standards catalogue.

The catalogue is public law and shared word lists, the same for every organisation, so
these selectors take no user: views guard them with `organisation_required` (any
signed-in member of any organisation may read them). Lists show active items only;
`*_get` also returns inactive ones, because old cases and events keep pointing at them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from defensor.core.languages import active_language
from defensor.standards.models import Instrument, Provision, ProvisionGroup, Term, Vocabulary


def instrument_list() -> QuerySet[Instrument]:
    """Active instruments in catalogue order, each with `provision_count` and `to_verify_count`."""
    active = Q(provisions__active=True)
    return Instrument.objects.filter(active=True).annotate(
        provision_count=Count("provisions", filter=active),
        to_verify_count=Count("provisions", filter=active & Q(provisions__to_verify=True)),
    )


def instrument_get(code: str) -> Instrument | None:
    return Instrument.objects.filter(code=code).first()


def provision_get(code: str) -> Provision | None:
    return Provision.objects.select_related("instrument", "parent__instrument", "group").filter(code=code).first()


def _provisions() -> QuerySet[Provision]:
    return Provision.objects.filter(active=True, instrument__active=True).select_related("instrument", "group")


@dataclass
class ProvisionNode:
    provision: Provision
    depth: int
    children: list[ProvisionNode]


@dataclass
class ProvisionSection:
    """Top-level provisions under one heading of the instrument (`group` is None where there are no headings)."""

    group: ProvisionGroup | None
    nodes: list[ProvisionNode]


def provision_tree(instrument: Instrument) -> list[ProvisionSection]:
    """The instrument's active provisions as a tree, split by heading, in reading order."""
    provisions = list(_provisions().filter(instrument=instrument).order_by("order"))
    nodes = {p.pk: ProvisionNode(p, 0, []) for p in provisions}
    roots: list[ProvisionNode] = []
    for provision in provisions:
        node = nodes[provision.pk]
        parent = nodes.get(provision.parent_id) if provision.parent_id else None
        if parent is None:
            roots.append(node)
        else:
            node.depth = parent.depth + 1
            parent.children.append(node)
    sections: list[ProvisionSection] = []
    for root in roots:
        if not sections or sections[-1].group != root.provision.group:
            sections.append(ProvisionSection(root.provision.group, []))
        sections[-1].nodes.append(root)
    return sections


def provision_children(provision: Provision) -> QuerySet[Provision]:
    return _provisions().filter(parent=provision).order_by("order")


def provision_siblings(provision: Provision) -> QuerySet[Provision]:
    """The provisions of other instruments that guarantee the same thing."""
    return (
        provision.siblings.filter(active=True, instrument__active=True)
        .select_related("instrument")
        .order_by("instrument__order", "order")
    )


def provision_terms(provision: Provision) -> QuerySet[Term]:
    """Vocabulary terms (reprisal types) that usually engage this provision."""
    return provision.terms.filter(active=True).select_related("vocabulary").order_by("vocabulary__order", "order")


def provision_subtree_ids(provision: Provision) -> list[int]:
    """The provision and everything beneath it: what an engagement on a parent may want to count."""
    ids = [provision.pk]
    frontier = [provision.pk]
    while frontier:
        frontier = list(Provision.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


def provision_search(*, query: str = "", to_verify_only: bool = False) -> list[Provision]:
    """Active provisions whose code, or title or paraphrase in the current language, contain every word of `query`.

    Matching is done in Python with Unicode case folding: the catalogue has a few hundred
    rows, and SQLite's LIKE folds only ASCII letters, which would miss Russian words.
    """
    provisions = _provisions()
    if to_verify_only:
        provisions = provisions.filter(to_verify=True)
    words = [w.casefold() for w in query.split() if w.strip()]
    if not words:
        return list(provisions)
    language = active_language()
    found = []
    for provision in provisions:
        haystack = " ".join(
            [
                provision.code,
                getattr(provision, f"title_{language}") or provision.title_en,
                getattr(provision, f"paraphrase_{language}") or provision.paraphrase_en,
            ]
        ).casefold()
        if all(word in haystack for word in words):
            found.append(provision)
    return found


def provisions_for_choice() -> list[tuple[str, list[tuple[str, str]]]]:
    """Active provisions for a form's choice field, grouped by instrument: [(instrument, [(code, label)])].

    Labels carry the code and the title in the current language, indented by depth.
    """
    provisions = list(_provisions().order_by("instrument__order", "order"))
    depth: dict[int, int] = {}
    groups: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    for provision in provisions:
        depth[provision.pk] = depth[provision.parent_id] + 1 if provision.parent_id in depth else 0
        entry = groups.setdefault(provision.instrument_id, (provision.instrument.short_title, []))
        indent = "\u2003" * depth[provision.pk]
        entry[1].append((provision.code, f"{indent}{provision.code} — {provision.title}"))
    return list(groups.values())


@dataclass
class VocabularyListing:
    vocabulary: Vocabulary
    terms: list[tuple[Term, int]]


def vocabulary_tree() -> list[VocabularyListing]:
    """Active vocabularies with all their terms (withdrawn ones too, to be marked) and each term's depth."""
    vocabularies = Vocabulary.objects.filter(active=True).prefetch_related(
        Prefetch("terms", queryset=Term.objects.order_by("order").prefetch_related("provisions"))
    )
    listings = []
    for vocabulary in vocabularies:
        depth: dict[int, int] = {}
        rows = []
        for term in vocabulary.terms.all():
            depth[term.pk] = depth[term.parent_id] + 1 if term.parent_id in depth else 0
            rows.append((term, depth[term.pk]))
        listings.append(VocabularyListing(vocabulary, rows))
    return listings


def vocabulary_get(code: str) -> Vocabulary | None:
    return Vocabulary.objects.filter(code=code).first()


def terms(vocabulary_code: str, *, active_only: bool = True) -> QuerySet[Term]:
    """The terms of one vocabulary in their set order (parents before their children)."""
    result = Term.objects.filter(vocabulary__code=vocabulary_code).select_related("parent")
    if active_only:
        result = result.filter(active=True)
    return result.order_by("order")


def term_get(code: str) -> Term | None:
    return Term.objects.select_related("vocabulary", "parent").filter(code=code).first()


def term_choices(vocabulary_code: str) -> list[tuple[str, str]]:
    """(code, label) pairs for a form: active, selectable terms, labels indented by depth."""
    rows = list(terms(vocabulary_code))
    depth: dict[int, int] = {}
    choices = []
    for term in rows:
        depth[term.pk] = depth[term.parent_id] + 1 if term.parent_id in depth else 0
        if term.selectable:
            choices.append((term.code, "\u2003" * depth[term.pk] + term.label))
    return choices
