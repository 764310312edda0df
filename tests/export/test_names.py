from __future__ import annotations

import unicodedata

import pytest

from mbcl_audio.export import safe_filename, track_filename
from mbcl_audio.export.names import MAX_NAME_BYTES

FORBIDDEN = set('<>:"/\\|?*')


def assert_portable(name: str) -> None:
    assert name
    assert not FORBIDDEN & set(name)
    assert all(ord(c) >= 32 and not 0x7F <= ord(c) <= 0x9F for c in name)
    assert name == name.strip(" .") or name.endswith(")")
    assert unicodedata.is_normalized("NFC", name)
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("De ademruimte met vriendelijkheid", "De ademruimte met vriendelijkheid"),
        ("Mildheidmeditatie – een ‘lastige’ persoon", "Mildheidmeditatie – een ‘lastige’ persoon"),
        ("Übung für Selbstmitgefühl: „Freundlichkeit“", "Übung für Selbstmitgefühl - „Freundlichkeit“"),
        ("Week 1: Ademruimte", "Week 1 - Ademruimte"),
        ("a/b\\c|d", "a-b-c-d"),
        ('Wat heb je nodig? <nu> *echt*', "Wat heb je nodig nu echt"),
        ('De "innerlijke" criticus', "De 'innerlijke' criticus"),
        ("Einde...", "Einde"),
        ("Einde. . ", "Einde"),
        ("  .verborgen", "verborgen"),
        ("tab\there\nnewline\x00nul\x7f", "tab here newline nul"),
        ("twee  spaties\u00a0nbsp", "twee spaties nbsp"),
        ("", "_"),
        ("...", "_"),
        ("???", "_"),
    ],
)
def test_safe_filename_cases(raw: str, expected: str) -> None:
    assert safe_filename(raw) == expected
    assert_portable(safe_filename(raw))


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("CON", "CON_"),
        ("con", "con_"),
        ("NUL.mp3", "NUL_.mp3"),
        ("com1.txt", "com1_.txt"),
        ("LPT9", "LPT9_"),
        ("Aux.tar.gz", "Aux_.tar.gz"),
        ("CON .mp3", "CON_.mp3"),
        ("CONSOLE", "CONSOLE"),
        ("NULL.mp3", "NULL.mp3"),
        ("COM10", "COM10"),
    ],
)
def test_reserved_windows_names(raw: str, expected: str) -> None:
    assert safe_filename(raw) == expected


def test_nfc_normalization() -> None:
    decomposed = unicodedata.normalize("NFD", "Zelfcompassie – één stap, Mitgefühl")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    out = safe_filename(decomposed)
    assert out == "Zelfcompassie – één stap, Mitgefühl"
    assert unicodedata.is_normalized("NFC", out)


def test_length_cap_keeps_characters_whole_and_extension() -> None:
    name = "ö€" * 100 + ".mp3"  # 2- and 3-byte characters
    out = safe_filename(name)
    assert out.endswith(".mp3")
    assert len(out.encode("utf-8")) <= MAX_NAME_BYTES
    assert out[:-4] == ("ö€" * 100)[: len(out) - 4]  # a prefix: nothing mangled
    assert len(out.encode("utf-8")) > MAX_NAME_BYTES - 4 - 3  # and not cut needlessly short


def test_length_cap_does_not_split_combining_marks() -> None:
    # "q̃" has no precomposed form, so NFC keeps the combining tilde separate.
    name = "a" * 148 + "q\u0303" + "zzz"
    out = safe_filename(name)
    assert not unicodedata.combining(out[-1])
    assert out == "a" * 148


def test_length_cap_strips_trailing_space_after_cut() -> None:
    out = safe_filename("x" * 149 + " yyyy")
    assert out == "x" * 149


def test_track_filename() -> None:
    assert track_filename(1, "De ademruimte met vriendelijkheid") == (
        "01 De ademruimte met vriendelijkheid.mp3"
    )
    assert track_filename(1, "Title", "10 min") == "01 Title (10 min).mp3"
    assert track_filename(27, "Mildheidmeditatie – een ‘lastige’ persoon") == (
        "27 Mildheidmeditatie – een ‘lastige’ persoon.mp3"
    )
    assert track_filename(3, "Body scan: kort", extension=".wav") == "03 Body scan - kort.wav"
    assert track_filename(4, "con") == "04 con.mp3"
    assert track_filename(5, "Stilte...", " ") == "05 Stilte.mp3"


def test_track_filename_shortens_only_the_title() -> None:
    out = track_filename(12, "Übung " * 60, "30 min")
    assert out.startswith("12 Übung")
    assert out.endswith(" (30 min).mp3")
    assert len(out.encode("utf-8")) <= MAX_NAME_BYTES
    assert_portable(out)


def test_track_filename_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        track_filename(-1, "x")
    with pytest.raises(ValueError):
        track_filename(1, "x", extension="mp3/../x")
