"""Script front matter: the field table's checks, TOML errors at script line and column."""

from __future__ import annotations

from pathlib import Path

import pytest
from script_markup import HEAD, PATH, at, error

from mbcl_audio.script import FrontMatter, Pause, Speech, parse_text


# --------------------------------------------------------------------------- front matter


def test_front_matter_defaults():
    script = parse_text(HEAD + "Hello.\n", PATH)
    assert script.front == FrontMatter(track=1, title="T", language="en", length_s=300.0)
    assert script.path == Path(PATH)


def test_front_matter_all_keys():
    text = (
        "+++\n"
        "track = 27\n"
        'title = "  Kindness  "\n'
        'language = "en-GB"\n'
        "length = 330\n"
        'voice = "piper-joe"\n'
        'bed = "none"\n'
        'album = "A"\n'
        'artist = ""\n'
        'paragraph_pause = "2s"\n'
        "ellipsis_pause = 0.5\n"
        "breaths_per_minute = 5.5\n"
        "+++\n"
        "Hi.\n"
    )
    assert parse_text(text, PATH).front == FrontMatter(
        track=27,
        title="Kindness",
        language="en-GB",
        length_s=330.0,
        voice="piper-joe",
        bed="none",
        album="A",
        artist="",
        paragraph_pause_s=2.0,
        ellipsis_pause_s=0.5,
        breaths_per_minute=5.5,
    )


def test_duration_strings_in_front_matter():
    text = HEAD.replace('"5m"', '"1m30s"') + "Hi.\n"
    assert parse_text(text, PATH).front.length_s == 90.0


def test_crlf_and_bom_are_accepted():
    text = "\ufeff" + (HEAD + "Hello\nthere.\n").replace("\n", "\r\n")
    assert list(parse_text(text, PATH).items) == [Speech("Hello there.", at(7, 1))]


def test_missing_front_matter():
    err = error("Hello.\n")
    assert err.pos == at(1, 1)
    assert "first line must be '+++'" in err.message


def test_unterminated_front_matter():
    err = error('+++\ntrack = 1\ntitle = "T"\n\nHello.\n')
    assert err.pos == at(1, 1)
    assert "never closed" in err.message


def test_toml_syntax_error_maps_to_script_line_and_column():
    err = error('+++\ntrack = 1\ntitle = T\nlanguage = "en"\nlength = "5m"\n+++\nHi.\n')
    assert err.pos == at(3, 9)
    assert err.message.startswith("front matter is not valid TOML: Invalid value;")
    assert "(at line" not in err.message


def test_toml_error_at_end_of_block_points_at_closing_fence():
    err = error("+++\ntrack = [1,\n+++\nHi.\n")
    assert err.pos == at(3, 1)
    assert "not valid TOML" in err.message


def test_duplicate_key_is_toml_error():
    err = error('+++\ntrack = 1\ntrack = 2\n+++\nHi.\n')
    assert err.pos.line == 3
    assert "Cannot overwrite a value" in err.message


def test_missing_required_key_points_at_opening_fence():
    err = error('+++\ntrack = 1\ntitle = "T"\nlength = "5m"\n+++\nHi.\n')
    assert err.pos == at(1, 1)
    assert "missing required setting 'language'" in err.message
    assert 'language = "en"' in err.message


def test_unknown_key_lists_known_keys_and_suggests():
    err = error(HEAD.replace("+++\nt", '+++\ntitel = "x"\nt', 1) + "Hi.\n")
    assert err.pos == at(2, 1)
    assert "unknown setting 'titel'" in err.message
    assert "did you mean 'title'?" in err.message
    assert (
        "known settings are album, artist, bed, bell, breath_ratio, breaths_per_minute, ellipsis_pause, grid, "
        "language, length, pacing, pacing_ramp, pacing_ramp_from, pacing_sound, paragraph_pause, profile, "
        "steps_per_minute, title, track, voice" in err.message
    )


@pytest.mark.parametrize(
    "line, col, fragment",
    [
        ("track = 0", 9, "track must be a whole number from 1 to 27"),
        ("track = 28", 9, "got the whole number 28"),
        ('track = "1"', 9, "got the text '1'"),
        ("track = true", 9, "got true/false"),
        ("track = 1.0", 9, "got the number 1.0"),
    ],
)
def test_bad_track(line, col, fragment):
    err = error(HEAD.replace("track = 1", line) + "Hi.\n")
    assert err.pos == at(2, col)
    assert fragment in err.message


@pytest.mark.parametrize("value", ['"EN"', '"english"', '"e"', '"en_GB"', "1"])
def test_bad_language(value):
    err = error(HEAD.replace('"en"', value) + "Hi.\n")
    assert err.pos == at(4, 12)
    assert "language must be a lowercase language code" in err.message


def test_empty_title():
    err = error(HEAD.replace('"T"', '"  "') + "Hi.\n")
    assert err.pos == at(3, 9)
    assert "title must be non-empty text" in err.message


def test_bad_duration_in_front_matter():
    err = error(HEAD.replace('"5m"', '"5 minutes"') + "Hi.\n")
    assert err.pos == at(5, 10)
    assert "length: cannot read duration '5 minutes'" in err.message


@pytest.mark.parametrize("value", ['"0s"', "0", "-3"])
def test_length_must_be_positive(value):
    err = error(HEAD.replace('"5m"', value) + "Hi.\n")
    assert err.pos == at(5, 10)
    assert "length must be longer than 0 seconds" in err.message


def test_zero_paragraph_pause_is_allowed():
    text = HEAD[:-4] + 'paragraph_pause = "0s"\n+++\n' + "A.\n\nB.\n"
    assert list(parse_text(text, PATH).items) == [
        Speech("A.", at(8, 1)),
        Pause(0.0, 0.0, at(10, 1), implicit=True),
        Speech("B.", at(10, 1)),
    ]


@pytest.mark.parametrize("value", ["0", "-1", '"6"', "nan", "1e7"])
def test_bad_breaths_per_minute(value):
    err = error(HEAD[:-4] + f"breaths_per_minute = {value}\n+++\nHi.\n")
    assert err.pos == at(6, 22)
    assert "breaths_per_minute must be a number from 1 to 30" in err.message


def test_error_string_format():
    err = error("Hello.\n")
    assert str(err) == f"{PATH}:1:1: error: {err.message}"


