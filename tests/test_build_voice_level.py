"""The voice sets the level: built and decoded, the voice lands at the same loudness whatever plays with it.

One short Dutch script (espeak), built with every generated bed, with and without bells, and at
a short and a five times longer length; each file decoded and its voice measured over the spans
its speech tag names (speech-gated BS.1770 loudness).
"""

from __future__ import annotations

import pytest
import soundfile as sf
from audio_checks import decoded_voice_lufs, rms_db
from signals import SR
from texts import write_script

from mbcl_audio.build import BuildOptions, build_track
from mbcl_audio.render.voice import SpeechCache

pytestmark = pytest.mark.slow

#: Sentences between practice silences that stretch from seconds to minutes.
SCRIPT = """+++
track = 6
title = "Stemniveau"
language = "nl"
length = "1m"
+++

# Aankomen

Kom rustig zitten, en laat je ogen zachtjes sluiten.

[silence 5s..90s]

Merk op hoe de adem vanzelf komt en gaat.

[silence 5s..90s]

# Afronden

Wees vriendelijk voor jezelf, zoals je bent.

[silence 5s..90s]

Open langzaam je ogen.

[pause 2s..20s]
"""

#: (bed, bells, length s): every bed with bells at start and end; no bell; five times longer.
CASES = [(bed, ("start", "end"), 60.0) for bed in ("none", "warm-pad", "ocean", "rain")]
CASES += [("ocean", (), 60.0), ("ocean", ("start", "end"), 300.0)]


@pytest.fixture(scope="module")
def built(tmp_path_factory, cache_dir):
    script = write_script(tmp_path_factory.mktemp("voice-level"), "06-stemniveau.txt", SCRIPT)
    results = {}
    for bed, bell, length_s in CASES:
        out = tmp_path_factory.mktemp(f"out-{bed}")
        options = BuildOptions(bed=bed, bell=bell, length_s=length_s)
        results[(bed, bell, length_s)] = build_track(script, out, options, cache=SpeechCache(cache_dir))
    return results


def test_the_voice_level_is_the_same_within_1_lu_across_beds_bells_and_lengths(built):
    voice = {case: decoded_voice_lufs(r.path) for case, r in built.items()}
    assert max(voice.values()) - min(voice.values()) <= 1.0, voice
    # ... and on the profile's target, each one.
    assert all(abs(v + 18.0) <= 0.3 for v in voice.values()), voice
    # What differs is the whole file's loudness: the pauses count there.
    integrated = {case: r.loudness_lufs for case, r in built.items()}
    assert max(integrated.values()) - min(integrated.values()) > 1.0, integrated


def test_speech_is_limited_lightly_and_every_file_ends_in_silence(built):
    for case, r in built.items():
        assert r.master.max_speech_reduction_db <= 3.0, case
        audio, rate = sf.read(r.path, dtype="float64", always_2d=True)
        assert rate == SR and rms_db(audio[-SR // 20 :]) <= -60.0, case
