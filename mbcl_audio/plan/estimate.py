"""Speech durations before synthesis, for planning without rendering (``mbcl-audio plan``, ``check``).

A duration is ``base + characters / rate + sentence breaks * break``, fitted per voice on the
shipped scripts (tracks 1-9 in nl, en and de) after trimming (least squares over every utterance,
``tools/calibrate_estimates.py``). The estimate misses single utterances by up to 1.5 s for
espeak in Dutch, 2.2 s in English, 1.8 s in German and 2.8 s for piper, all scripts together by
0.8 % of their speech at most and any one script by 3.4 % at most; ``build`` always plans with
the real durations.
"""

from __future__ import annotations

import re

from ..script.model import Script

#: (voice, language) -> (characters per second, seconds per sentence break); ``(voice, None)`` is
#: the voice's default. A sentence break (:data:`SENTENCE_BREAK`) costs the pause a voice makes
#: between sentences (piper's ``sentence_gap_s``, espeak's own): without it, scripts of short
#: sentences came out up to 5 % long. Fitted by ``tools/calibrate_estimates.py`` on the shipped
#: scripts at the voices' calm pace.
SPEECH_RATES: dict[tuple[str, str | None], tuple[float, float]] = {
    ("espeak", "nl"): (12.1, 0.35),
    ("espeak", "en"): (11.7, 0.53),
    # Fitted on the German tracks 1-9 (399 utterances): espeak speaks German faster than Dutch.
    ("espeak", "de"): (12.8, 0.35),
    ("espeak", None): (11.9, 0.44),
    ("piper-joe", "en"): (12.1, 1.03),
    ("piper", None): (12.1, 1.03),
}
#: Where one sentence ends and another begins inside an utterance.
SENTENCE_BREAK = re.compile(r"[.!?](?=\s+\S)")
#: Seconds every utterance takes beyond its characters (onset, final syllable, trim margins).
BASE_S = 0.1
#: Seconds from a clip's start to where its voice sets in: the pre-roll that trimming keeps
#: (``render.voice.speech.trim_silence``; measured 39-49 ms for piper and recorded takes, about
#: 2 ms for espeak, whose synthesis opens on the voice). ``build`` measures every clip instead.
LEAD_S = 0.04


def speech_rate(voice: str, language: str) -> tuple[float, float]:
    """The calibrated (characters per second, seconds per sentence break) of a voice (any
    ``.onnx`` voice counts as ``piper``)."""
    key = "piper" if voice.endswith(".onnx") else voice
    base_language = language.split("-")[0]
    return SPEECH_RATES.get((key, base_language)) or SPEECH_RATES.get((key, None)) or SPEECH_RATES[("espeak", None)]


def estimate_seconds(text: str, voice: str, language: str) -> float:
    """Estimated spoken duration of ``text`` (seconds)."""
    chars_per_s, break_s = speech_rate(voice, language)
    return BASE_S + len(text) / chars_per_s + break_s * len(SENTENCE_BREAK.findall(text))


def estimate_speech_samples(
    script: Script, sample_rate: int, voice: str | None = None
) -> list[int]:
    """Estimated duration of each of ``script.utterances`` in samples."""
    voice = voice or script.front.voice
    return [
        int(round(estimate_seconds(u.text, voice, script.front.language) * sample_rate))
        for u in script.utterances
    ]


def estimate_lead_samples(script: Script, sample_rate: int) -> list[int]:
    """Estimated samples from each clip's start to its voice onset (see :data:`LEAD_S`)."""
    return [int(round(LEAD_S * sample_rate))] * len(script.utterances)
