"""Seconds per stage and peak memory for building track 1 and a 30-minute script.

Run on demand (never in the test suite)::

    .venv/bin/python benchmarks/bench_build.py [--minutes 30] [--out /tmp/bench]

Each case runs in a fresh process so its peak RSS is its own. Results go to
stdout as a Markdown table; copy them into docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LONG_SCRIPT_HEAD = """+++
track = 27
title = "Benchmark {minutes} minutes"
language = "en"
length = "{minutes}m"
voice = "espeak"
bed = "warm-pad"
+++
"""

PARAGRAPH = (
    "You can let the attention rest with the breath for a while, noticing how it comes and goes "
    "by itself, and whatever else is here can simply be here too."
)


def long_script(minutes: int) -> str:
    """A script of about ``minutes`` of speech, pauses and breathe blocks."""
    parts = [LONG_SCRIPT_HEAD.format(minutes=minutes)]
    for section in range(max(3, minutes // 5)):
        parts.append(f"# Part {section + 1}\n")
        for k in range(6):
            parts.append(f"{PARAGRAPH} Step {section + 1}.{k + 1}.\n\n[pause 5s..40s]\n")
        parts.append("[breathe 3]\n")
    return "\n".join(parts)


def run_case(script: Path, out: Path, cache: Path) -> dict:
    """Build one script in this process and report stage timings and peak RSS."""
    import os

    os.environ["MBCL_AUDIO_CACHE"] = str(cache)
    import time

    from mbcl_audio.audio import iter_blocks
    from mbcl_audio.build import build_track, prepare_track

    result = build_track(script, out)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the build's own peak
    stages = dict(result.seconds_per_stage)
    # Mixing happens lazily inside master and encode; time one bare pass on its own.
    mix = prepare_track(script).mix
    started = time.perf_counter()
    for a, b in iter_blocks(mix.n_samples):
        mix.read(a, b)
    stages["mix"] = time.perf_counter() - started
    return {
        "script": str(script),
        "duration_s": result.duration_s,
        "stages_s": stages,
        "synthesized": result.synthesized,
        "peak_rss_mb": peak_rss_mb,
        "loudness_lufs": result.loudness_lufs,
        "true_peak_dbtp": result.true_peak_dbtp,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=30)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--case", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:  # child process: one case
        print(json.dumps(run_case(args.case, args.out, args.cache)))
        return

    work = Path(tempfile.mkdtemp(prefix="mbcl-bench-"))
    out = args.out or work / "out"
    long_path = work / f"{args.minutes:02d}-benchmark.txt"
    long_path.write_text(long_script(args.minutes), encoding="utf-8")
    cases = [
        ("track 1 nl", ROOT / "scripts/nl/01-ademruimte-met-vriendelijkheid.txt"),
        ("track 1 en", ROOT / "scripts/en/01-breathing-space-with-kindness.txt"),
        (f"{args.minutes}-min script", long_path),
    ]
    rows = []
    for label, script in cases:
        cache = work / f"cache-{label.replace(' ', '-')}"
        for run in ("cold", "warm"):
            proc = subprocess.run(
                [sys.executable, __file__, "--case", str(script), "--out", str(out), "--cache", str(cache)],
                capture_output=True, text=True, check=True,
            )
            rows.append((label, run, json.loads(proc.stdout.strip().splitlines()[-1])))
    stages = ["parse", "speech", "plan", "mix", "master", "encode", "verify"]
    print("| case | cache | length | " + " | ".join(f"{s} s" for s in stages) + " | total s | peak RSS MB |")
    print("|---|---|---|" + "---|" * (len(stages) + 2))
    for label, run, r in rows:
        st = r["stages_s"]
        total = sum(v for k, v in st.items() if k != "mix")  # mix is inside master and encode
        minutes, seconds = divmod(r["duration_s"], 60)
        print(
            f"| {label} | {run} | {int(minutes)}:{seconds:04.1f} | "
            + " | ".join(f"{st.get(s, 0):.2f}" for s in stages)
            + f" | {total:.1f} | {r['peak_rss_mb']:.0f} |"
        )


if __name__ == "__main__":
    main()
