"""Speech durations before synthesis, for planning without rendering (``mbcl-audio plan``, ``check``).

A duration is ``base + characters / rate``, fitted per voice on the shipped
scripts after trimming (least squares over every utterance,
``tools/calibrate_estimates.py``). The estimate misses single utterances by up
to 1.6 s for espeak and 2.2 s for piper, and whole scripts by 1.3 % of their
speech at most; ``build`` always plans with the real durations.
"""

from __future__ import annotations

from ..script.model import Script

#: (voice, language) -> characters per second; ``(voice, None)`` is the voice's default.
#: Fitted by ``tools/calibrate_estimates.py`` on the shipped scripts at the voices' calm pace
#: (about 130 words a minute): whole scripts within 1.3 % of their speech.
CHARS_PER_S: dict[tuple[str, str | None], float] = {
    ("espeak", "nl"): 11.9,
    ("espeak", "en"): 11.2,
    ("espeak", None): 11.6,
    ("piper-joe", "en"): 11.0,
    ("piper", None): 11.0,
}
#: Seconds every utterance takes beyond its characters (onset, final syllable, trim margins).
BASE_S = 0.1
#: Seconds from a clip's start to where its voice sets in: the pre-roll that trimming keeps
#: (``render.voice.speech.trim_silence``; measured 39-49 ms for piper and recorded takes, about
#: 2 ms for espeak, whose synthesis opens on the voice). ``build`` measures every clip instead.
LEAD_S = 0.04


def chars_per_second(voice: str, language: str) -> float:
    """The calibrated speaking rate of a voice (any ``.onnx`` voice counts as ``piper``)."""
    key = "piper" if voice.endswith(".onnx") else voice
    base_language = language.split("-")[0]
    return CHARS_PER_S.get((key, base_language)) or CHARS_PER_S.get((key, None)) or CHARS_PER_S[("espeak", None)]


def estimate_seconds(text: str, voice: str, language: str) -> float:
    """Estimated spoken duration of ``text`` (seconds)."""
    return BASE_S + len(text) / chars_per_second(voice, language)


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
