"""Plans of scripts with their own voice's real speech durations, without rendering any audio.

For tests that only need a plan (lengths, the reachable range, which passages fit): the speech is
synthesized through a cache, as a build would, and mbcl_audio.plan.fit places it. No mix, bed or
pacing tone is set up and nothing is mastered or encoded.
"""

from __future__ import annotations

from pathlib import Path

from texts import VOICES_DIR

from mbcl_audio import SAMPLE_RATE
from mbcl_audio.build import BuildOptions
from mbcl_audio.render.bell import framed
from mbcl_audio.plan import Plan, fit, reachable_range
from mbcl_audio.render.voice import SpeechCache, open_voice
from mbcl_audio.script import Script, parse_script


def real_speech_samples(script_path: Path, cache_dir: Path) -> tuple[Script, list[int]]:
    """The script as a build plans it (framed by its lead-in and lead-out) and the length (samples) of
    each utterance in its own voice, as a build speaks it."""
    script = parse_script(script_path)
    script = framed(script, script.front.bell)
    voice = open_voice(script.front.voice, script.front.language, VOICES_DIR)
    speech = voice.speak(script, SpeechCache(cache_dir), BuildOptions().mix.speech_lufs)
    return script, [len(clip) for clip in speech.clips]


def plan_at(script_path: Path, cache_dir: Path, length_s: float) -> Plan:
    """The plan of ``script_path`` at ``length_s`` seconds with real speech durations."""
    script, speech = real_speech_samples(script_path, cache_dir)
    return fit(script, speech, round(length_s * SAMPLE_RATE), SAMPLE_RATE)


def range_samples(script_path: Path, cache_dir: Path) -> tuple[int, int]:
    """The shortest and longest reachable length (samples) with real speech durations."""
    script, speech = real_speech_samples(script_path, cache_dir)
    return reachable_range(script, speech, SAMPLE_RATE)
