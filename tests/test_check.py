"""check: every problem of a script, and breath-locked halves measured against their phase."""

from __future__ import annotations

import re

from texts import SCRIPTS_DIR

from mbcl_audio.check import check_script, script_paths
from mbcl_audio.render.voice import SpeechCache

HEAD = '+++\ntrack = 5\ntitle = "T"\nlanguage = "en"\nlength = "{length}"\n+++\n\n'


def write(tmp_path, body, length="1m", name="05-t.txt"):
    folder = tmp_path / "en"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(HEAD.format(length=length) + body, encoding="utf-8")
    return path


def test_a_long_breath_locked_half_warns_with_its_measured_duration(tmp_path):
    path = write(
        tmp_path,
        "Settle in.\n\n[breath-locked x1] May I | be safe and well and happy and peaceful and free from every "
        "kind of suffering today and tomorrow\n\nGood.\n\n[pause 1s..60s]\n",
    )
    problems = check_script(path, SpeechCache(tmp_path / "cache"))
    assert [p.severity for p in problems] == ["warning"]
    match = re.search(r"lasts (\d+\.\d\d) s, longer than its 5\.00 s breath phase", problems[0].message)
    assert match and float(match.group(1)) > 5.0
    assert problems[0].location.endswith("05-t.txt:10:28")  # where the out-breath half starts


def test_default_length_outside_the_reachable_range_is_an_error(tmp_path):
    path = write(tmp_path, "Just this.\n\n[pause 1s..5s]\n", length="10m")
    (problem,) = check_script(path, SpeechCache(tmp_path / "cache"))
    assert problem.severity == "error"
    assert "the default length 10:00.0 is outside the reachable" in problem.message


def test_file_name_and_folder_must_match_the_front_matter(tmp_path):
    path = write(tmp_path, "Just this.\n\n[pause 1s..60s]\n", name="07-wrong.txt")
    messages = [p.message for p in check_script(path, SpeechCache(tmp_path / "cache"))]
    assert messages == ["file name should start with 05- (track = 5)"]


def test_two_scripts_with_one_track_number_in_a_language_folder_are_an_error(tmp_path):
    first = write(tmp_path, "Just this.\n\n[pause 1s..60s]\n")
    second = write(tmp_path, "Just that.\n\n[pause 1s..60s]\n", name="05-copy.txt")
    for path in (first, second):
        (problem,) = check_script(path, SpeechCache(tmp_path / "cache"))
        assert problem.severity == "error" and problem.location == str(path)
        assert problem.message.startswith("2 scripts for track 5 in ") and "05-copy.txt, 05-t.txt; " in problem.message


def test_folders_expand_to_scripts_but_not_blocks(tmp_path):
    write(tmp_path, "A.\n")
    blocks = tmp_path / "en" / "_blocks"
    blocks.mkdir()
    (blocks / "opening.txt").write_text("Hello.\n", encoding="utf-8")
    assert [p.name for p in script_paths([tmp_path])] == ["05-t.txt"]


def test_a_plan_error_does_not_hide_the_other_problems(tmp_path):
    path = write(
        tmp_path,
        "Settle in.\n\n[breath-locked 11s..16s] May I | be safe\n\nGood.\n\n[pause 1s..60s]\n",
        name="07-x.txt",
    )
    found = [str(p) for p in check_script(path, SpeechCache(tmp_path / "cache"))]
    assert found == [
        f"{path}: error: file name should start with 05- (track = 5)",
        f"{path}:10:1: error: a breath-locked span of 0:11.0 to 0:16.0 holds no whole breath cycle (0:10.0); widen the span",
    ]


def test_a_script_whose_speech_is_all_optional_is_an_error(tmp_path):
    path = write(tmp_path, "[optional 1]\nOnly this.\n\n[pause 1s..60s]\n[end optional]\n")
    messages = [p.message for p in check_script(path, SpeechCache(tmp_path / "cache"))]
    assert "every utterance is inside an optional passage: the shortest version would be silent" in messages


def test_unknown_bed_and_profile_are_reported(tmp_path):
    from mbcl_audio.check import check_script

    folder = tmp_path / "en"
    folder.mkdir()
    script = folder / "03-t.txt"
    script.write_text(
        '+++\ntrack = 3\ntitle = "T"\nlanguage = "en"\nlength = "20s"\nbed = "seagulls"\nprofile = "loud"\n+++\n\n'
        "Hello.\n\n[pause 2s..30s]\n",
        encoding="utf-8",
    )
    messages = [p.message for p in check_script(script, music_dir=tmp_path / "music", project_dir=tmp_path)]
    assert any("bed 'seagulls' is neither a generated bed (warm-pad, ocean, rain)" in m for m in messages)
    assert any("unknown loudness profile 'loud'" in m for m in messages)
    (tmp_path / "music").mkdir()
    (tmp_path / "music" / "seagulls.wav").write_bytes(b"")  # found by name; its content is checked at build time
    (tmp_path / "mbcl-audio.toml").write_text("[profiles.loud]\ntarget_lufs = -14\n")
    assert check_script(script, music_dir=tmp_path / "music", project_dir=tmp_path) == []


