"""Room tone: generated, quiet but not digital silence, placed exactly around the trimmed body."""

import numpy as np
from signals import SR

from mbcl_audio.audio import ArraySource, SourceSlice
from mbcl_audio.master.roomtone import ROOM_TONE_DB, RoomTonePadded, room_tone


def db(x):
    return 10 * np.log10(np.mean(np.asarray(x, dtype=np.float64) ** 2))


def test_room_tone_is_at_its_level_deterministic_and_never_digital_silence():
    a = room_tone(SR, 2, SR)
    np.testing.assert_array_equal(a, room_tone(SR, 2, SR))
    assert abs(db(a[:, 0]) - ROOM_TONE_DB) < 0.01 and abs(db(a[:, 1]) - ROOM_TONE_DB) < 0.01
    assert np.count_nonzero(a == 0) == 0
    # Little rumble: under 5 % of its power below 40 Hz.
    spectrum = np.abs(np.fft.rfft(a[:, 0])) ** 2
    freqs = np.fft.rfftfreq(SR, 1 / SR)
    assert spectrum[freqs < 40].sum() < 0.05 * spectrum.sum()


def test_padding_puts_room_tone_around_exactly_the_body():
    body = np.ones((10 * SR, 2), dtype=np.float32) * 0.5
    padded = RoomTonePadded(SourceSlice(ArraySource(body, SR), SR, 4 * SR), head_samples=SR // 2, tail_samples=2 * SR)
    assert padded.n_samples == SR // 2 + 3 * SR + 2 * SR
    x = np.concatenate([padded.read(s, min(s + 12_345, padded.n_samples)) for s in range(0, padded.n_samples, 12_345)])
    # The body is the source's samples with the same room tone under them: no pause is digital silence.
    under = x[SR // 2 : SR // 2 + 3 * SR] - 0.5
    assert abs(db(under) - ROOM_TONE_DB) < 0.5
    assert abs(db(x[: SR // 2]) - ROOM_TONE_DB) < 0.5 and abs(db(x[-2 * SR :]) - ROOM_TONE_DB) < 0.5
    # Read in any block size, the same samples (the loop under the body has no seam of its own).
    np.testing.assert_array_equal(x, padded.read(0, padded.n_samples))


def test_room_tone_under_a_silent_body_leaves_no_digital_silence():
    silent = RoomTonePadded(ArraySource(np.zeros((25 * SR, 2), dtype=np.float32), SR), SR // 2, SR)
    x = silent.read(0, silent.n_samples)
    assert not np.any(np.all(x == 0.0, axis=1))
    assert abs(db(x) - ROOM_TONE_DB) < 0.5


def test_quiet_edges_measure_how_long_each_end_stays_under_the_threshold():
    from mbcl_audio.master.roomtone import quiet_edges

    x = np.zeros((10 * SR, 2), dtype=np.float32)
    x[int(1.23 * SR) : int(8.5 * SR), 1] = 0.01  # -40 dB in one channel only
    lead, trail = quiet_edges(ArraySource(x, SR), -60.0, SR // 100, 5 * SR)
    assert lead == int(1.23 * SR) // 441 * 441  # the first 10 ms window that holds any of it
    assert trail == (10 * SR - int(8.5 * SR)) // 441 * 441


def test_room_tone_pads_make_the_file_the_length_asked_for_within_what_the_format_allows():
    from mbcl_audio.master.roomtone import room_tone_pads

    head, tail = (50, 75, 100), (100, 200, 500)  # (lowest, preferred, highest) samples
    # Room for the preferred head; the tail takes the rest.
    assert room_tone_pads(1000, 0, 0, 1300, head, tail) == (75, 225)
    # Quiet edges count: less is padded.
    assert room_tone_pads(1000, 30, 40, 1300, head, tail) == (45, 255)
    # Too little room for the preferred head: the head shrinks towards its lowest, the tail keeps its lowest.
    assert room_tone_pads(1000, 0, 0, 1160, head, tail) == (60, 100)
    # No room at all: the shortest the format allows; the file is longer than asked.
    assert room_tone_pads(1000, 0, 0, 1000, head, tail) == (50, 100)
    # Too much room (a long silence was trimmed): the longest tail allowed; the file is shorter.
    assert room_tone_pads(1000, 0, 0, 9000, head, tail) == (75, 500)
