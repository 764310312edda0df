"""Fit the planner's speech estimates (``plan/estimate.py``) to the project's own voices.

Run from the repository root after changing a voice's pace::

    python tools/calibrate_estimates.py

Speaks every shipped script in its own voice and in espeak (through the speech cache, as a build does) and
fits ``seconds = BASE_S + characters / rate`` per voice and language by least squares with the
shared ``BASE_S``, printing the rates to put in ``CHARS_PER_S`` and how far the estimate then
misses each utterance and each script.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from mbcl_audio import SAMPLE_RATE
from mbcl_audio.build import BuildOptions
from mbcl_audio.plan.estimate import BASE_S
from mbcl_audio.render.voice import SpeechCache, open_voice
from mbcl_audio.script import parse_script


def main() -> int:
    root = Path(__file__).resolve().parents[1]
    cache = SpeechCache()
    samples: dict[tuple[str, str], list[tuple[int, float]]] = defaultdict(list)
    scripts = sorted((root / "scripts").glob("*/[0-9][0-9]-*.txt"))
    for path in scripts:
        script = parse_script(path)
        # Its own voice, and espeak: the draft voice of every language.
        for name in dict.fromkeys((script.front.voice, "espeak")):
            voice = open_voice(name, script.front.language, root / "voices")
            speech = voice.speak(script, cache, BuildOptions().mix.speech_lufs)
            pairs = [(len(u.text), len(c) / SAMPLE_RATE) for u, c in zip(script.utterances, speech.clips)]
            samples[(name, script.front.language)] += pairs
    for (voice, language), pairs in sorted(samples.items()):
        chars = np.array([c for c, _ in pairs], dtype=np.float64)
        seconds = np.array([s for _, s in pairs])
        # seconds - BASE_S = chars / rate: one parameter, least squares through the origin.
        rate = float(chars @ chars / (chars @ (seconds - BASE_S)))
        miss = BASE_S + chars / rate - seconds
        total = abs(miss.sum()) / seconds.sum() * 100
        print(
            f'("{voice}", "{language}"): {rate:.1f},  # {len(pairs)} utterances: '
            f"worst {np.abs(miss).max():.2f} s, whole scripts {total:.1f} % of their speech"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
