"""The loader: idempotent upserts by code, nothing deleted, versions recorded, bad files refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from defensor.core.models import AuditEntry
from defensor.standards.loader import DATA_DIR, DatasetError, load, read_dataset
from defensor.standards.models import DatasetVersion, Instrument, Provision, Term


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A private copy of the shipped data files that a test may edit."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not found in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def remove_table(path: Path, code: str) -> None:
    """Remove the [[provisions]] or [[terms]] table whose code is `code`."""
    text = path.read_text(encoding="utf-8")
    marker = f'code = "{code}"\n'
    start = text.index(marker)
    start = text.rindex("\n[[", 0, start) + 1
    end = text.find("\n[[", start + 1)
    path.write_text(text[:start] + (text[end + 1 :] if end != -1 else ""), encoding="utf-8")


def test_shipped_files_are_valid():
    dataset = read_dataset()
    assert dataset.provision_count > 100
    assert dataset.term_count > 100


def test_first_load_creates_the_catalogue(db):
    report = load()
    assert report.created["instruments"] == Instrument.objects.count() == 8
    assert report.created["provisions"] == Provision.objects.count()
    assert report.created["terms"] == Term.objects.count()


def test_loading_again_changes_nothing(db):
    load()
    stamps = dict(Provision.objects.values_list("code", "updated_at"))
    report = load()
    assert not report.changed
    assert dict(Provision.objects.values_list("code", "updated_at")) == stamps


def test_each_file_version_is_recorded_once(db):
    load()
    load()
    dataset = read_dataset()
    assert DatasetVersion.objects.count() == len(dataset.files)
    bprl = DatasetVersion.objects.get(name="instruments/bprl.toml")
    assert bprl.version == "2025.1"
    assert len(bprl.checksum) == 64


def test_edited_file_updates_the_provision_and_records_the_new_version(db, data_dir):
    load(data_dir=data_dir)
    bprl = data_dir / "instruments" / "bprl.toml"
    edit(bprl, 'version = "2025.1"', 'version = "2025.2"')
    edit(bprl, "Lawyers always respect their clients' interests loyally.", "Lawyers serve their clients loyally.")
    report = load(data_dir=data_dir)
    assert report.updated == {"provisions": 1}
    assert Provision.objects.get(code="BPRL-15").paraphrase_en == "Lawyers serve their clients loyally."
    versions = list(DatasetVersion.objects.filter(name="instruments/bprl.toml").values_list("version", flat=True))
    assert sorted(versions) == ["2025.1", "2025.2"]
    assert report.warnings == []


def test_content_changed_without_a_new_version_is_loaded_with_a_warning(db, data_dir):
    load(data_dir=data_dir)
    edit(data_dir / "instruments" / "cat.toml", "Statements obtained by torture", "Statements extracted by torture")
    report = load(data_dir=data_dir)
    assert Provision.objects.get(code="CAT-15").title_en == "Statements extracted by torture are not evidence"
    assert any("instruments/cat.toml" in w and "version" in w for w in report.warnings)


def test_removed_provision_becomes_inactive_and_is_kept(db, data_dir):
    load(data_dir=data_dir)
    remove_table(data_dir / "instruments" / "cat.toml", "CAT-16")
    edit(data_dir / "siblings.toml", '"CAT-16"', '"CAT-2"')
    edit(data_dir / "vocabularies" / "reprisal_type.toml", '"CAT-2", "CAT-16"', '"CAT-2"')
    report = load(data_dir=data_dir)
    provision = Provision.objects.get(code="CAT-16")
    assert provision.active is False
    assert report.deactivated == {"provisions": 1}


def test_removed_provision_loses_its_sibling_links(db, data_dir):
    load(data_dir=data_dir)
    assert Provision.objects.get(code="CAT-16").siblings.exists()
    remove_table(data_dir / "instruments" / "cat.toml", "CAT-16")
    edit(data_dir / "siblings.toml", '"CAT-16"', '"CAT-2"')
    edit(data_dir / "vocabularies" / "reprisal_type.toml", '"CAT-2", "CAT-16"', '"CAT-2"')
    load(data_dir=data_dir)
    assert not Provision.objects.get(code="CAT-16").siblings.exists()
    assert not Provision.objects.get(code="ICCPR-7").siblings.filter(code="CAT-16").exists()


def test_provision_back_in_the_files_is_active_again(db, data_dir):
    load(data_dir=data_dir)
    Provision.objects.filter(code="BPRL-3").update(active=False)
    load(data_dir=data_dir)
    assert Provision.objects.get(code="BPRL-3").active is True


def test_removed_term_becomes_inactive_and_is_kept(db, data_dir):
    load(data_dir=data_dir)
    remove_table(data_dir / "vocabularies" / "risk_level.toml", "risk.medium")
    report = load(data_dir=data_dir)
    assert Term.objects.get(code="risk.medium").active is False
    assert report.deactivated == {"terms": 1}


def test_sibling_links_are_symmetric(db):
    load()
    iccpr = Provision.objects.get(code="ICCPR-14.3.b")
    echr = Provision.objects.get(code="ECHR-6.3.b")
    assert echr in iccpr.siblings.all()
    assert iccpr in echr.siblings.all()


def test_terms_are_linked_to_the_provisions_they_engage(db):
    load()
    assert list(Term.objects.get(code="rep.lib.arrest").provisions.values_list("code", flat=True)) == ["ICCPR-9.1"]


def test_parents_are_linked(db):
    load()
    assert Provision.objects.get(code="ICCPR-14.3.b").parent.code == "ICCPR-14.3"
    assert Term.objects.get(code="rep.lib.arrest").parent.code == "rep.lib"


def test_a_load_that_changes_something_is_audited(db):
    load()
    entry = AuditEntry.objects.get(action="standards.catalogue_loaded")
    assert entry.changes["created"]["provisions"] == Provision.objects.count()
    assert entry.changes["files"]["instruments/bprl.toml"] == "2025.1"


def test_a_load_that_changes_nothing_is_not_audited(db):
    load()
    load()
    assert AuditEntry.objects.filter(action="standards.catalogue_loaded").count() == 1


def test_loading_with_a_migration_registry_works_and_writes_no_audit_entry(db):
    from django.apps import apps

    load(apps=apps)
    assert Provision.objects.filter(code="BPRL-16.a").exists()
    assert not AuditEntry.objects.filter(action="standards.catalogue_loaded").exists()


# Bad files: a clear message, and nothing loaded.


def problems_for(data_dir: Path) -> list[str]:
    with pytest.raises(DatasetError) as caught:
        load(data_dir=data_dir)
    return caught.value.problems


def test_invalid_toml_is_refused_with_the_file_and_line(db, data_dir):
    edit(data_dir / "instruments" / "bprl.toml", 'code = "BPRL-2"', 'code = "BPRL-2')
    problems = problems_for(data_dir)
    assert len(problems) == 1
    assert problems[0].startswith("instruments/bprl.toml: not valid TOML")
    assert "line" in problems[0]
    assert not Provision.objects.exists()


def test_missing_version_is_refused(db, data_dir):
    edit(data_dir / "instruments" / "cat.toml", 'version = "2025.1"\n', "")
    assert any("instruments/cat.toml: the 'version' field is missing" in p for p in problems_for(data_dir))


def test_missing_russian_paraphrase_is_refused(db, data_dir):
    bprl = data_dir / "instruments" / "bprl.toml"
    text = bprl.read_text(encoding="utf-8")
    start = text.index('paraphrase_ru = "Юристы всегда добросовестно')
    bprl.write_text(text[:start] + text[text.index("\n", start) + 1 :], encoding="utf-8")
    problems = problems_for(data_dir)
    assert "instruments/bprl.toml provision BPRL-15: 'paraphrase_ru' is missing" in problems


def test_unknown_parent_is_refused(db, data_dir):
    edit(data_dir / "instruments" / "bprl.toml", 'parent = "BPRL-16"', 'parent = "BPRL-99"')
    problems = problems_for(data_dir)
    assert any("BPRL-16.a: parent 'BPRL-99' must be a provision listed before it" in p for p in problems)


def test_duplicate_code_is_refused(db, data_dir):
    edit(data_dir / "instruments" / "bprl.toml", 'code = "BPRL-2"', 'code = "BPRL-1"')
    problems = problems_for(data_dir)
    assert "provision code 'BPRL-1' appears twice (instruments/bprl.toml and instruments/bprl.toml)" in problems


def test_sibling_that_does_not_exist_is_refused(db, data_dir):
    edit(data_dir / "siblings.toml", '"ECHR-6.3.e"', '"ECHR-6.3.z"')
    problems = problems_for(data_dir)
    assert any("provision 'ECHR-6.3.z' does not exist" in p for p in problems)


def test_siblings_in_the_same_instrument_are_refused(db, data_dir):
    edit(data_dir / "siblings.toml", '["ICCPR-9", "ECHR-5"]', '["ICCPR-9", "ICCPR-10"]')
    problems = problems_for(data_dir)
    assert any("'ICCPR-9' and 'ICCPR-10' are in the same instrument" in p for p in problems)


def test_term_engaging_an_unknown_provision_is_refused(db, data_dir):
    edit(data_dir / "vocabularies" / "reprisal_type.toml", '["ICCPR-9.1"]', '["ICCPR-9.9"]')
    problems = problems_for(data_dir)
    assert "vocabularies/reprisal_type.toml term rep.lib.arrest: provision 'ICCPR-9.9' does not exist" in problems


def test_to_verify_without_a_note_is_refused(db, data_dir):
    edit(data_dir / "instruments" / "cat.toml", 'number = "15"\n', 'number = "15"\nto_verify = true\n')
    problems = problems_for(data_dir)
    assert any("CAT-15: an item marked to_verify needs verify_note_en and verify_note_ru" in p for p in problems)


def test_unknown_field_is_refused(db, data_dir):
    edit(data_dir / "instruments" / "cat.toml", 'number = "15"\n', 'number = "15"\ntitel_en = "typo"\n')
    assert "instruments/cat.toml provision CAT-15: unknown field 'titel_en'" in problems_for(data_dir)


def test_term_code_outside_the_vocabulary_prefix_is_refused(db, data_dir):
    edit(data_dir / "vocabularies" / "risk_level.toml", 'code = "risk.high"', 'code = "danger.high"')
    problems = problems_for(data_dir)
    assert any("term danger.high: the code must start with 'risk.'" in p for p in problems)


def test_every_problem_is_reported_at_once(db, data_dir):
    edit(data_dir / "instruments" / "cat.toml", 'number = "15"\n', 'number = "15"\ntitel_en = "typo"\n')
    edit(data_dir / "siblings.toml", '"ECHR-6.3.e"', '"ECHR-6.3.z"')
    assert len(problems_for(data_dir)) == 2


def test_a_refused_reload_leaves_the_loaded_catalogue_untouched(db, data_dir):
    load(data_dir=data_dir)
    edit(data_dir / "instruments" / "bprl.toml", "Lawyers always respect", "Lawyers respect")
    edit(data_dir / "siblings.toml", '"ECHR-6.3.e"', '"ECHR-6.3.z"')
    problems_for(data_dir)
    assert Provision.objects.get(code="BPRL-15").paraphrase_en.startswith("Lawyers always respect")
