"""The project's own scripts: every length in their range plans exactly, and the catalog ranges fit."""

import pytest
from signals import SR
from texts import SCRIPTS_DIR

from mbcl_audio.plan import fit, reachable_range
from mbcl_audio.plan.estimate import estimate_speech_samples
from mbcl_audio.script import parse_script

SCRIPTS = sorted(p for p in SCRIPTS_DIR.glob("*/[0-9][0-9]-*.txt"))
#: Catalog ranges (minutes) of the tracks written so far.
CATALOG_RANGE = {1: (3, 8), 3: (10, 25)}


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_length_in_range_plans_exactly(path):
    script = parse_script(path)
    speech = estimate_speech_samples(script, SR)
    lo, hi = reachable_range(script, speech, SR)
    low, high = CATALOG_RANGE[script.front.track]
    assert lo <= low * 60 * SR and hi >= high * 60 * SR, "the catalog's range must be reachable"
    for target in range(-(-lo // SR) * SR, hi + 1, 5 * SR):
        plan = fit(script, speech, target, SR)
        assert plan.length_samples == target == plan.events[-1].stop_sample
