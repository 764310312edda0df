"""Fit the planner's speech estimates (``plan/estimate.py``) to the project's own voices.

Run from the repository root after changing a voice's pace::

    python tools/calibrate_estimates.py

Speaks every shipped script in its own voice and in espeak (through the speech cache, as a build does) and
fits ``seconds = BASE_S + characters / rate + breaks * break_s`` per voice and language by least
squares with the shared ``BASE_S`` (``breaks``: the sentence breaks inside an utterance), printing
the pairs to put in ``SPEECH_RATES`` and how far the estimate then misses each utterance, all
scripts together and the worst script.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from mbcl_audio import SAMPLE_RATE
from mbcl_audio.build import BuildOptions
from mbcl_audio.plan.estimate import BASE_S, SENTENCE_BREAK
from mbcl_audio.render.voice import SpeechCache, open_voice
from mbcl_audio.script import parse_script


def main() -> int:
    root = Path(__file__).resolve().parents[1]
    cache = SpeechCache()
    samples: dict[tuple[str, str], list[tuple[int, int, float, str]]] = defaultdict(list)
    scripts = sorted((root / "scripts").glob("*/[0-9][0-9]-*.txt"))
    for path in scripts:
        script = parse_script(path)
        # Its own voice, and espeak: the draft voice of every language.
        for name in dict.fromkeys((script.front.voice, "espeak")):
            voice = open_voice(name, script.front.language, root / "voices")
            speech = voice.speak(script, cache, BuildOptions().mix.speech_lufs)
            rows = [
                (len(u.text), len(SENTENCE_BREAK.findall(u.text)), len(c) / SAMPLE_RATE, path.name)
                for u, c in zip(script.utterances, speech.clips)
            ]
            samples[(name, script.front.language)] += rows
    for (voice, language), rows in sorted(samples.items()):
        features = np.array([(c, b) for c, b, _, _ in rows], dtype=np.float64)
        seconds = np.array([s for _, _, s, _ in rows])
        # seconds - BASE_S = chars / rate + breaks * break_s: two parameters, least squares.
        (per_char, break_s), *_ = np.linalg.lstsq(features, seconds - BASE_S, rcond=None)
        rate = 1.0 / per_char
        miss = BASE_S + features @ np.array([1.0 / round(rate, 1), round(break_s, 2)]) - seconds
        total = abs(miss.sum()) / seconds.sum() * 100
        names = np.array([name for *_, name in rows])
        worst_script, worst_pct = max(
            ((name, abs(miss[names == name].sum()) / seconds[names == name].sum() * 100) for name in set(names)),
            key=lambda pair: pair[1],
        )
        print(
            f'("{voice}", "{language}"): ({rate:.1f}, {break_s:.2f}),  # {len(rows)} utterances: '
            f"worst {np.abs(miss).max():.2f} s; all scripts {total:.1f} %, worst script {worst_pct:.1f} % "
            f"({worst_script}) of their speech"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
