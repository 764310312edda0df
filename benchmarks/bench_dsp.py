"""Seconds to synthesize each generated bed loop and one pacing-tone cycle per family.

Run on demand (never in the test suite, where a busy machine would fail a timing)::

    .venv/bin/python benchmarks/bench_dsp.py [--repeat 3]

Every figure is the fastest of ``--repeat`` cold runs (the module caches are
bypassed or cleared), next to the budget it should stay within. The exit
status is 0 either way: the figures are for reading, not a verdict.
"""

from __future__ import annotations

import argparse
import time
from typing import Callable

from mbcl_audio import SAMPLE_RATE
from mbcl_audio.render import tones
from mbcl_audio.render.bed import BED_NAMES, generated
from mbcl_audio.render.tones import TONE_FAMILIES, breath_cycle

#: A generated bed loop is made once per build; about 3 s keeps a short build short.
BED_BUDGET_S = 3.0
#: A ten-second breath cycle (6 per minute, 4:6) is made per distinct cycle of a ramp.
TONE_BUDGET_S = 0.3
TONE_CYCLE_SAMPLES = 441_000
TONE_IN_SAMPLES = 176_400


def fastest_s(run: Callable[[], object], repeat: int, before: Callable[[], None] = lambda: None) -> float:
    """The shortest wall time of ``repeat`` calls of ``run``, each after ``before`` (cache clearing)."""
    best = float("inf")
    for _ in range(repeat):
        before()
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the fastest counts (default 3)")
    args = parser.parse_args()

    rows = []
    for name in BED_NAMES:
        # The recipe itself, not bed_loop: bed_loop would answer from its cache after the first run.
        seconds = fastest_s(lambda: generated._RECIPES[name](SAMPLE_RATE), args.repeat)
        rows.append((f"bed {name}", seconds, BED_BUDGET_S))
    for family in TONE_FAMILIES:
        seconds = fastest_s(
            lambda: breath_cycle(family, TONE_CYCLE_SAMPLES, TONE_IN_SAMPLES, SAMPLE_RATE),
            args.repeat,
            before=tones._table.cache_clear,
        )
        rows.append((f"tone {family} (10 s cycle)", seconds, TONE_BUDGET_S))

    print(f"| case | seconds | budget s | within |  (fastest of {args.repeat}, {SAMPLE_RATE} Hz)")
    print("|---|---:|---:|---|")
    for case, seconds, budget in rows:
        print(f"| {case} | {seconds:.3f} | {budget:.1f} | {'yes' if seconds <= budget else 'NO'} |")


if __name__ == "__main__":
    main()
