"""How fast Defensor renders personalised one-page letters (the letter-campaign case).

    python bench/render.py                 # 2,000 letters
    python bench/render.py --count 10000 --chunk 100

Measures, for the generic letter template (`core/rendering/typst/letter.typ`):
- chunked: `render_many`, a chunk of letters per Typst compilation, then merged into one PDF;
- separate: `render_pdf` once per letter (one PDF each);
- chunked on 2 processes (one per core), as a worker pool would run it;
and the peak memory of this process and of the worker processes.
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
BASELINE_MERGED = 270  # pages/s per core, architecture §7
BASELINE_SEPARATE = 87  # letters/s per core, architecture §7

FIRST_NAMES = ["Мария", "Ahmet", "Chloé", "Ivan", "Nasrin", "Olena", "Pedro", "Zeynep", "Jan", "Amira"]
LAST_NAMES = ["Иванова", "Yılmaz", "Dubois", "Petrov", "Sotoudeh", "Kovalenko", "Alves", "Kaya", "de Vries", "Haddad"]
BODY = (
    "I am writing to you as a lawyer to express my deep concern about the detention of my colleague "
    "Ivan Petrov, arrested on 12 March 2025 after he represented clients in politically sensitive cases. "
    "According to the information I have received, he has been denied confidential access to his own "
    "lawyer and held in conditions that fall short of international standards.\n\n"
    "The UN Basic Principles on the Role of Lawyers require that lawyers be able to perform all of their "
    "professional functions without intimidation, hindrance, harassment or improper interference, and "
    "that they shall not be identified with their clients or their clients' causes as a result of "
    "discharging their functions.\n\n"
    "I therefore urge you to release Ivan Petrov immediately and unconditionally, to guarantee his "
    "physical and psychological integrity, and to ensure that all lawyers in the country can carry out "
    "their work without fear of reprisals."
)


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "defensor.settings")
    import django

    django.setup()


def letter(number: int) -> dict[str, Any]:
    first, last = FIRST_NAMES[number % 10], LAST_NAMES[(number // 10) % 10]
    return {
        "sender": {"name": f"{first} {last}", "lines": [f"Bar membership no. {100000 + number}", "Paris"]},
        "recipient": ["H.E. the Minister of Justice", "Ministry of Justice", "Zhitnaya 14", "119991 Moscow"],
        "date": "3 June 2025",
        "city": "Paris",
        "reference": f"Campaign 2025/14 · letter {number}",
        "subject": "Release of lawyer Ivan Petrov",
        "salutation": "Your Excellency,",
        "body": BODY,
        "closing": "Yours faithfully,",
        "signature": {"name": f"{first} {last}", "title": "Lawyer"},
        "annexes": ["Opinion No. 12/2024 of the UN Working Group on Arbitrary Detention"],
    }


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def render_chunked(start: int, count: int, chunk: int) -> tuple[int, int]:
    """Render letters [start, start + count) in chunks; returns (pages, bytes of the merged PDF)."""
    from defensor.core.rendering.pdf import LETTER_TEMPLATE, merge_pdfs, page_count, render_many

    parts = list(render_many(LETTER_TEMPLATE, (letter(n) for n in range(start, start + count)), chunk=chunk))
    merged = merge_pdfs(parts)
    return page_count(merged), len(merged)


def _worker(arguments: tuple[int, int, int]) -> tuple[int, int, float]:
    _setup()
    pages, size = render_chunked(*arguments)
    return pages, size, peak_mb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=2000, help="letters to render (default 2000)")
    parser.add_argument("--chunk", type=int, default=50, help="letters per Typst compilation (default 50)")
    parser.add_argument("--processes", type=int, default=2, help="processes for the parallel run (default 2)")
    options = parser.parse_args()
    count, chunk, processes = options.count, options.chunk, options.processes
    _setup()
    from defensor.core.rendering.pdf import LETTER_TEMPLATE, render_many, render_pdf

    # Warm up: load the fonts and parse the template once, as a long-running worker would have.
    list(render_many(LETTER_TEMPLATE, [letter(0), letter(1)], chunk=2))

    print(f"{count} personalised one-page letters, {os.cpu_count()} CPUs")

    started = time.perf_counter()
    parts = list(render_many(LETTER_TEMPLATE, (letter(n) for n in range(count)), chunk=chunk))
    rendered = time.perf_counter() - started
    from defensor.core.rendering.pdf import merge_pdfs, page_count

    merged = merge_pdfs(parts)
    total = time.perf_counter() - started
    pages = page_count(merged)
    assert pages == count, f"expected {count} pages, got {pages}"
    print(
        f"chunked ({chunk} per compilation), 1 process: {count / rendered:8.1f} letters/s rendering, "
        f"{count / total:8.1f} letters/s with the merge into one PDF "
        f"({total:.2f} s, {len(merged) / count / 1024:.1f} KiB a page merged)"
    )

    started = time.perf_counter()
    size = 0
    for number in range(count):
        size += len(render_pdf(LETTER_TEMPLATE, letter(number)))
    separate = time.perf_counter() - started
    print(
        f"separate documents, 1 process:     {count / separate:8.1f} letters/s "
        f"({separate:.2f} s, {size / count / 1024:.1f} KiB a letter)"
    )
    print(f"peak memory of this process: {peak_mb():.0f} MiB")

    share = [count // processes + (1 if n < count % processes else 0) for n in range(processes)]
    starts = [sum(share[:n]) for n in range(processes)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes) as pool:
        # Start the workers (interpreter, Django, fonts) before the clock, like a running worker pool.
        pool.map(_worker, [(0, 2, 2)] * processes)
        started = time.perf_counter()
        results = pool.map(_worker, [(starts[n], share[n], chunk) for n in range(processes)])
        parallel = time.perf_counter() - started
    pages = sum(result[0] for result in results)
    assert pages == count, f"expected {count} pages, got {pages}"
    print(
        f"chunked, {processes} processes:             {count / parallel:8.1f} letters/s "
        f"({parallel:.2f} s, each process merges its share into one PDF)"
    )
    print(f"peak memory of a worker process: {max(result[2] for result in results):.0f} MiB")
    print(
        f"architecture baseline: ~{BASELINE_MERGED} pages/s per core merged, "
        f"~{BASELINE_SEPARATE} letters/s per core as separate documents"
    )


if __name__ == "__main__":
    main()
