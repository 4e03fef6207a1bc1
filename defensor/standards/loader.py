"""Load the standards catalogue from the versioned data files in `data/`.

The files are the source of truth; the database is a copy that cases, events and
findings point at. Loading therefore:

- upserts by stable code (instruments, provisions, vocabularies, terms), so it can run
  any number of times and only writes what changed;
- never deletes: a provision, term, instrument or vocabulary that left the files is
  marked inactive, because other rows keep pointing at it;
- records, per file, the version and the SHA-256 of the bytes that were loaded
  (`DatasetVersion`), adding a row only when they change;
- refuses to load anything when a file is invalid, and says what is wrong with each.

Layout of `data/`: `instruments/*.toml` (one instrument and its provisions each),
`vocabularies/*.toml` (one vocabulary and its terms each) and `siblings.toml` (which
provisions of different instruments guarantee the same thing). Every file has a
`version`. `defensor standards check` validates the files; `defensor standards load`
loads them; migration `0002_fill_standards` loads them on a new database.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

DATA_DIR = Path(__file__).resolve().parent / "data"

INSTRUMENT_KINDS = ("treaty", "protocol", "declaration", "principles", "recommendation")
SYSTEMS = ("un", "coe")
NUMBERINGS = ("articles", "principles", "chapters")
PROVISION_KINDS = ("article", "paragraph", "element", "principle", "chapter")

PROVISION_TAIL = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.]*$")
INSTRUMENT_CODE = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")
TERM_CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")


class DatasetError(Exception):
    """The data files cannot be loaded; `problems` lists every reason, one per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class DataFile:
    name: str
    version: str
    checksum: str


@dataclass
class Dataset:
    """The parsed and validated content of the data files."""

    files: list[DataFile] = field(default_factory=list)
    instruments: list[dict[str, Any]] = field(default_factory=list)
    vocabularies: list[dict[str, Any]] = field(default_factory=list)
    sibling_pairs: set[tuple[str, str]] = field(default_factory=set)

    @property
    def provision_count(self) -> int:
        return sum(len(i["provisions"]) for i in self.instruments)

    @property
    def term_count(self) -> int:
        return sum(len(v["terms"]) for v in self.vocabularies)


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    deactivated: dict[str, int] = field(default_factory=dict)
    links_added: int = 0
    links_removed: int = 0
    versions_recorded: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            any(self.created.values())
            or any(self.updated.values())
            or any(self.deactivated.values())
            or self.links_added
            or self.links_removed
            or self.versions_recorded
        )

    def count(self, bucket: dict[str, int], kind: str, n: int = 1) -> None:
        bucket[kind] = bucket.get(kind, 0) + n

    def summary(self) -> str:
        def part(label: str, bucket: dict[str, int]) -> str:
            items = ", ".join(f"{n} {kind}" for kind, n in sorted(bucket.items()) if n)
            return f"{label}: {items or 'none'}"

        return "; ".join(
            [
                part("created", self.created),
                part("updated", self.updated),
                part("deactivated", self.deactivated),
                f"links added: {self.links_added}, removed: {self.links_removed}",
                f"file versions recorded: {len(self.versions_recorded)}",
            ]
        )


# ---------------------------------------------------------------------------
# Reading and validation

