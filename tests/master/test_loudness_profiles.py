"""Loudness profiles are data: the shipped four, project additions, and clear errors."""

import re
from dataclasses import fields

import pytest

from mbcl_audio.master.profiles import (
    PROFILE_FIELDS,
    LoudnessProfile,
    ProfileError,
    all_profiles,
    get_profile,
    load_project_config,
    profile_from_table,
)


def test_shipped_profiles_have_the_targets_the_formats_ask_for():
    p = all_profiles()
    assert {"meditation", "ebu-r128", "podcast", "acx"} <= set(p)
    assert (p["meditation"].target, p["meditation"].ceiling_dbtp, p["meditation"].target_measure) == (-18.0, -1.0, "voice")
    # EBU R 128 is delivered on programme loudness; the listening profiles put the voice on the target.
    assert (p["ebu-r128"].target, p["ebu-r128"].ceiling_dbtp, p["ebu-r128"].target_measure) == (-23.0, -1.0, "lufs")
    assert (p["podcast"].target, p["podcast"].ceiling_dbtp, p["podcast"].target_measure) == (-16.0, -1.0, "voice")
    acx = p["acx"]
    assert acx.target_measure == "rms" and acx.rms_db == (-23.0, -18.0)
    assert acx.rms_db[0] < acx.target < acx.rms_db[1]
    assert acx.sample_peak_dbfs == -3.0 and acx.ceiling_dbtp <= -3.0
    assert acx.noise_floor_db == -60.0 and acx.sample_rate == 44100 and acx.bitrate_kbps == 192
    assert 0.5 <= acx.head_target_s <= 1.0 and 1.0 <= acx.tail_target_s <= 5.0


def test_default_is_meditation_and_the_project_can_change_it_and_add_profiles(tmp_path):
    assert get_profile().name == "meditation"
    (tmp_path / "mbcl-audio.toml").write_text(
        '[build]\nprofile = "quiet"\n\n[profiles.quiet]\ndescription = "Night"\ntarget_lufs = -24\ntrue_peak_dbtp = -2\n'
    )
    config = load_project_config(tmp_path)
    quiet = get_profile(None, config)
    assert (quiet.name, quiet.target, quiet.ceiling_dbtp) == ("quiet", -24.0, -2.0)
    assert str(tmp_path) in quiet.origin
    assert get_profile("podcast", config).target == -16.0


def test_unknown_profile_lists_the_known_ones():
    with pytest.raises(ProfileError, match=r"unknown loudness profile 'loud'.*acx, ebu-r128, meditation, podcast"):
        get_profile("loud")


@pytest.mark.parametrize(
    "table, message",
    [
        ({"target_lufs": -18, "peak": -1}, "unknown key 'peak'"),
        ({"target_lufs": -18, "true_peak_dbfs": -1}, r"unknown key 'true_peak_dbfs' \(did you mean 'true_peak_dbtp'\?\)"),
        ({"target_lufs": "-18"}, "target_lufs must be a number"),
        ({"true_peak_dbtp": -1}, "exactly one of target_lufs, target_voice_lufs, target_rms_db"),
        ({"target_lufs": -18, "target_rms_db": -20}, "exactly one of"),
        ({"target_rms_db": -20, "rms_db": [-18, -23]}, r"rms_db must be \[low, high\]"),
        ({"target_lufs": -18, "sample_rate": 44100.5}, "sample_rate must be a positive whole number"),
        ({"target_lufs": -18, "tolerance": 0}, "tolerance must be above 0"),
    ],
)
def test_bad_profile_definitions_name_file_profile_and_key(table, message):
    with pytest.raises(ProfileError, match=message) as err:
        profile_from_table("mine", table, "proj/mbcl-audio.toml")
    assert "proj/mbcl-audio.toml: [profiles.mine]" in str(err.value)


def test_every_profile_setting_can_be_given_in_toml():
    assert set(PROFILE_FIELDS) == {f.name for f in fields(LoudnessProfile)} - {"name", "origin"}


def test_broken_project_config_names_the_file(tmp_path):
    (tmp_path / "mbcl-audio.toml").write_text("[build\nprofile = 1\n")
    with pytest.raises(ProfileError, match="mbcl-audio.toml: not valid TOML"):
        load_project_config(tmp_path)
    (tmp_path / "mbcl-audio.toml").write_text("[bild]\nprofile = 'x'\n")
    with pytest.raises(ProfileError, match=r"unknown table \[bild\]"):
        load_project_config(tmp_path)
    (tmp_path / "mbcl-audio.toml").write_bytes(b"[build]\nprofile = '\xff'\n")
    with pytest.raises(ProfileError, match="mbcl-audio.toml: not UTF-8 text: .*; save it again as UTF-8"):
        load_project_config(tmp_path)


@pytest.mark.parametrize(
    "text, message",
    [
        ('build = "podcast"\n', r"build must be a table"),
        ('[build]\nprofil = "podcast"\n', r"\[build\] has no setting 'profil'"),
        ("[build]\nprofile = 3\n", r"\[build\] profile must be a profile name"),
    ],
)
def test_project_build_table_mistakes_are_named(tmp_path, text, message):
    (tmp_path / "mbcl-audio.toml").write_text(text)
    with pytest.raises(ProfileError, match=message):
        load_project_config(tmp_path)


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("true_peak_dbtp", 3.0, "true_peak_dbtp = 3 is outside -20..0 (above 0 dBTP the decoded file clips)"),
        ("sample_peak_dbfs", 0.5, "sample_peak_dbfs = 0.5 is outside -20..0"),
        ("target_lufs", 5.0, "target_lufs = 5 is outside -40..-5 (a listening level in LUFS)"),
        ("tolerance", 1e9, "tolerance = 1e+09 is outside 0..3 (wider would let any level pass)"),
        ("rms_db", [-23.0, 6.0], "rms_db = [-23, 6] is outside -60..0"),
        ("tail_s", [1.0, 1e6], "tail_s"),
    ],
)
def test_profiles_that_would_let_a_file_clip_or_pass_anything_are_refused(tmp_path, key, value, message):
    table = {"target_lufs": -18.0, key: value}
    with pytest.raises(ProfileError, match=re.escape(message)) as err:
        profile_from_table("loud", table, str(tmp_path / "mbcl-audio.toml"))
    assert "mbcl-audio.toml: [profiles.loud]" in str(err.value)
