import numpy as np
import pytest
import soundfile as sf
from audio_checks import ffmpeg_ebur128, requires_ffmpeg
from signals import SR

from mbcl_audio.audio import ArraySource, read_all
from mbcl_audio.master import MasterResult, master
from mbcl_audio.measure import integrated_loudness, true_peak_dbtp

CEILING, HEADROOM = -1.0, 1.0


@pytest.fixture(scope="module")
def mastered(speech):
    src = ArraySource(speech, SR)
    return {t: master(src, loudness_target=t, ceiling_dbtp=CEILING, headroom_db=HEADROOM) for t in (-23.0, -18.0, -16.0)}


def test_peak_to_loudness_trap_is_real(speech):
    # Gain alone to -16 LUFS would push the true peak far over the ceiling.
    lufs = integrated_loudness(ArraySource(speech, SR))
    assert true_peak_dbtp(speech, SR) + (-16.0 - lufs) > CEILING + 3.0


@pytest.mark.parametrize("target", [-23.0, -18.0, -16.0])
def test_lands_on_target_under_ceiling(mastered, target):
    out, res = mastered[target]
    assert isinstance(res, MasterResult)
    y = read_all(out)
    measured = integrated_loudness(ArraySource(y, SR))
    assert measured == pytest.approx(target, abs=0.2)
    assert res.output_loudness == pytest.approx(measured, abs=1e-9)
    tp = true_peak_dbtp(y, SR)
    assert tp <= CEILING - HEADROOM + 0.05
    assert res.true_peak_dbtp == pytest.approx(tp, abs=1e-6)
    assert res.ceiling_dbtp == CEILING - HEADROOM
    assert 1 <= res.iterations <= 5


def test_louder_targets_need_limiting(mastered):
    assert mastered[-16.0][1].max_reduction_db > mastered[-18.0][1].max_reduction_db > 0
    res = mastered[-16.0][1]
    assert res.gain_db > -16.0 - res.input_loudness  # the gain made up for what limiting took


def test_silent_source_raises():
    with pytest.raises(ValueError, match="nothing to normalize"):
        master(ArraySource(np.zeros((SR * 3, 2)), SR))


@requires_ffmpeg
@pytest.mark.parametrize("target", [-23.0, -16.0])
def test_ffmpeg_ebur128_agrees(mastered, target, tmp_path):
    out, res = mastered[target]
    path = tmp_path / "mastered.wav"
    sf.write(path, read_all(out), SR, subtype="FLOAT")
    lufs, peak = ffmpeg_ebur128(path)
    assert lufs == pytest.approx(res.output_loudness, abs=0.2)
    assert peak == pytest.approx(res.true_peak_dbtp, abs=0.3)
    assert peak <= CEILING - HEADROOM + 0.3