# Per table: required keys, optional keys, and the type each key must have.
_STR, _INT, _BOOL, _LIST = "text", "whole number", "true or false", "list of codes"
_SCHEMAS: dict[str, dict[str, tuple[bool, str]]] = {
    "instrument": {
        "code": (True, _STR),
        "short_title_en": (True, _STR),
        "short_title_ru": (True, _STR),
        "title_en": (True, _STR),
        "title_ru": (True, _STR),
        "description_en": (False, _STR),
        "description_ru": (False, _STR),
        "kind": (True, _STR),
        "system": (True, _STR),
        "numbering": (True, _STR),
        "year": (False, _INT),
        "binding": (True, _BOOL),
        "order": (True, _INT),
        "to_verify": (False, _BOOL),
        "verify_note_en": (False, _STR),
        "verify_note_ru": (False, _STR),
    },
    "group": {
        "code": (True, _STR),
        "title_en": (True, _STR),
        "title_ru": (True, _STR),
    },
    "provision": {
        "code": (True, _STR),
        "parent": (False, _STR),
        "group": (False, _STR),
        "kind": (True, _STR),
        "number": (False, _STR),
        "title_en": (True, _STR),
        "title_ru": (True, _STR),
        "paraphrase_en": (True, _STR),
        "paraphrase_ru": (True, _STR),
        "to_verify": (False, _BOOL),
        "verify_note_en": (False, _STR),
        "verify_note_ru": (False, _STR),
    },
    "vocabulary": {
        "code": (True, _STR),
        "prefix": (True, _STR),
        "name_en": (True, _STR),
        "name_ru": (True, _STR),
        "description_en": (False, _STR),
        "description_ru": (False, _STR),
        "hierarchical": (False, _BOOL),
        "order": (True, _INT),
    },
    "term": {
        "code": (True, _STR),
        "parent": (False, _STR),
        "label_en": (True, _STR),
        "label_ru": (True, _STR),
        "description_en": (False, _STR),
        "description_ru": (False, _STR),
        "external_code": (False, _STR),
        "provisions": (False, _LIST),
        "selectable": (False, _BOOL),
        "to_verify": (False, _BOOL),
        "verify_note_en": (False, _STR),
        "verify_note_ru": (False, _STR),
    },
    "link": {
        "theme": (True, _STR),
        "provisions": (True, _LIST),
    },
}
_BILINGUAL = ("title", "short_title", "description", "paraphrase", "name", "label", "verify_note")


def _type_ok(value: Any, expected: str) -> bool:
    if expected == _STR:
        return isinstance(value, str)
    if expected == _INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == _BOOL:
        return isinstance(value, bool)
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _check_table(table: Any, schema_name: str, where: str, problems: list[str]) -> dict[str, Any] | None:
    """Check one TOML table against its schema; returns it with strings stripped, or None if unusable."""
    if not isinstance(table, dict):
        problems.append(f"{where}: expected a table")
        return None
    schema = _SCHEMAS[schema_name]
    clean: dict[str, Any] = {}
    for key in sorted(set(table) - set(schema)):
        problems.append(f"{where}: unknown field '{key}'")
    for key, (required, expected) in schema.items():
        value = table.get(key)
        if value is None:
            if required:
                problems.append(f"{where}: '{key}' is missing")
            continue
        if not _type_ok(value, expected):
            problems.append(f"{where}: '{key}' must be {expected}")
            continue
        if isinstance(value, str):
            value = value.strip()
            if required and not value:
                problems.append(f"{where}: '{key}' is empty")
        clean[key] = value
    for base in _BILINGUAL:
        en, ru = clean.get(f"{base}_en", ""), clean.get(f"{base}_ru", "")
        if f"{base}_en" in schema and bool(en) != bool(ru):
            missing = f"{base}_ru" if en else f"{base}_en"
            problems.append(f"{where}: '{missing}' is missing (both languages are needed)")
    if clean.get("to_verify") and not (clean.get("verify_note_en") and clean.get("verify_note_ru")):
        problems.append(
            f"{where}: an item marked to_verify needs verify_note_en and verify_note_ru saying what to verify"
        )
    return clean


def _read_toml(path: Path, name: str, problems: list[str]) -> tuple[dict[str, Any], DataFile] | None:
    raw = path.read_bytes()
    try:
        content = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        problems.append(f"{name}: not UTF-8 text")
        return None
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{name}: not valid TOML: {exc}")
        return None
    version = content.get("version")
    if not isinstance(version, str) or not version.strip():
        problems.append(f"{name}: the 'version' field is missing (a text such as \"2025.1\")")
        return None
    return content, DataFile(name=name, version=version.strip(), checksum=hashlib.sha256(raw).hexdigest())


def _unknown_top_level(content: dict[str, Any], allowed: set[str], name: str, problems: list[str]) -> None:
    for key in sorted(set(content) - allowed):
        problems.append(f"{name}: unknown top-level field '{key}'")


