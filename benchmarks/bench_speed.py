"""A warm build beside the encode floor of the same audio and an equivalent ffmpeg pipeline.

Run on demand (never in the test suite)::

    .venv/bin/python benchmarks/bench_speed.py [--cases 5,25,45] [--rounds 3] [--out /tmp/bench-speed]

For each case (5: track 1 nl at 5 min; 25: track 3 nl at 25 min; 45: a generated 45-minute
script), with a warm speech cache:

* **warm build**: ``mbcl-audio build`` of the case in a fresh process (wall seconds, peak RSS);
* **soundfile encode**: libsndfile's LAME encoding the built track's decoded audio (192 kb/s CBR);
* **ffmpeg libmp3lame**: ``ffmpeg -c:a libmp3lame -b:a 192k`` encoding the same audio;
* **ffmpeg pipeline**: what a producer could script instead from the track's stems (the placed
  voice, and the bed and pacing tone): the bed ducked under the voice (``sidechaincompress``),
  ``amix``, two-pass ``loudnorm`` to -18 LUFS and -2 dBTP, ``libmp3lame`` at 192 kb/s.

With ``--set LANG`` it also times ``mbcl-audio build-set --lang LANG --lengths short --force``
with ``-j 1`` and ``-j 2`` (every scripted track of the language, speech cached by an unmeasured
first run): wall seconds, peak RSS of the largest process, and the speed-up.

Medians over ``--rounds``; Markdown tables on stdout for docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_build import long_script  # noqa: E402  (a sibling script, not a package)

CASES = {
    5: ("track 1 nl, 5 min", ROOT / "scripts/nl/01-ademruimte-met-vriendelijkheid.txt", "5m"),
    25: ("track 3 nl, 25 min", ROOT / "scripts/nl/03-mildheidmeditatie-jezelf.txt", "25m"),
    45: ("generated 45 min", None, "45m"),
}


def _timed(command: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall seconds and the peak RSS (MB) of ``command`` run to its end (GNU time's figure)."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *command], check=True, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    return seconds, int(done.stderr.strip().splitlines()[-1]) / 1024


def _build(script: Path, length: str, out: Path, env: dict) -> tuple[float, float]:
    command = [sys.executable, "-m", "mbcl_audio.cli", "build", str(script), "--length", length, "--out", str(out)]
    return _timed(command, env)


def _stems(script: Path, length: str, folder: Path) -> tuple[Path, Path]:
    """The placed voice (mono) and the bed with the pacing tone (stereo), as float WAV."""
    import numpy as np
    import soundfile as sf

    from mbcl_audio.build import BuildOptions
    from mbcl_audio.prepare import prepare_track
    from mbcl_audio.units import parse_duration_s

    track = prepare_track(script, BuildOptions(length_s=parse_duration_s(length)))
    mix = track.mix
    voice_path, music_path = folder / "voice.wav", folder / "music.wav"
    with sf.SoundFile(voice_path, "w", mix.sample_rate, 1, "FLOAT") as voice, \
            sf.SoundFile(music_path, "w", mix.sample_rate, 2, "FLOAT") as music:
        for start in range(0, mix.n_samples, 441_000):
            stop = min(mix.n_samples, start + 441_000)
            v = mix.voice(start, stop)
            voice.write(v)
            music.write(mix.read(start, stop) - v[:, None].astype(np.float32))
    return voice_path, music_path


def _ffmpeg_pipeline(voice: Path, music: Path, out: Path) -> float:
    duck = ("[1:a][0:a]sidechaincompress=threshold=0.03:ratio=6:attack=50:release=600[ducked];"
            "[0:a]pan=stereo|c0=c0|c1=c0[v];[v][ducked]amix=inputs=2:normalize=0")
    start = time.perf_counter()
    first = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostats", "-y", "-i", str(voice), "-i", str(music), "-filter_complex",
         duck + ",loudnorm=I=-18:TP=-2:LRA=20:print_format=json", "-f", "null", "-"],
        check=True, capture_output=True, text=True,
    )
    measured = json.loads(re.search(r"\{[^{}]*\"input_i\"[^{}]*\}", first.stderr).group(0))
    second = (f"loudnorm=I=-18:TP=-2:LRA=20:measured_I={measured['input_i']}:measured_TP={measured['input_tp']}:"
              f"measured_LRA={measured['input_lra']}:measured_thresh={measured['input_thresh']}:"
              f"offset={measured['target_offset']}:linear=true")
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostats", "-y", "-i", str(voice), "-i", str(music), "-filter_complex",
         duck + "," + second + ",aresample=44100", "-c:a", "libmp3lame", "-b:a", "192k", str(out)],
        check=True, capture_output=True,
    )
    return time.perf_counter() - start


def run(cases: list[int], rounds: int, out: Path) -> list[dict]:
    import soundfile as sf

    from mbcl_audio.audio import FileSource
    from mbcl_audio.export.mp3 import encode_mp3

    env = dict(os.environ, MBCL_AUDIO_CACHE=str(out / "cache"))
    os.environ["MBCL_AUDIO_CACHE"] = env["MBCL_AUDIO_CACHE"]
    rows = []
    for minutes in cases:
        name, script, length = CASES[minutes]
        folder = out / f"case-{minutes}"
        folder.mkdir(parents=True, exist_ok=True)
        if script is None:
            script = folder / "27-generated.txt"
            # An elastic pause after the last breathing block: any length near 45 min is reachable.
            script.write_text(long_script(minutes) + "\n[pause 10s..60s]\n\nThis is the end of the practice.\n", encoding="utf-8")
        _build(script, length, folder / "cold", env)  # fills the speech cache
        builds = [_build(script, length, folder / f"warm-{r}", env) for r in range(rounds)]
        (mp3,) = (folder / "warm-0").rglob("*.mp3")
        master = folder / "master.wav"
        audio, rate = sf.read(mp3, dtype="float32", always_2d=True)
        sf.write(master, audio, rate, subtype="FLOAT")
        del audio
        sf_times, ff_times, pipe_times = [], [], []
        voice, music = _stems(script, length, folder)
        for _ in range(rounds):
            start = time.perf_counter()
            encode_mp3(FileSource(master), folder / "sf.mp3", 192, encoder="libsndfile")
            sf_times.append(time.perf_counter() - start)
            ff_times.append(_timed(["ffmpeg", "-hide_banner", "-nostats", "-y", "-i", str(master), "-c:a", "libmp3lame",
                                    "-b:a", "192k", str(folder / "ff.mp3")])[0])
            pipe_times.append(_ffmpeg_pipeline(voice, music, folder / "pipeline.mp3"))
        build_s = statistics.median(b[0] for b in builds)
        rows.append({
            "case": name, "warm_build_s": build_s, "peak_rss_mb": max(b[1] for b in builds),
            "soundfile_encode_s": statistics.median(sf_times), "ffmpeg_encode_s": statistics.median(ff_times),
            "ffmpeg_pipeline_s": statistics.median(pipe_times),
        })
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    return rows


def run_set(language: str, rounds: int, out: Path) -> list[dict]:
    """``build-set`` of every ``language`` track at its shortest, with ``-j 1`` and ``-j 2``."""
    env = dict(os.environ, MBCL_AUDIO_CACHE=str(out / "cache"))
    folder = out / f"set-{language}"

    def build_set(jobs: int) -> tuple[float, float]:
        command = [sys.executable, "-m", "mbcl_audio.cli", "build-set", "--scripts", str(ROOT / "scripts"),
                   "--lang", language, "--lengths", "short", "--force", "-j", str(jobs), "--out", str(folder / f"j{jobs}")]
        return _timed(command, env)

    build_set(2)  # fills the speech cache and the bed loops
    rows = []
    times: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
    for _ in range(rounds):
        for jobs in (1, 2):  # alternated, so a slow spell of the machine falls on both
            times[jobs].append(build_set(jobs))
    for jobs in (1, 2):
        rows.append({"jobs": jobs, "wall_s": statistics.median(t[0] for t in times[jobs]),
                     "peak_rss_mb": max(t[1] for t in times[jobs]), "rounds_s": [round(t[0], 1) for t in times[jobs]]})
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default="5,25,45", help="comma-separated minutes: 5, 25, 45 (empty: none)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench-speed"))
    parser.add_argument("--set", dest="set_language", metavar="LANG", help="also time build-set -j 1 and -j 2 for LANG")
    args = parser.parse_args()
    rows = run([int(c) for c in args.cases.split(",")], args.rounds, args.out) if args.cases else []
    print("| case | warm build s | soundfile encode s | ffmpeg libmp3lame s | ffmpeg pipeline s | build / libmp3lame | pipeline / build | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['case']} | {r['warm_build_s']:.1f} | {r['soundfile_encode_s']:.1f} | {r['ffmpeg_encode_s']:.1f} | "
              f"{r['ffmpeg_pipeline_s']:.1f} | {r['warm_build_s'] / r['ffmpeg_encode_s']:.2f} | "
              f"{r['ffmpeg_pipeline_s'] / r['warm_build_s']:.2f} | {r['peak_rss_mb']:.0f} |")
    if args.set_language:
        one, two = run_set(args.set_language, args.rounds, args.out)
        print()
        print("| command | wall s (median) | rounds s | peak RSS MB (largest process) |")
        print("|---|---|---|---|")
        for r in (one, two):
            print(f"| `build-set -j {r['jobs']}` | {r['wall_s']:.1f} | {', '.join(map(str, r['rounds_s']))} | {r['peak_rss_mb']:.0f} |")
        print(f"\nspeed-up -j 2 / -j 1: {one['wall_s'] / two['wall_s']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
