"""Measure built tracks as a listener gets them: the table of docs/sound.md ("Measured").

Run from the repository root (it builds into a temporary folder, or ``--out DIR``)::

    python tools/sound_table.py                      # track 1 nl/en, track 3 nl: every bed, bells at start and end
    python tools/sound_table.py --track 1 --lang en --bed ocean --length 300

Every figure is measured on the decoded MP3 except the limiting, which only the
master knows. Per build:

* **voice**: speech-gated loudness (LUFS) over the spans in the file's speech tag;
* **integrated** loudness (LUFS) and **true peak** (dBTP, 4x), of the whole file;
* **limiting**: the deepest limiter gain reduction on speech, and anywhere (dB);
* **first word**: where the voice sets in (s), and the file's level before it;
* **end**: RMS of the last 50 ms (dB);
* **onsets**: for every breath-locked half, where its voice sets in (a 2 ms RMS envelope
  reaching -40 dB re the half's peak) minus its breath phase, worst case (ms). The voice is
  separated from the decoded mix by taking away the other layers exactly as mastered
  (the same master gain and limiter gain curve): what is left is the voice and the
  encoder's error.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from mbcl_audio import SAMPLE_RATE
from mbcl_audio.audio import FileSource
from mbcl_audio.build import BuildOptions, build_track, prepare_track, resolve_scripts
from mbcl_audio.export.frames import parse_speech_tag
from mbcl_audio.export.tags import read_tags
from mbcl_audio.master.limiter import TruePeakLimiter
from mbcl_audio.measure import measure
from mbcl_audio.measure.meters import power_db
from mbcl_audio.measure.onset import envelope_onset_sample

BEDS = ("none", "warm-pad", "ocean", "rain")
#: (track, language, lengths): track 1 reaches 3-8.6 min, so it is measured at its default and longest.
CASES = ((1, "nl", (None, "max")), (1, "en", (None, "max")), (3, "nl", (600.0, 1500.0)))
ONSET_DB = -40.0


def rms_db(x: np.ndarray) -> float:
    return power_db(float(np.mean(np.square(x, dtype=np.float64)))) if x.size else -math.inf


def onset_errors_ms(script: Path, options: BuildOptions, result, decoded: np.ndarray) -> list[float]:
    """Voice onset minus breath phase (ms) of every breath-locked half, measured in ``decoded``."""
    prepared = prepare_track(script, options)  # the same plan and mix as the build (speech from the cache)
    plan, mix = prepared.plan, prepared.mix
    limiter = TruePeakLimiter(mix, result.master.gain_db, result.master.ceiling_dbtp)
    gain = 10 ** (result.master.gain_db / 20)
    phases = sorted(t for st in plan.pacing for c in st.cycles() for t in (c.start_sample, c.start_sample + c.in_samples))
    errors = []
    for phrase in (e for e in plan.events if e.kind == "phrase"):
        halves = [o for o in plan.overlays if phrase.start_sample - SAMPLE_RATE // 10 <= o.start_sample < phrase.stop_sample]
        for half in halves:
            a, b = half.start_sample, half.stop_sample
            g, _ = limiter.gain_curve(a, b)
            voice = mix.voice(a, b).astype(np.float64)
            others = mix.read(a, b).astype(np.float64) - voice[:, None]
            left = (decoded[a:b] - (gain * g)[:, None] * others).mean(axis=1)  # the voice, as decoded
            expected_peak = float(np.max(np.abs(gain * g * voice)))
            onset = a + envelope_onset_sample(left, SAMPLE_RATE, ONSET_DB, peak=expected_peak)
            target = min(phases, key=lambda t: abs(t - onset))
            errors.append(1000 * (onset - target) / SAMPLE_RATE)
    return errors


def measure_build(script: Path, options: BuildOptions, out: Path) -> dict:
    r = build_track(script, out, options)
    spans = parse_speech_tag(read_tags(r.path)["speech"]).spans
    with FileSource(r.path) as source:
        m = measure(source, speech_spans=spans)
    decoded, rate = sf.read(str(r.path), dtype="float64", always_2d=True)
    assert rate == SAMPLE_RATE
    first = min(e.onset_sample for e in r.plan.voice)
    errors = onset_errors_ms(script, options, r, decoded)
    return {
        "file": r.path.name,
        "length_s": len(decoded) / rate,
        "voice_lufs": m.voice_lufs,
        "integrated_lufs": m.integrated_lufs,
        "true_peak_dbtp": m.true_peak_dbtp,
        "speech_limiting_db": r.master.max_speech_reduction_db,
        "limiting_db": r.master.max_reduction_db,
        "first_word_s": first / rate,
        "before_first_word_db": rms_db(decoded[max(0, first - rate // 10) : first]),
        "end_db": rms_db(decoded[-rate // 20 :]),
        "onset_errors_ms": errors,
    }


def row(track: int, lang: str, bed: str, d: dict) -> str:
    worst = max(d["onset_errors_ms"], key=abs) if d["onset_errors_ms"] else float("nan")
    minutes, seconds = divmod(d["length_s"], 60)
    return (
        f"| {track} {lang} | {int(minutes)}:{seconds:04.1f} | {bed} | {d['voice_lufs']:.2f} | {d['integrated_lufs']:.2f} | "
        f"{d['true_peak_dbtp']:.2f} | {d['speech_limiting_db']:.2f} / {d['limiting_db']:.2f} | "
        f"{d['first_word_s']:.2f} ({d['before_first_word_db']:.0f} dB before) | {d['end_db']:.0f} | "
        f"{len(d['onset_errors_ms'])} halves, worst {worst:+.1f} |"
    )


HEADER = (
    "| track | length | bed | voice (LUFS) | integrated (LUFS) | true peak (dBTP) | limiting speech / anywhere (dB) "
    "| first word (s) | end, last 50 ms (dB) | breath-locked onsets (ms) |\n"
    "|---|---|---|---|---|---|---|---|---|---|"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--track", type=int)
    parser.add_argument("--lang")
    parser.add_argument("--bed", choices=BEDS)
    parser.add_argument("--length", help="seconds, or min / max")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parents[1]
    out = args.out or Path(tempfile.mkdtemp(prefix="sound-table-"))
    cases = [(t, lang, lengths) for t, lang, lengths in CASES if args.track in (None, t) and args.lang in (None, lang)]
    if args.track is not None and not cases:
        cases = [(args.track, args.lang or "nl", (None,))]
    print(HEADER, flush=True)
    for track, lang, lengths in cases:
        if args.length is not None:
            lengths = (args.length if args.length in ("min", "max") else float(args.length),)
        script = resolve_scripts(str(track), [lang], root / "scripts")[0]
        for length in lengths:
            for bed in BEDS if args.bed is None else (args.bed,):
                options = BuildOptions(length_s=length, bed=bed, bell=("start", "end"), voices_dir=root / "voices")
                d = measure_build(script, options, out / f"{bed}-{length}")
                print(row(track, lang, bed, d), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