def _read_instrument(content: dict[str, Any], name: str, problems: list[str]) -> dict[str, Any] | None:
    _unknown_top_level(content, {"version", "instrument", "groups", "provisions"}, name, problems)
    instrument = _check_table(content.get("instrument"), "instrument", f"{name} [instrument]", problems)
    if instrument is None or "code" not in instrument:
        return None
    code = instrument["code"]
    if not INSTRUMENT_CODE.match(code):
        problems.append(f"{name}: instrument code '{code}' must be capital letters, digits and hyphens")
    for key, allowed in (("kind", INSTRUMENT_KINDS), ("system", SYSTEMS), ("numbering", NUMBERINGS)):
        if key in instrument and instrument[key] not in allowed:
            problems.append(f"{name}: instrument {key} '{instrument[key]}' is not one of {', '.join(allowed)}")
    groups: list[dict[str, Any]] = []
    group_codes: set[str] = set()
    for index, table in enumerate(content.get("groups", [])):
        group = _check_table(table, "group", f"{name} group #{index + 1}", problems)
        if group is None or "code" not in group:
            continue
        if group["code"] in group_codes:
            problems.append(f"{name}: group '{group['code']}' appears twice")
        group_codes.add(group["code"])
        groups.append(group)
    provisions: list[dict[str, Any]] = []
    seen: set[str] = set()
    raw_provisions = content.get("provisions", [])
    if not isinstance(raw_provisions, list) or not raw_provisions:
        problems.append(f"{name}: no [[provisions]]")
        raw_provisions = []
    for index, table in enumerate(raw_provisions):
        label = table.get("code", f"#{index + 1}") if isinstance(table, dict) else f"#{index + 1}"
        where = f"{name} provision {label}"
        provision = _check_table(table, "provision", where, problems)
        if provision is None or "code" not in provision:
            continue
        pcode = provision["code"]
        tail = pcode[len(code) + 1 :] if pcode.startswith(f"{code}-") else ""
        if not PROVISION_TAIL.match(tail):
            problems.append(f"{where}: the code must be '{code}-' followed by letters, digits, dots or underscores")
        if provision.get("kind") not in PROVISION_KINDS:
            problems.append(f"{where}: kind '{provision.get('kind')}' is not one of {', '.join(PROVISION_KINDS)}")
        parent = provision.get("parent")
        if parent and parent not in seen:
            problems.append(f"{where}: parent '{parent}' must be a provision listed before it in the same file")
        group_code = provision.get("group")
        if group_code and group_code not in group_codes:
            problems.append(f"{where}: group '{group_code}' is not one of this file's [[groups]]")
        seen.add(pcode)
        provisions.append(provision)
    instrument["groups"] = groups
    instrument["provisions"] = provisions
    instrument["file"] = name
    return instrument


def _read_vocabulary(content: dict[str, Any], name: str, problems: list[str]) -> dict[str, Any] | None:
    _unknown_top_level(content, {"version", "vocabulary", "terms"}, name, problems)
    vocabulary = _check_table(content.get("vocabulary"), "vocabulary", f"{name} [vocabulary]", problems)
    if vocabulary is None or "code" not in vocabulary or "prefix" not in vocabulary:
        return None
    prefix = vocabulary["prefix"]
    terms: list[dict[str, Any]] = []
    seen: set[str] = set()
    raw_terms = content.get("terms", [])
    if not isinstance(raw_terms, list) or not raw_terms:
        problems.append(f"{name}: no [[terms]]")
        raw_terms = []
    for index, table in enumerate(raw_terms):
        label = table.get("code", f"#{index + 1}") if isinstance(table, dict) else f"#{index + 1}"
        where = f"{name} term {label}"
        term = _check_table(table, "term", where, problems)
        if term is None or "code" not in term:
            continue
        tcode = term["code"]
        if not TERM_CODE.match(tcode) or not (tcode == prefix or tcode.startswith(f"{prefix}.")):
            problems.append(f"{where}: the code must start with '{prefix}.' and use lowercase letters, digits, _ and .")
        parent = term.get("parent")
        if parent and parent not in seen:
            problems.append(f"{where}: parent '{parent}' must be a term listed before it in the same file")
        seen.add(tcode)
        terms.append(term)
    vocabulary["terms"] = terms
    vocabulary["file"] = name
    return vocabulary


