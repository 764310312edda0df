"""Each generated bed is deterministic, at LOOP_LUFS, seamless, and sounds like its recipe."""

import hashlib

import numpy as np
import pytest
from audio_checks import reference_lufs
from bed_measure import band_fraction_db, envelope_modulation, envelope_periodicity, seam_report, spectral_centroid_hz
from signals import SR

from mbcl_audio.render.bed import BED_NAMES, LOOP_LUFS, LOOP_S, bed_loop
from mbcl_audio.render.bed import generated
from mbcl_audio.render.bed.generated import OCEAN_SWELL_CYCLES


@pytest.fixture(scope="module")
def loops():
    return {name: bed_loop(name, SR) for name in BED_NAMES}


def test_the_three_default_beds_are_offered():
    assert BED_NAMES == ("warm-pad", "ocean", "rain")


@pytest.mark.parametrize("name", BED_NAMES)
def test_bed_is_deterministic_stereo_and_at_loop_loudness(name, loops):
    loop = loops[name]
    fresh = generated._RECIPES[name](SR)  # uncached: a second, independent synthesis
    assert hashlib.sha256(fresh.tobytes()).digest() == hashlib.sha256(loop.tobytes()).digest()
    assert loop.dtype == np.float32 and loop.shape == (int(LOOP_S * SR), 2)
    assert abs(reference_lufs(loop, SR) - LOOP_LUFS) < 0.05
    # Stereo, not two copies of one channel.
    assert not np.array_equal(loop[:, 0], loop[:, 1])


@pytest.mark.parametrize("name", BED_NAMES)
def test_bed_loops_without_a_seam(name, loops):
    report = seam_report(loops[name], SR)
    assert report["jump_ok"], report  # wrap step no larger than the 99.9th percentile of ordinary steps
    assert report["level_ok"], report  # 100 ms levels either side of the wrap: an ordinary neighbour pair


def test_bed_loop_hands_out_copies():
    a = bed_loop("rain", SR)
    a[:] = 0
    assert np.any(bed_loop("rain", SR))


def test_beds_differ_measurably(loops):
    centroid = {name: spectral_centroid_hz(loop, SR) for name, loop in loops.items()}
    above_2k = {name: band_fraction_db(loop, SR, 2000.0) for name, loop in loops.items()}
    swell = {name: envelope_modulation(loop, SR, OCEAN_SWELL_CYCLES) for name, loop in loops.items()}
    # A drone, a surf and a rain: centroids an octave or more apart.
    assert centroid["warm-pad"] * 2 < centroid["ocean"] and centroid["ocean"] * 2 < centroid["rain"], centroid
    # Rain carries far more high-frequency energy than the pad (at least 30 dB more share above 2 kHz)...
    assert above_2k["rain"] > above_2k["warm-pad"] + 30, above_2k
    # ...yet stays gentle: most of its power is below 2 kHz.
    assert above_2k["rain"] < -3.0, above_2k
    # The ocean swells at its wave rate (7 waves a loop): a deep envelope modulation the others lack.
    assert swell["ocean"] > 0.3, swell
    assert swell["warm-pad"] < 0.05 and swell["rain"] < 0.05, swell


def test_ocean_has_no_harsh_highs(loops):
    assert band_fraction_db(loops["ocean"], SR, 4000.0) < -40.0


def test_ocean_waves_keep_no_steady_period_to_pulse_against_the_breath(loops):
    # Waves of 6 to 15 s: the surf's envelope never repeats closely at any lag a breath (4-20 s)
    # could beat against; waves of one length (8 s) repeated at 0.84.
    correlation, lag_s = envelope_periodicity(loops["ocean"], SR, 4.0, 20.0)
    assert correlation < 0.5, (correlation, lag_s)



def test_a_stored_loop_is_the_synthesized_loop_and_is_read_back_without_synthesis(tmp_path, monkeypatch, loops):
    stored = generated.stored_loop("rain", SR, tmp_path)
    np.testing.assert_array_equal(stored, loops["rain"])
    (path,) = tmp_path.glob("rain-*.npy")
    assert path.name == f"rain-{generated.recipe_key('rain', SR)[:32]}.npy"

    def no_synthesis(sample_rate):
        raise AssertionError("the stored loop was synthesized again")

    monkeypatch.setitem(generated._RECIPES, "rain", no_synthesis)
    np.testing.assert_array_equal(generated.generated_loop("rain", SR, cache_dir=tmp_path), loops["rain"])


def test_a_damaged_stored_loop_is_made_again(tmp_path, loops):
    path = tmp_path / f"rain-{generated.recipe_key('rain', SR)[:32]}.npy"
    path.write_bytes(b"\x93NUMPY half a file")
    np.testing.assert_array_equal(generated.stored_loop("rain", SR, tmp_path), loops["rain"])
    np.testing.assert_array_equal(np.load(path), loops["rain"])  # and stored whole this time


def test_the_store_key_changes_with_the_bed_and_the_rate():
    keys = {generated.recipe_key(name, rate) for name in BED_NAMES for rate in (SR, 2 * SR)}
    assert len(keys) == 2 * len(BED_NAMES)
    assert generated.recipe_key("rain", SR) == generated.recipe_key("rain", SR)
