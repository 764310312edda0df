"""The per-script table for a closing note or a review: words, estimated speech at the default length,
and the reachable range, for each script (estimated speech durations, as ``mbcl-audio plan``).

    python tools/script_table.py scripts/nl/0[2-9]-*.txt scripts/en/0[2-9]-*.txt
    python tools/script_table.py --synthesize scripts/en/05-*.txt   # real speech (through the cache)

Words: every word the script can speak (optional passages and silence prompts included).
Speech at default: the voice's time in the plan at the catalogue's default length, prompts and
breath-locked halves included; the share of the track in brackets.
Pace: words a minute over all the script's speech, counting the ellipsis and paragraph pauses
inside running guidance (the voice's own rate inside its clips in brackets).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mbcl_audio import SAMPLE_RATE  # noqa: E402
from mbcl_audio.build import BuildOptions  # noqa: E402
from mbcl_audio.plan import fit, reachable_range  # noqa: E402
from mbcl_audio.plan.estimate import estimate_lead_samples, estimate_speech_samples  # noqa: E402
from mbcl_audio.prepare import read_script  # noqa: E402
from mbcl_audio.render.bell import framed  # noqa: E402
from mbcl_audio.render.voice import SpeechCache, open_voice  # noqa: E402
from mbcl_audio.script import Pause  # noqa: E402
from mbcl_audio.units import format_duration  # noqa: E402

WORD = re.compile(r"\w+")


def _speech(planned, synthesize: bool) -> list[int]:
    if not synthesize:
        return estimate_speech_samples(planned, SAMPLE_RATE)
    voice = open_voice(planned.front.voice, planned.front.language, ROOT / "voices")
    clips = voice.speak(planned, SpeechCache(), BuildOptions().mix.speech_lufs).clips
    return [len(clip) for clip in clips]


def row(path: Path, synthesize: bool) -> str:
    script = read_script(path)
    words = sum(len(WORD.findall(u.text)) for u in script.utterances)
    planned = framed(script, script.front.bell)
    speech = _speech(planned, synthesize)
    lo, hi = reachable_range(planned, speech, SAMPLE_RATE)
    plan = fit(planned, speech, round(script.front.length_s * SAMPLE_RATE), SAMPLE_RATE, estimate_lead_samples(planned, SAMPLE_RATE))
    voice_s = sum(v.duration_samples for v in plan.voice) / SAMPLE_RATE
    share = voice_s / script.front.length_s
    clips_s = sum(speech) / SAMPLE_RATE
    inside_s = sum(p.min_s for p in script.items if isinstance(p, Pause) and p.implicit)
    return (
        f"| {script.front.track} | {script.front.language} | {path.name} | {words} | "
        f"{voice_s / 60:.1f} ({share:.0%}) | {words / ((clips_s + inside_s) / 60):.0f} ({words / (clips_s / 60):.0f}) | "
        f"{format_duration(script.front.length_s)} | "
        f"{format_duration(lo / SAMPLE_RATE, 'up')} – {format_duration(hi / SAMPLE_RATE, 'down')} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scripts", nargs="+", type=Path)
    parser.add_argument("--synthesize", action="store_true", help="real speech durations (slow for piper) instead of estimates")
    args = parser.parse_args()
    source = "synthesized" if args.synthesize else "estimated"
    print(f"| track | lang | script | words | speech min at default (share) | pace, words/min (in clips) | default | reachable ({source}) |")
    print("|---|---|---|---|---|---|---|---|")
    for path in args.scripts:
        print(row(path, args.synthesize))


if __name__ == "__main__":
    main()