def _read_siblings(content: dict[str, Any], name: str, problems: list[str]) -> list[dict[str, Any]]:
    _unknown_top_level(content, {"version", "links"}, name, problems)
    links = []
    for index, table in enumerate(content.get("links", [])):
        link = _check_table(table, "link", f"{name} link #{index + 1}", problems)
        if link is not None and "provisions" in link:
            link["where"] = f"{name} link #{index + 1} ({link.get('theme', '')})"
            links.append(link)
    return links


def read_dataset(data_dir: Path = DATA_DIR) -> Dataset:
    """Parse and validate every data file; raise DatasetError listing all problems."""
    problems: list[str] = []
    dataset = Dataset()
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DatasetError([f"the data directory {data_dir} does not exist"])

    unreadable = 0

    def files(pattern: str) -> Iterable[Path]:
        return sorted(data_dir.glob(pattern))

    for path in files("instruments/*.toml"):
        name = path.relative_to(data_dir).as_posix()
        read = _read_toml(path, name, problems)
        if read is None:
            unreadable += 1
            continue
        content, data_file = read
        dataset.files.append(data_file)
        instrument = _read_instrument(content, name, problems)
        if instrument is not None:
            dataset.instruments.append(instrument)
    for path in files("vocabularies/*.toml"):
        name = path.relative_to(data_dir).as_posix()
        read = _read_toml(path, name, problems)
        if read is None:
            unreadable += 1
            continue
        content, data_file = read
        dataset.files.append(data_file)
        vocabulary = _read_vocabulary(content, name, problems)
        if vocabulary is not None:
            dataset.vocabularies.append(vocabulary)
    links: list[dict[str, Any]] = []
    siblings_path = data_dir / "siblings.toml"
    if siblings_path.exists():
        read = _read_toml(siblings_path, "siblings.toml", problems)
        unreadable += read is None
        if read is not None:
            content, data_file = read
            dataset.files.append(data_file)
            links = _read_siblings(content, "siblings.toml", problems)
    if not dataset.instruments and not problems:
        problems.append("no instrument files found under instruments/")

    if not unreadable:
        # Cross-file checks on a partial dataset would only echo the unreadable file's absence.
        _check_across_files(dataset, links, problems)
    if problems:
        raise DatasetError(problems)
    dataset.instruments.sort(key=lambda i: (i["order"], i["code"]))
    dataset.vocabularies.sort(key=lambda v: (v["order"], v["code"]))
    return dataset


def _check_across_files(dataset: Dataset, links: list[dict[str, Any]], problems: list[str]) -> None:
    def unique(kind: str, items: Iterable[tuple[str, str]]) -> None:
        where_seen: dict[str, str] = {}
        for code, file_name in items:
            if code in where_seen:
                problems.append(f"{kind} code '{code}' appears twice ({where_seen[code]} and {file_name})")
            else:
                where_seen[code] = file_name

    unique("instrument", ((i["code"], i["file"]) for i in dataset.instruments))
    unique("provision", ((p["code"], i["file"]) for i in dataset.instruments for p in i["provisions"]))
    unique("vocabulary", ((v["code"], v["file"]) for v in dataset.vocabularies))
    unique("vocabulary prefix", ((v["prefix"], v["file"]) for v in dataset.vocabularies))
    unique("term", ((t["code"], v["file"]) for v in dataset.vocabularies for t in v["terms"]))

    instrument_of = {p["code"]: i["code"] for i in dataset.instruments for p in i["provisions"]}
    for vocabulary in dataset.vocabularies:
        for term in vocabulary["terms"]:
            for code in term.get("provisions", []):
                if code not in instrument_of:
                    problems.append(f"{vocabulary['file']} term {term['code']}: provision '{code}' does not exist")
    for link in links:
        codes = link["provisions"]
        if len(codes) < 2:
            problems.append(f"{link['where']}: a link needs at least two provisions")
        for code in codes:
            if code not in instrument_of:
                problems.append(f"{link['where']}: provision '{code}' does not exist")
        known = [c for c in codes if c in instrument_of]
        for i, first in enumerate(known):
            for second in known[i + 1 :]:
                if instrument_of[first] == instrument_of[second]:
                    problems.append(
                        f"{link['where']}: '{first}' and '{second}' are in the same instrument; "
                        "siblings link different instruments"
                    )
                else:
                    dataset.sibling_pairs.add((min(first, second), max(first, second)))


# ---------------------------------------------------------------------------
# Loading


