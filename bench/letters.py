"""How fast Defensor renders a campaign's letters: one personalised one-page letter per signatory.

    python bench/letters.py                       # 91,000 letters on 2 processes
    python bench/letters.py --count 5000 --processes 1

Uses the campaign letter template (`campaigns/typst/letter.typ`) in per-signatory mode, with the
letter text merged through the campaign's own merge fields (`campaigns.letters.merge`), exactly as
the "campaigns.letters" job does: `render_many` a chunk of letters per Typst compilation, merged
into PDFs of at most 5,000 letters. The letters are split across processes (one per core), as
a pool of workers would run them. Reports letters/s, the total time, and the peak memory of
the parent and of the worker processes (resource.getrusage).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BASELINE_MERGED = 270  # pages/s per core when letters are merged into chunks (architecture §7)
FIRST_NAMES = ["Мария", "Ahmet", "Chloé", "Ivan", "Nasrin", "Olena", "Pedro", "Zeynep", "Jan", "Amira"]
LAST_NAMES = ["Иванова", "Yılmaz", "Dubois", "Petrov", "Sotoudeh", "Kovalenko", "Alves", "Kaya", "de Vries", "Haddad"]
SUBJECT = "Gaspar Matalaev: release him now — {{ target }}"
BODY = (
    "{{ salutation }}\n\n"
    "I am writing to you as a lawyer to express my deep concern about {{ case_facts }}. According to the "
    "information I have received, he has been held in conditions that fall short of international standards "
    "and denied confidential access to a lawyer of his choice.\n\n"
    "The UN Basic Principles on the Role of Lawyers and the UN Declaration on Human Rights Defenders require "
    "that those who defend rights can do so without intimidation, hindrance, harassment or improper "
    "interference. I therefore urge you to release him immediately and unconditionally, and to guarantee "
    "his physical and psychological integrity while he remains in detention.\n\n"
    "Yours sincerely,\n{{ signatory }}\n\nWith {{ co_signing_organisations }}, {{ date }}"
)


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "defensor.settings")
    import django

    django.setup()


def _fixtures() -> tuple[Any, Any, Any, dict[str, str]]:
    """A campaign, its target and template as the job sees them (unsaved: the benchmark measures rendering)."""
    from defensor.accounts.models import Organisation
    from defensor.campaigns.models import Campaign, LetterTemplate, Target
    from defensor.directory.models import Institution

    organisation = Organisation(name="Justice International", slug="justice-international")
    campaign = Campaign(organisation=organisation, slug="free-gaspar-matalaev", title_en="Free Gaspar Matalaev")
    institution = Institution(
        name="Генеральная прокуратура Туркменистана", name_latin="Prosecutor General's Office of Turkmenistan"
    )
    target = Target(
        campaign=campaign,
        institution=institution,
        position="Prosecutor General",
        language="en",
        salutation="Dear Prosecutor General,",
        postal_address="Garashsyzlyk avenue 1\nAshgabat 744000\nTurkmenistan",
    )
    template = LetterTemplate(campaign=campaign, language="en", subject=SUBJECT, body=BODY)
    values = {
        "target": "Prosecutor General, Prosecutor General's Office of Turkmenistan",
        "salutation": target.salutation,
        "case_facts": (
            "Gaspar Matalaev, Turkmenistan: detained in 2016 for documenting forced labour in the cotton harvest"
        ),
        "date": "3 June 2025",
        "co_signing_organisations": "Justice International, Lawyers for Lawyers, Freedom United",
        "organisation": "Justice International",
    }
    return campaign, target, template, values


def _worker(args: tuple[int, int, int]) -> tuple[int, int, float]:
    """Render letters [start, stop) in chunks, merged into PDFs of at most 5,000; returns (letters, bytes, s)."""
    start, stop, chunk = args
    _setup()
    from defensor.campaigns import letters
    from defensor.core.rendering.pdf import merge_pdfs, render_many

    campaign, target, template, values = _fixtures()

    def items() -> Any:
        for number in range(start, stop):
            first, last = FIRST_NAMES[number % 10], LAST_NAMES[(number // 10) % 10]
            signatory = letters.Signatory(f"{first} {last}", "Lawyer", f"Bar no. {100000 + number}", "Netherlands")
            yield letters._letter_item(
                campaign, template, target, {**values, "signatory": signatory.name}, signatory=signatory
            )

    began = time.perf_counter()
    size = 0
    pending: list[bytes] = []
    pending_letters = 0
    produced = 0
    for pdf in render_many(letters.LETTER_TEMPLATE, items(), chunk=chunk, language="en"):
        count = min(chunk, stop - start - produced)
        produced += count
        pending.append(pdf)
        pending_letters += count
        if pending_letters >= letters.LETTERS_PER_PDF:
            size += len(merge_pdfs(pending))
            pending, pending_letters = [], 0
    if pending:
        size += len(merge_pdfs(pending))
    return produced, size, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=91_000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=100, help="letters per Typst compilation")
    options = parser.parse_args()
    _setup()
    step = -(-options.count // options.processes)
    shares = [(start, min(options.count, start + step), options.chunk) for start in range(0, options.count, step)]
    load_before = os.getloadavg()[0]
    began = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with context.Pool(len(shares)) as pool:
        results = pool.map(_worker, shares)
    elapsed = time.perf_counter() - began
    produced = sum(r[0] for r in results)
    size = sum(r[1] for r in results)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rate = produced / elapsed
    print(f"letters rendered        {produced:,}")
    print(f"processes               {len(shares)} (cores: {os.cpu_count()})")
    print(f"letters per compilation {options.chunk}")
    print(f"total time              {elapsed:,.1f} s (workers: {', '.join(f'{r[2]:.1f} s' for r in results)})")
    print(f"throughput              {rate:,.0f} letters/s ({rate / len(shares):,.0f} per process)")
    baseline = BASELINE_MERGED * len(shares)
    print(f"baseline                {BASELINE_MERGED} pages/s per core merged -> {baseline} on {len(shares)}")
    print(f"PDF output              {size / 1e6:,.1f} MB ({size / max(produced, 1) / 1024:,.1f} KB per letter)")
    load_after = os.getloadavg()[0]
    print(f"load average (1 min)    {load_before:.1f} before, {load_after:.1f} after (other work on the machine)")
    print(f"peak memory             parent {parent:,.0f} MB, largest worker {children:,.0f} MB")


if __name__ == "__main__":
    main()
