"""Script format version 1: exact item lists for valid scripts, exact positions for errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from script_markup import HEAD, PATH, at, body, body_error, ell, error, para
from texts import SCRIPT_FORMAT_DOC, SCRIPTS_DIR

from mbcl_audio.script import (
    Breathe,
    Pause,
    ScriptError,
    Section,
    SourcePos,
    Speech,
    find_scripts,
    parse_script,
    parse_text,
)


# --------------------------------------------------------------------------- body: valid


def test_paragraphs_join_lines_and_get_implicit_pause():
    items = body("First line\n   second   line.\n\n\nNext\tparagraph.\n")
    assert items == [
        Speech("First line second line.", at(7, 1)),
        para(11),
        Speech("Next paragraph.", at(11, 1)),
    ]


def test_comments_are_invisible():
    items = body("// intro [not a directive]\nOne\n  // inside\ntwo.\n\n// between\n\nThree.\n")
    assert items == [
        Speech("One two.", at(8, 1)),
        para(14),
        Speech("Three.", at(14, 1)),
    ]


def test_sections_and_paragraph_pause_after_heading():
    items = body("#  Aware   presence \nHello.\n\n# Second\n\n  Again.\n")
    assert items == [
        Section("Aware presence", at(7, 1)),
        Speech("Hello.", at(8, 1)),
        Section("Second", at(10, 1)),
        para(12, 3),
        Speech("Again.", at(12, 3)),
    ]


def test_standalone_directives():
    items = body("One.\n\n[pause 3s]\n\nTwo.\n[pause 20s..60s]\n[pause 1s .. 1m weight=2.5]\n[breathe 3]\nThree.\n")
    assert items == [
        Speech("One.", at(7, 1)),
        Pause(3.0, 3.0, at(9, 1)),
        Speech("Two.", at(11, 1)),
        Pause(20.0, 60.0, at(12, 1)),
        Pause(1.0, 60.0, at(13, 1), 2.5),
        Breathe(3, at(14, 1)),
        Speech("Three.", at(15, 1)),
    ]
    assert items[3].elastic and not items[1].elastic


def test_inline_directives_split_the_utterance():
    items = body("May I be safe [pause 2s] may I be at ease [breathe 1]\nand well.\n")
    assert items == [
        Speech("May I be safe", at(7, 1)),
        Pause(2.0, 2.0, at(7, 15)),
        Speech("may I be at ease", at(7, 26)),
        Breathe(1, at(7, 43)),
        Speech("and well.", at(8, 1)),
    ]


def test_directive_names_are_case_insensitive_and_weight_spacing_free():
    assert body("[Pause 2s..4s weight = 3]\nHi.\n") == [Pause(2.0, 4.0, at(7, 1), 3.0), Speech("Hi.", at(8, 1))]


def test_bare_number_in_pause_is_seconds_and_equal_range_is_fixed():
    assert body("Hi. [pause 4] [pause 2s..2s]\n")[1:] == [Pause(4.0, 4.0, at(7, 5)), Pause(2.0, 2.0, at(7, 15))]


def test_ellipsis_splits_and_is_removed():
    items = body("Planning … remembering... worrying, too…\nNext line.\n")
    assert items == [
        Speech("Planning", at(7, 1)),
        ell(7, 10),
        Speech("remembering", at(7, 12)),
        ell(7, 23),
        Speech("worrying, too", at(7, 27)),
        ell(7, 40),
        Speech("Next line.", at(8, 1)),
    ]


def test_trailing_ellipsis_replaces_paragraph_pause():
    items = body("Let go…\n\nAnd rest.\n")
    assert items == [Speech("Let go", at(7, 1)), ell(7, 7), Speech("And rest.", at(9, 1))]


def test_ellipsis_uses_front_matter_value_and_dot_runs_count_once():
    text = HEAD[:-4] + 'ellipsis_pause = "2.5s"\n+++\n' + "A.... B\n"
    assert list(parse_text(text, PATH).items) == [
        Speech("A", at(8, 1)),
        Pause(2.5, 2.5, at(8, 2), implicit=True),
        Speech("B", at(8, 7)),
    ]


def test_punctuation_only_fragments_are_not_spoken():
    items = body('"Let go…"\n')
    assert items == [Speech('"Let go', at(7, 1)), ell(7, 8)]


def test_columns_count_characters_not_bytes():
    items = body("Één ‘kind’ woord [pause 1s]\n")
    assert items[1] == Pause(1.0, 1.0, at(7, 18))


def test_paragraph_pause_uses_front_matter_value():
    text = HEAD[:-4] + "paragraph_pause = 4\n+++\n" + "A.\n\nB.\n"
    assert list(parse_text(text, PATH).items)[1] == Pause(4.0, 4.0, at(10, 1), implicit=True)


def test_parse_script_reads_file(tmp_path):
    file = tmp_path / "01-x.txt"
    file.write_text(HEAD + "Hello.\n", encoding="utf-8")
    script = parse_script(file)
    assert script.path == file
    assert script.items == (Speech("Hello.", SourcePos(str(file), 7, 1)),)
    assert script.utterances == script.items


# --------------------------------------------------------------------------- body: errors


def test_invalid_utf8_locates_the_byte(tmp_path):
    file = tmp_path / "bad.txt"
    file.write_bytes((HEAD + "Één caf").encode("utf-8") + b"\xe9 ok\n")
    with pytest.raises(ScriptError) as info:
        parse_script(file)
    assert info.value.pos == SourcePos(str(file), 7, 8)
    assert "not valid UTF-8 (byte 0xe9)" in info.value.message


@pytest.mark.parametrize(
    "text, line, col, fragment",
    [
        ("Hi [paus 3s]\n", 7, 5, "unknown directive 'paus': expected pause or breathe"),
        ("Hi [pause 3s\n", 7, 4, "unclosed '['"),
        ("Hi [pause [3s]\n", 7, 4, "unclosed '['"),
        ("Hi there] you\n", 7, 9, "stray ']'"),
        ("Hi []\n", 7, 4, "empty directive"),
        ("Hi [pause]\n", 7, 4, "pause needs a duration"),
        ("Hi [pause  3x]\n", 7, 12, "pause duration: cannot read duration '3x'"),
        ("Hi [pause 2s..6q]\n", 7, 15, "pause maximum: cannot read duration '6q'"),
        ("Hi [pause 2s..]\n", 7, 15, "needs a maximum"),
        ("Hi [pause ..2s]\n", 7, 11, "needs a minimum"),
        ("Hi [pause 60s..20s]\n", 7, 11, "pause minimum (60s) is longer than its maximum (20s)"),
        ("Hi [pause 2s..6s weight=0]\n", 7, 25, "pause weight must be a number from 0.01 to 100"),
        ("Hi [pause 2s..6s weight=x]\n", 7, 25, "pause weight must be a number from 0.01 to 100"),
        ("Hi [pause 2s..6s wieght=2]\n", 7, 18, "unknown pause option 'wieght'"),
        ("Hi [pause 2s weight=2]\n", 7, 14, "weight only applies to an elastic pause"),
        ("Hi [pause 2s..6s weight=2 extra]\n", 7, 27, "unexpected 'extra' in pause"),
        ("Hi [breathe]\n", 7, 4, "breathe needs a number"),
        ("Hi [breathe 0]\n", 7, 13, "breathe count must be a number of breath cycles from 1 to 1000"),
        ("Hi [breathe 2.5]\n", 7, 13, "breathe count must be a number of breath cycles from 1 to 1000"),
        ("Hi [breathe -1]\n", 7, 13, "got '-1'"),
        ("Hi [breathe 3 times]\n", 7, 15, "unexpected 'times' after the breathe count"),
        ("#\nHi.\n", 7, 1, "empty section title"),
        ("  #   \nHi.\n", 7, 3, "empty section title"),
        ("#Title\nHi.\n", 7, 2, "expected a space after '#'"),
        ("## Title\nHi.\n", 7, 2, "expected a space after '#'"),
    ],
)
def test_body_errors(text, line, col, fragment):
    err = body_error(text)
    assert err.pos == at(line, col)
    assert fragment in err.message


def test_script_without_speech():
    err = body_error("# Only a title\n\n[pause 3s]\n// and a comment\n")
    assert err.pos == at(6, 1)
    assert "the script has no speech" in err.message


def test_empty_body():
    assert "no speech" in error(HEAD).message


# --------------------------------------------------------------------------- find_scripts


def test_find_scripts_finds_the_one_match(tmp_path):
    folder = tmp_path / "nl"
    folder.mkdir()
    (folder / "01-ademruimte.txt").write_text("x")
    (folder / "10-other.txt").write_text("x")
    (folder / "01-ademruimte.txt~").write_text("x")
    assert find_scripts(tmp_path, "nl", 1) == folder / "01-ademruimte.txt"


def test_find_scripts_none(tmp_path):
    (tmp_path / "nl").mkdir()
    (tmp_path / "nl" / "02-b.txt").write_text("x")
    with pytest.raises(FileNotFoundError) as info:
        find_scripts(tmp_path, "nl", 3)
    message = str(info.value)
    assert "no script for track 3" in message
    assert "03-*.txt" in message and str(tmp_path / "nl") in message and "02-b.txt" in message


def test_find_scripts_several(tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "05-a.txt").write_text("x")
    (tmp_path / "en" / "05-b.txt").write_text("x")
    with pytest.raises(FileNotFoundError, match="several scripts for track 5.*05-a.txt, 05-b.txt"):
        find_scripts(tmp_path, "en", 5)


def test_find_scripts_missing_language(tmp_path):
    (tmp_path / "nl").mkdir()
    with pytest.raises(FileNotFoundError, match=r"no script folder for language 'de'.*present: nl"):
        find_scripts(tmp_path, "de", 1)


def test_repository_scripts_parse():
    root = SCRIPTS_DIR
    scripts = sorted(root.glob("*/[0-9][0-9]-*.txt"))
    for file in scripts:
        script = parse_script(file)
        assert script.utterances
        assert file.name.startswith(f"{script.front.track:02d}-")
        assert file.parent.name == script.front.language


# --------------------------------------------------------------------------- robustness


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("ab .…[]#/=\n\t\r25sm") + ["pause ", "breathe ", "..", "weight="])).map("".join))
def test_any_body_parses_or_raises_script_error(text):
    """Whatever a writer types, the parser answers with items or a located ScriptError."""
    try:
        items = body(text)
    except ScriptError as err:
        assert err.pos.line >= 6 and err.pos.column >= 1
        return
    speeches = [i for i in items if isinstance(i, Speech)]
    assert speeches and all(s.text and s.text == " ".join(s.text.split()) for s in speeches)
    assert all("…" not in s.text and "..." not in s.text for s in speeches)
    positions = [(i.pos.line, i.pos.column) for i in items]
    assert positions == sorted(positions)


def test_documented_example_parses():
    """The complete example in docs/script-format.md stays valid."""
    doc = SCRIPT_FORMAT_DOC.read_text(encoding="utf-8")
    example = doc.split("## A complete example")[1].split("```")[1].lstrip("\n")
    script = parse_text(example, "example.txt")
    assert [s.title for s in script.sections] == ["Aware presence", "A calm breathing rhythm", "Widening with kindness"]
    assert [s.text for s in script.utterances] == [
        "You can arrive in this moment, just as you are.",
        "Perhaps you notice which thoughts are around, and name them softly: planning",
        "remembering",
        "Now you can rest your attention where the breath is clearest. You may hear a soft tone. It is only an offer.",
        "May I be safe",
        "may I be at ease.",
        "Gently, you can let the wish go.",
    ]
    assert sum(isinstance(i, Breathe) for i in script.items) == 1
