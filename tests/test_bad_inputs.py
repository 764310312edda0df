"""The corpus of bad inputs (tests/data/bad/): every one gets a clear error naming where, never a traceback.

One row per input: what reads it, the place the error must name, and the words it must say.
docs/reliability.md lists the limits these come from.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from texts import ROOT

from mbcl_audio.check import check_script
from mbcl_audio.cli import main
from mbcl_audio.errors import VoiceError
from mbcl_audio.master.profiles import ProfileError, get_profile, load_project_config
from mbcl_audio.qa import analyze_file
from mbcl_audio.render.bed import bed_loop
from mbcl_audio.render.bed.common import BedError
from mbcl_audio.render.voice import SpeechCache, open_voice

BAD = ROOT / "tests" / "data" / "bad"

#: (case folder, where the error is, what it says)
SCRIPTS = [
    ("bad-utf8", "05-t.txt:10:9", "the file is not valid UTF-8 (byte 0xff)"),
    ("unclosed-front", "05-t.txt:1:1", "the front matter opened here is never closed"),
    ("huge-pause", "05-t.txt:10:12", "pause maximum: duration '99999999999h' is longer than 24 h"),
    ("repeat-count", "05-t.txt:10:16", "repeat count must be x and a whole number from 1 to 1000"),
    ("unknown-directive", "05-t.txt:10:2", "unknown directive 'paws'"),
    ("include-missing", "05-t.txt:10:10", "no block 'nowhere'"),
    ("include-cycle", "_blocks/b.txt:3:10", "include cycle: a -> b -> a"),
    ("block-front-matter", "_blocks/a.txt:1:1", "block 'a' starts with '+++'"),
    ("wall-of-text", "05-t.txt:10:1", "more than the 4,000 one utterance may have"),
    ("unreachable-length", "05-t.txt", "the default length 10:00.0 is outside the reachable"),
    ("duplicate-track", "05-t.txt", "2 scripts for track 5 in"),
]


@pytest.mark.parametrize("case, where, says", SCRIPTS, ids=[c for c, _, _ in SCRIPTS])
def test_bad_scripts_and_blocks(case, where, says, tmp_path):
    (problem,) = check_script(BAD / "scripts" / case / "en" / "05-t.txt", SpeechCache(tmp_path / "cache"))
    assert problem.severity == "error"
    assert problem.location.endswith(where) and says in problem.message, str(problem)


PROFILES = [
    ("clipping", "[profiles.hot]: true_peak_dbtp = 3 is outside -20..0 (above 0 dBTP the decoded file clips)"),
    ("tolerance", "[profiles.any]: tolerance = 1e+09 is outside 0..3"),
    ("two-targets", "[profiles.two]: give exactly one of target_lufs, target_voice_lufs, target_rms_db"),
    ("unknown-key", "[profiles.typo]: unknown key 'true_peak' (did you mean 'true_peak_dbtp'?)"),
]


@pytest.mark.parametrize("case, says", PROFILES, ids=[c for c, _ in PROFILES])
def test_bad_profiles(case, says):
    with pytest.raises(ProfileError) as err:
        load_project_config(BAD / "profiles" / case)
    assert str(err.value).startswith(str(BAD / "profiles" / case / "mbcl-audio.toml")) and says in str(err.value)


@pytest.mark.parametrize("name", ["text.wav", "empty.wav"])
def test_bad_beds(name):
    with pytest.raises(BedError, match=f"bed file .*{name}: cannot read it as audio"):
        bed_loop(name, 44_100, BAD / "beds")


def test_bad_voice_profile():
    with pytest.raises(VoiceError, match="broken/voice.toml: fallback must be a voice id"):
        open_voice("broken", "en", BAD / "voices")


@pytest.mark.parametrize(
    "name, says", [("not-audio.mp3", "not an audio file: its first bytes"), ("empty.mp3", "the file is empty")]
)
def test_bad_audio_for_qa(name, says):
    report = analyze_file(BAD / "audio" / name, get_profile())
    assert report.error.startswith(f"{BAD / 'audio' / name}: cannot decode: {says}")


OPTIONS = [
    (["build", "1", "--length", ","], 2, "names no length"),
    (["build", "1", "--length", "five minutes"], 2, "cannot read duration 'five minutes'"),
    (["build", "1", "--length", "9" * 400], 2, "is longer than 24 h"),
    (["build", "1", "--bell", "nowhere"], 2, "give places from start, end, sections"),
    (["build", "1", "--lang", "nl", "--profile", "nosuch"], 1, "unknown loudness profile 'nosuch'"),
    (["qa", str(BAD / "audio"), "--report", "{tmp}"], 1, "cannot decode: the file is empty"),
]


@pytest.mark.parametrize("args, code, says", OPTIONS, ids=[" ".join(a[:4])[:40] for a, _, _ in OPTIONS])
def test_bad_options(args, code, says, tmp_path):
    result = CliRunner().invoke(main, [a.replace("{tmp}", str(tmp_path / "report")) for a in args])
    assert result.exit_code == code, result.output
    assert says in result.output and "Traceback" not in result.output