class _Models:
    """The model classes: the current ones, or a migration's historical ones."""

    def __init__(self, apps: Any = None) -> None:
        if apps is None:
            from defensor.standards import models

            self.Instrument: Any = models.Instrument
            self.ProvisionGroup: Any = models.ProvisionGroup
            self.Provision: Any = models.Provision
            self.Vocabulary: Any = models.Vocabulary
            self.Term: Any = models.Term
            self.DatasetVersion: Any = models.DatasetVersion
        else:
            for name in ("Instrument", "ProvisionGroup", "Provision", "Vocabulary", "Term", "DatasetVersion"):
                setattr(self, name, apps.get_model("standards", name))


def _fields_of(model: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Keep only the values the model has fields for.

    A migration's historical model may predate a field added later; that later migration
    loads the files again, so skipping the field here loses nothing.
    """
    names = {f.attname for f in model._meta.concrete_fields}
    return {k: v for k, v in values.items() if k in names}


def _upsert(model: Any, existing: Any, values: dict[str, Any], kind: str, report: LoadReport) -> Any:
    values = _fields_of(model, values)
    if existing is None:
        obj = model(**values)
        obj.save()
        report.count(report.created, kind)
        return obj
    changed = [name for name, value in values.items() if getattr(existing, name) != value]
    if changed:
        for name in changed:
            setattr(existing, name, values[name])
        existing.save(update_fields=[*changed, "updated_at"] if hasattr(existing, "updated_at") else changed)
        report.count(report.updated, kind)
    return existing


def _deactivate(model: Any, keep: set[str], kind: str, report: LoadReport) -> None:
    gone = model.objects.filter(active=True).exclude(code__in=keep)
    n = gone.update(active=False, updated_at=timezone.now())
    if n:
        report.count(report.deactivated, kind, n)


def _bilingual(row: dict[str, Any], *bases: str) -> dict[str, Any]:
    return {f"{base}_{lang}": row.get(f"{base}_{lang}", "") for base in bases for lang in ("en", "ru")}


def _reconcile_links(through: Any, left: str, right: str, desired: set[tuple[int, int]], report: LoadReport) -> None:
    current = set(through.objects.values_list(left, right))
    to_add = desired - current
    to_remove = current - desired
    if to_add:
        through.objects.bulk_create([through(**{left: a, right: b}) for a, b in sorted(to_add)])
    for a, b in to_remove:
        through.objects.filter(**{left: a, right: b}).delete()
    report.links_added += len(to_add)
    report.links_removed += len(to_remove)


def _load_instruments(m: _Models, dataset: Dataset, report: LoadReport) -> dict[str, Any]:
    instruments = {i.code: i for i in m.Instrument.objects.all()}
    provisions = {p.code: p for p in m.Provision.objects.all()}
    groups = {(g.instrument_id, g.code): g for g in m.ProvisionGroup.objects.all()}
    for row in dataset.instruments:
        values = {
            "code": row["code"],
            **_bilingual(row, "short_title", "title", "description", "verify_note"),
            "kind": row["kind"],
            "system": row["system"],
            "numbering": row["numbering"],
            "year": row.get("year"),
            "binding": row["binding"],
            "order": row["order"],
            "to_verify": row.get("to_verify", False),
            "active": True,
        }
        instrument = _upsert(m.Instrument, instruments.get(row["code"]), values, "instruments", report)
        instruments[row["code"]] = instrument
        group_ids: dict[str, int] = {}
        for order, group_row in enumerate(row["groups"]):
            key = (instrument.pk, group_row["code"])
            group_values = {
                "instrument_id": instrument.pk,
                "code": group_row["code"],
                **_bilingual(group_row, "title"),
                "order": order,
            }
            group = _upsert(m.ProvisionGroup, groups.get(key), group_values, "groups", report)
            groups[key] = group
            group_ids[group_row["code"]] = group.pk
        for order, prow in enumerate(row["provisions"]):
            parent = prow.get("parent")
            values = {
                "code": prow["code"],
                "instrument_id": instrument.pk,
                "parent_id": provisions[parent].pk if parent else None,
                "group_id": group_ids.get(prow.get("group", "")),
                "kind": prow["kind"],
                "number": prow.get("number", ""),
                **_bilingual(prow, "title", "paraphrase", "verify_note"),
                "order": order,
                "to_verify": prow.get("to_verify", False),
                "active": True,
            }
            provisions[prow["code"]] = _upsert(m.Provision, provisions.get(prow["code"]), values, "provisions", report)
    _deactivate(m.Instrument, {i["code"] for i in dataset.instruments}, "instruments", report)
    listed = {p["code"] for i in dataset.instruments for p in i["provisions"]}
    _deactivate(m.Provision, listed, "provisions", report)

    ids = {code: p.pk for code, p in provisions.items()}
    desired = set()
    for a, b in dataset.sibling_pairs:
        desired.add((ids[a], ids[b]))
        desired.add((ids[b], ids[a]))
    _reconcile_links(m.Provision.siblings.through, "from_provision_id", "to_provision_id", desired, report)
    return ids


def _load_vocabularies(m: _Models, dataset: Dataset, provision_ids: dict[str, int], report: LoadReport) -> None:
    vocabularies = {v.code: v for v in m.Vocabulary.objects.all()}
    terms = {t.code: t for t in m.Term.objects.all()}
    engaged: set[tuple[int, int]] = set()
    for row in dataset.vocabularies:
        values = {
            "code": row["code"],
            **_bilingual(row, "name", "description"),
            "hierarchical": row.get("hierarchical", False),
            "order": row["order"],
            "active": True,
        }
        vocabulary = _upsert(m.Vocabulary, vocabularies.get(row["code"]), values, "vocabularies", report)
        for order, trow in enumerate(row["terms"]):
            parent = trow.get("parent")
            values = {
                "vocabulary_id": vocabulary.pk,
                "code": trow["code"],
                "parent_id": terms[parent].pk if parent else None,
                **_bilingual(trow, "label", "description", "verify_note"),
                "external_code": trow.get("external_code", ""),
                "order": order,
                "selectable": trow.get("selectable", True),
                "active": True,
                "to_verify": trow.get("to_verify", False),
            }
            term = _upsert(m.Term, terms.get(trow["code"]), values, "terms", report)
            terms[trow["code"]] = term
            engaged.update((term.pk, provision_ids[code]) for code in trow.get("provisions", []))
    _deactivate(m.Vocabulary, {v["code"] for v in dataset.vocabularies}, "vocabularies", report)
    _deactivate(m.Term, {t["code"] for v in dataset.vocabularies for t in v["terms"]}, "terms", report)
    _reconcile_links(m.Term.provisions.through, "term_id", "provision_id", engaged, report)


def _record_versions(m: _Models, dataset: Dataset, report: LoadReport) -> None:
    for data_file in dataset.files:
        last = m.DatasetVersion.objects.filter(name=data_file.name).order_by("-loaded_at", "-id").first()
        if last is not None and (last.version, last.checksum) == (data_file.version, data_file.checksum):
            continue
        if last is not None and last.version == data_file.version:
            report.warnings.append(
                f"{data_file.name}: the content changed but the version is still {data_file.version}; "
                "raise the version when you edit a file"
            )
        m.DatasetVersion.objects.create(name=data_file.name, version=data_file.version, checksum=data_file.checksum)
        report.versions_recorded.append(f"{data_file.name} {data_file.version}")


def load(*, data_dir: Path = DATA_DIR, actor: Any = None, apps: Any = None) -> LoadReport:
    """Validate the data files and bring the catalogue in line with them, in one transaction.

    `apps` is a migration's app registry when called from a data migration; the audit
    entry is then left out (the audit machinery belongs to the live models).
    """
    dataset = read_dataset(data_dir)
    m = _Models(apps)
    report = LoadReport()
    with transaction.atomic():
        provision_ids = _load_instruments(m, dataset, report)
        _load_vocabularies(m, dataset, provision_ids, report)
        _record_versions(m, dataset, report)
        if apps is None and report.changed:
            from defensor.core.audit import audit_record

            audit_record(
                actor=actor,
                action="standards.catalogue_loaded",
                changes={
                    "files": {f.name: f.version for f in dataset.files},
                    "created": report.created,
                    "updated": report.updated,
                    "deactivated": report.deactivated,
                    "links_added": report.links_added,
                    "links_removed": report.links_removed,
                },
            )
    return report
