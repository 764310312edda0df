"""The project's own scripts: every length in their range plans exactly, and the catalog ranges fit."""

import pytest
from plans import real_speech_samples
from signals import SR
from texts import SCRIPTS_DIR

from mbcl_audio.plan import fit, reachable_range
from mbcl_audio.script import parse_script

SCRIPTS = sorted(p for p in SCRIPTS_DIR.glob("*/[0-9][0-9]-*.txt"))
#: Catalog ranges (minutes) of the tracks written so far.
CATALOG_RANGE = {1: (3, 8), 3: (10, 25)}


def _speaks_with_piper(path) -> bool:
    return parse_script(path).front.voice.startswith("piper")


# Scripts in a piper voice take long to synthesize: slow, like real builds.
@pytest.mark.parametrize(
    "path",
    [
        pytest.param(p, id=f"{p.parent.name}/{p.name}", marks=[pytest.mark.slow] if _speaks_with_piper(p) else [])
        for p in SCRIPTS
    ],
)
def test_every_length_in_range_plans_exactly(path, cache_dir):
    # As built: the script's own voice, and its lead-in and lead-out.
    script, speech = real_speech_samples(path, cache_dir)
    lo, hi = reachable_range(script, speech, SR)
    low, high = CATALOG_RANGE[script.front.track]
    assert lo <= low * 60 * SR and hi >= high * 60 * SR, "the catalog's range must be reachable"
    for target in range(-(-lo // SR) * SR, hi + 1, 5 * SR):
        plan = fit(script, speech, target, SR)
        assert plan.length_samples == target == plan.events[-1].stop_sample
