"""On-demand fuzz run of the parser and the planner (issue 11): counts, other exceptions, slowest input.

    PYTHONPATH=tests python benchmarks/fuzz.py                 # 100,000 parser and 20,000 plan inputs
    PYTHONPATH=tests python benchmarks/fuzz.py --parse 1000 --plan 200

Every input is a generated script (``tests/fuzz_scripts.py``). It prints, per run: inputs, how many
parsed or planned, how many gave the project's own error, any other exception (with the first
input that raised it), and the slowest input's time. Exits 1 if any other exception occurred.
The results are reported in docs/reliability.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter

from fuzz_scripts import parse_outcome, plan_outcome, scripts
from hypothesis import HealthCheck, given, settings


def run(name: str, outcome, count: int) -> bool:
    counts: Counter = Counter()
    first_bad: dict[str, str] = {}
    slowest = (0.0, "")

    @settings(max_examples=count, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(scripts())
    def one(text: str) -> None:
        nonlocal slowest
        t0 = time.perf_counter()
        result = outcome(text)
        elapsed = time.perf_counter() - t0
        counts[result] += 1
        if result not in ("ok", "error"):
            first_bad.setdefault(result, text)
        if elapsed > slowest[0]:
            slowest = (elapsed, text)

    t0 = time.perf_counter()
    one()
    total = sum(counts.values())
    other = {k: v for k, v in counts.items() if k not in ("ok", "error")}
    print(f"{name}: {total} inputs in {time.perf_counter() - t0:.0f} s; ok {counts['ok']}, project errors "
          f"{counts['error']}, other exceptions {sum(other.values())} {other or ''}; slowest {slowest[0] * 1000:.0f} ms")
    for kind, text in first_bad.items():
        print(f"  first {kind}:\n{text}")
    return not other


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parse", type=int, default=100_000)
    parser.add_argument("--plan", type=int, default=20_000)
    args = parser.parse_args()
    ok = run("parse", parse_outcome, args.parse)
    ok = run("parse + plan", plan_outcome, args.plan) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
