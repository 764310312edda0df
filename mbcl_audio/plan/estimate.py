"""Speech durations before synthesis, for planning without rendering (``mbcl-audio plan``, ``check``).

A duration is ``base + characters / rate``, fitted per voice on the track 1
scripts after trimming (least squares over every utterance). The estimate is
within about 0.5 s per utterance for espeak and 1.4 s for piper, and within
1 % over a whole script; ``build`` always plans with the real durations.
"""

from __future__ import annotations

from ..script.model import Script

#: (voice, language) -> characters per second; ``(voice, None)`` is the voice's default.
CHARS_PER_S: dict[tuple[str, str | None], float] = {
    ("espeak", "nl"): 13.7,
    ("espeak", "en"): 15.1,
    ("espeak", None): 14.5,
    ("piper-joe", "en"): 15.4,
    ("piper", None): 15.0,
}
#: Seconds every utterance takes beyond its characters (onset, final syllable, trim margins).
BASE_S = 0.1


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