def _with_catalog(tmp_path):
    (tmp_path / "catalog.toml").write_text((SCRIPTS_DIR / "catalog.toml").read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def test_the_catalog_holds_title_default_length_and_range_with_their_lines(tmp_path):
    path = write(_with_catalog(tmp_path), "Just this.\n\n[pause 1s..60s]\n")
    found = [(p.location, p.message) for p in check_script(path, SpeechCache(tmp_path / "cache"))]
    line = _catalog_line(5)
    assert found == [
        (f"{path}:3:1", f'title "T" differs from the catalogue\'s en title "The breathing space with compassion" '
                        f"({tmp_path}/catalog.toml:{line}); use the catalogue's title"),
        (f"{path}:5:1", f"length = 1:00.0 differs from the catalogue's default 6:00.0 for track 5 ({tmp_path}/catalog.toml:{line}); "
                        "use the catalogue's default, or leave length out to take it from the catalogue"),
        (f"{path}:5:1", "the script reaches 0:05.5 to 1:02.9 (estimated speech durations), which does not cover the "
                        f"catalogue range 3:00.0 to 10:00.0 for track 5 ({tmp_path}/catalog.toml:{line}); "
                        "lengthen elastic pauses or add optional passages"),
    ]


def test_a_script_without_length_takes_the_catalog_default(tmp_path):
    folder = _with_catalog(tmp_path) / "en"
    folder.mkdir()
    path = folder / "05-t.txt"
    path.write_text('+++\ntrack = 5\ntitle = "The breathing space with compassion"\nlanguage = "en"\n+++\n\n'
                    "Just this.\n\n[pause 2m..12m]\n", encoding="utf-8")
    assert check_script(path, SpeechCache(tmp_path / "cache")) == []
    path.write_text(path.read_text().replace("[pause 2m..12m]", "[pause 1s..2m]"), encoding="utf-8")
    (problem,) = [p for p in check_script(path, SpeechCache(tmp_path / "cache")) if "default length" in p.message]
    assert problem.message.startswith("the default length 6:00.0 is outside the reachable")


def test_a_track_number_outside_the_catalog_is_an_error_at_its_line(tmp_path):
    # Front matter allows the catalogue's numbers only, so a number the set lacks stops at its value.
    path = write(_with_catalog(tmp_path), "Just this.\n")
    path.write_text(path.read_text().replace("track = 5", "track = 28"), encoding="utf-8")
    (problem,) = check_script(path, SpeechCache(tmp_path / "cache"))
    assert problem.location == f"{path}:2:9" and "track must be a whole number from 1 to 27" in problem.message


def test_a_translation_must_keep_the_source_scripts_shape(tmp_path):
    scripts = _with_catalog(tmp_path)
    body = "# One\n\nJust this.\n\n[pause 2m..12m]\n"
    for language, title, text in (("nl", "De ademruimte met compassie", body),
                                  ("en", "The breathing space with compassion", body.replace("2m..12m", "2m..11m"))):
        (scripts / language).mkdir()
        (scripts / language / "05-t.txt").write_text(
            f'+++\ntrack = 5\ntitle = "{title}"\nlanguage = "{language}"\n+++\n\n{text}', encoding="utf-8")
    cache = SpeechCache(tmp_path / "cache")
    assert check_script(scripts / "nl" / "05-t.txt", cache) == []
    (problem,) = check_script(scripts / "en" / "05-t.txt", cache)
    assert problem.location == f"{scripts}/en/05-t.txt:11:1"
    assert problem.message == (
        f"the shape differs from the nl script {scripts}/nl/05-t.txt: step 3 is 'pause 120 660 - 1 - 0' where "
        f"{scripts}/nl/05-t.txt:11:1 has 'pause 120 720 - 1 - 0'; "
        "keep the same sections, pauses, silences, breathing and optional passages"
    )


def _catalog_line(number: int) -> int:
    lines = (SCRIPTS_DIR / "catalog.toml").read_text(encoding="utf-8").splitlines()
    return next(k for k, line in enumerate(lines, 1) if line == f"number = {number}") - 1
