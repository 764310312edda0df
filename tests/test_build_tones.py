"""Built tracks, decoded: every tone family over every bed, and the breath audible in the file."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from audio_checks import rms_db
from texts import write_script

from mbcl_audio.build import BuildOptions, build_track
from mbcl_audio.export import read_tags
from mbcl_audio.export.frames import parse_pacing_tag
from mbcl_audio.render.voice import SpeechCache

#: The tone on from the start, a breathe block, a practice silence and a bed.
PACED = """+++
track = 6
title = "Paced"
language = "en"
length = "1m"
pacing = "on"
+++

# Breathing

Breathe with the tone.

[breathe 3]

Let it go on by itself.

[silence 5s..40s]

Slowly come back.

[pause 3s..20s]
"""


def _envelope_db(x: np.ndarray, a: int, b: int) -> float:
    return rms_db(x[a:b])


@pytest.mark.parametrize("family, bed", [("glide", "warm-pad"), ("ocean", "ocean"), ("bowl", "rain")])
def test_each_tone_family_and_bed_builds_and_the_breath_is_audible_in_the_file(tmp_path, cache_dir, family, bed):
    script = write_script(tmp_path, "06-paced.txt", PACED)
    r = build_track(
        script, tmp_path / "out", BuildOptions(pacing_sound=family, bed=bed), cache=SpeechCache(cache_dir)
    )
    assert r.qa.passed, [c.message for c in r.qa.failures]
    assert {st.sound for st in r.plan.pacing} == {family}
    # The pacing cycles travel with the file: 10 s cycles, 5 s in, on the 6/min grid, back to back.
    tag = parse_pacing_tag(read_tags(r.path)["pacing"])
    cycles = [tuple(c) for c in tag.cycles]
    assert cycles and all(start % 441_000 == 0 for start, _, _ in cycles)
    assert {(in_s, length) for _, in_s, length in cycles} == {(220_500, 441_000)}
    assert all(b[0] - a[0] == 441_000 for a, b in zip(cycles, cycles[1:]))
    # Inside the breathe block (no speech): the tone swells through each in-breath and ebbs
    # through each out-breath, measured on the decoded MP3 over the bed.
    x = sf.read(r.path, dtype="float64", always_2d=True)[0].mean(axis=1)
    (breathe,) = [e for e in r.plan.events if e.kind == "breathe"]
    inside = [c for c in cycles if breathe.start_sample <= c[0] and c[0] + c[2] <= breathe.stop_sample][1:]
    assert inside
    for start, in_samples, length in inside:
        half_in, half_out = in_samples // 2, (length - in_samples) // 2
        rise = _envelope_db(x, start + half_in, start + in_samples) - _envelope_db(x, start, start + half_in)
        fall = _envelope_db(x, start + in_samples, start + in_samples + half_out) - _envelope_db(
            x, start + in_samples + half_out, start + length
        )
        assert rise > 3.0 and fall > 3.0, (family, rise, fall)
