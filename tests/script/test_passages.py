"""Script format 1.1: optional passages, included blocks and collect_problems."""

from __future__ import annotations

from pathlib import Path

import pytest
from script_markup import HEAD, PATH, at, body_error, para
from texts import SCRIPT_FORMAT_DOC

from mbcl_audio.script import (
    BreathPhrase,
    Breathe,
    PacingChange,
    Passage,
    Pause,
    ScriptError,
    Section,
    SourcePos,
    Speech,
    collect_problems,
    parse_script,
    parse_text,
)


# --------------------------------------------------------------------------- optional passages


def test_optional_passages_and_paragraph_pauses():
    script = parse_text(
        HEAD
        + "A.\n\n[optional 2 second round]\n# Extra\nB.\n[silence 1m..2m every=30s]\n> P.\n"
        + "[breathe 2]\n[pacing off]\n[breath-locked x1] C | D\n[end optional]\n\nE.\n"
        + "[optional 1]\nF.\n[end optional]\nG.\n",
        PATH,
    )
    assert script.passages == (
        Passage(2, "second round", at(9, 1)),
        Passage(1, "optional 1 (t.txt:20)", at(20, 1)),
    )
    assert list(script.items) == [
        Speech("A.", at(7, 1)),
        Section("Extra", at(10, 1), passage=0),
        para(11, passage=0),
        Speech("B.", at(11, 1), passage=0),
        Pause(60.0, 120.0, at(12, 1), silence=True, prompt_every_s=30.0, prompts=(Speech("P.", at(13, 3), 0),), passage=0),
        Breathe(2, at(14, 1), passage=0),
        PacingChange("off", at(15, 1), passage=0),
        BreathPhrase(Speech("C", at(16, 20), 0), Speech("D", at(16, 24), 0), at(16, 1), repeats=1, passage=0),
        Speech("E.", at(19, 1)),
        # The paragraph pause between E (outside) and F (inside) belongs to F's passage,
        # the one between F and G to G's: each stands right before its own speech.
        para(21, passage=1),
        Speech("F.", at(21, 1), passage=1),
        para(23),
        Speech("G.", at(23, 1)),
    ]


def test_leaving_out_passages_never_leaves_two_paragraph_pauses_in_a_row():
    script = parse_text(HEAD + "A.\n[optional 1]\nB.\n\nC.\n[end optional]\nD.\n[optional 2]\nE.\n[end optional]\n", PATH)
    for included in ({0, 1}, {0}, {1}, set()):
        kept = [i for i in script.items if i.passage is None or i.passage in included]
        kinds = [type(i).__name__ for i in kept]
        assert "PausePause" not in "".join(kinds)
        assert kinds[0] == "Speech"


def test_repeated_unnamed_priorities_are_fine():
    script = parse_text(HEAD + "[optional 1]\nA.\n[end optional]\n[optional 1]\nB.\n[end optional]\n", PATH)
    assert [p.name for p in script.passages] == ["optional 1 (t.txt:7)", "optional 1 (t.txt:10)"]


@pytest.mark.parametrize(
    "text, line, col, fragment",
    [
        ("[optional 1]\nA.\n[optional 2]\nB.\n[end optional]\n", 9, 1, "cannot be nested: close the passage opened at t.txt:7:1"),
        ("Hi.\n[optional 1]\nA.\n", 8, 1, "this optional passage is never closed"),
        ("Hi.\n[end optional]\n", 8, 1, "[end optional] without an open passage"),
        ("Hi.\n[optional 1]\n\n// nothing\n[end optional]\n", 8, 1, "this optional passage is empty"),
        ("[optional 1 x]\nA.\n[end optional]\n[optional 2 x]\nB.\n[end optional]\n", 10, 13, "already named 'x' (at t.txt:7:1)"),
        ("[optional]\nA.\n", 7, 1, "optional needs a priority"),
        ("[optional 0]\nA.\n[end optional]\n", 7, 11, "optional priority must be a whole number from 1 to 1000"),
        ("[optional first]\nA.\n[end optional]\n", 7, 11, "got 'first'"),
        ("[optional 1]\nA.\n[end]\n", 9, 1, "write [end optional]"),
        ("[optional 1] A.\n[end optional]\n", 7, 14, "must stand on its own line"),
    ],
)
def test_optional_errors(text, line, col, fragment):
    err = body_error(text)
    assert err.pos == at(line, col)
    assert fragment in err.message


# --------------------------------------------------------------------------- includes


def write(folder: Path, name: str, text: str) -> Path:
    file = folder / name
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    return file


@pytest.fixture
def lang(tmp_path: Path) -> Path:
    """A language folder with a _blocks folder."""
    folder = tmp_path / "nl"
    (folder / "_blocks").mkdir(parents=True)
    return folder


def test_include_inlines_block_items_with_block_positions(lang):
    block = write(lang, "_blocks/opening.txt", "# Opening\nWelcome.\n\n[pause 2s..4s]\nArrive [include breath]\n")
    write(lang, "_blocks/breath.txt", "ignored?\n")  # not reached: [include] inside a line is an error
    script_file = write(lang, "01-x.txt", HEAD + "[include opening]\n")
    with pytest.raises(ScriptError) as info:
        parse_script(script_file)
    assert info.value.pos == SourcePos(str(block), 5, 8)
    assert "must stand on its own line" in info.value.message

    write(lang, "_blocks/opening.txt", "# Opening\nWelcome.\n\n[pause 2s..4s]\nArrive.\n\n[include breath]\n")
    write(lang, "_blocks/breath.txt", "Breathe in.\n")
    write(lang, "01-x.txt", HEAD + "Hello.\n\n[include opening]\n\nGoodbye.\n")
    b, o, s = str(lang / "_blocks" / "breath.txt"), str(block), str(script_file)
    assert list(parse_script(script_file).items) == [
        Speech("Hello.", at(7, 1, s)),
        Section("Opening", at(1, 1, o)),
        para(2, 1, path=o),  # the implicit pause crosses the include boundary
        Speech("Welcome.", at(2, 1, o)),
        Pause(2.0, 4.0, at(4, 1, o)),
        Speech("Arrive.", at(5, 1, o)),
        para(1, 1, path=b),
        Speech("Breathe in.", at(1, 1, b)),
        para(11, 1, path=s),
        Speech("Goodbye.", at(11, 1, s)),
    ]


def test_include_inside_optional_puts_items_in_the_passage(lang):
    block = str(write(lang, "_blocks/wish.txt", "May I be safe.\n[breath-locked x2] May I | be at ease\n"))
    script_file = write(lang, "01-x.txt", HEAD + "Hi.\n\n[optional 1 wishes]\n[include wish]\n[end optional]\n")
    script = parse_script(script_file)
    assert script.passages == (Passage(1, "wishes", at(9, 1, str(script_file))),)
    assert list(script.items) == [
        Speech("Hi.", at(7, 1, str(script_file))),
        para(1, 1, passage=0, path=block),
        Speech("May I be safe.", at(1, 1, block), passage=0),
        BreathPhrase(Speech("May I", at(2, 20, block), 0), Speech("be at ease", at(2, 28, block), 0), at(2, 1, block), 2, passage=0),
    ]


def test_parse_text_resolves_blocks_next_to_path(lang):
    write(lang, "_blocks/a.txt", "From a block.\n")
    items = parse_text(HEAD + "[include a]\n", str(lang / "02-y.txt")).items
    assert items == (Speech("From a block.", at(1, 1, str(lang / "_blocks" / "a.txt"))),)


def test_include_cycle_shows_the_chain(lang):
    write(lang, "_blocks/a.txt", "A.\n[include b]\n")
    b = write(lang, "_blocks/b.txt", "B.\n\n[include a]\n")
    script_file = write(lang, "01-x.txt", HEAD + "[include a]\n")
    with pytest.raises(ScriptError) as info:
        parse_script(script_file)
    assert info.value.pos == SourcePos(str(b), 3, 10)
    assert "include cycle: a -> b -> a" in info.value.message


def test_include_missing_block_names_path_and_lists_blocks(lang):
    write(lang, "_blocks/opening.txt", "Hi.\n")
    write(lang, "_blocks/closing.txt", "Bye.\n")
    script_file = write(lang, "01-x.txt", HEAD + "Hi.\n[include  openng]\n")
    with pytest.raises(ScriptError) as info:
        parse_script(script_file)
    assert info.value.pos == SourcePos(str(script_file), 8, 11)
    assert f"no block 'openng': looked for {lang / '_blocks' / 'openng.txt'}" in info.value.message
    assert "(blocks present: closing, opening)" in info.value.message


def test_block_with_front_matter(lang):
    block = write(lang, "_blocks/opening.txt", "+++\ntrack = 1\n+++\nHi.\n")
    script_file = write(lang, "01-x.txt", HEAD + "[include opening]\n")
    with pytest.raises(ScriptError) as info:
        parse_script(script_file)
    assert info.value.pos == SourcePos(str(block), 1, 1)
    assert "block 'opening' starts with '+++': blocks have no front matter" in info.value.message


@pytest.mark.parametrize(
    "name, fragment",
    [
        ("../en/_blocks/x", "cannot contain '/', '\\' or '..'"),
        ("..", "cannot contain"),
        ("Opening", "block names are lowercase letters"),
        ("opening.txt", "without '.txt'"),
    ],
)
def test_block_names_cannot_leave_the_folder(name, fragment):
    err = body_error(f"Hi.\n[include {name}]\n")
    assert err.pos == at(8, 10)
    assert fragment in err.message


def test_include_needs_one_name():
    err = body_error("Hi.\n[include]\n")
    assert err.pos == at(8, 1)
    assert "include needs exactly one block name" in err.message


def test_passage_must_close_in_its_own_file(lang):
    block = write(lang, "_blocks/a.txt", "[optional 1]\nA.\n")
    script_file = write(lang, "01-x.txt", HEAD + "[include a]\n[end optional]\nHi.\n")
    problems = collect_problems(script_file)
    assert [(e.pos, e.message.split(":")[0]) for e in problems] == [
        (SourcePos(str(block), 1, 1), "this optional passage is never closed"),
        (SourcePos(str(script_file), 8, 1), "[end optional] without an open passage"),
    ]


# --------------------------------------------------------------------------- collect_problems


def test_collect_problems_good_script(lang):
    write(lang, "_blocks/a.txt", "Hi.\n")
    assert collect_problems(write(lang, "01-x.txt", HEAD + "[include a]\n")) == []


def test_collect_problems_lists_every_problem(lang):
    block = write(lang, "_blocks/a.txt", "Fine.\n[pause 3x]\n")
    text = (
        "+++\ntrack = 0\ntitle = \"T\"\nlanguage = \"en\"\nlength = \"5m\"\ncolour = \"red\"\ngrid = \"walk\"\n+++\n"
        "Hi [paus 3s] there.\n"  # 9
        "[pause 2s prefer=1s]\n"  # 10
        "[include a]\n"  # 11
        "[end optional]\n"  # 12
        "> stray\n"  # 13
        "Still fine.\n"  # 14
        "[optional 1]\n"  # 15
        "[breath-locked x3] No bar here\n"  # 16
    )
    script_file = write(lang, "01-x.txt", text)
    s, b = str(script_file), str(block)
    found = [(e.pos, e.message) for e in collect_problems(script_file)]
    expected = [
        (at(6, 1, s), "unknown setting 'colour'"),
        (at(2, 9, s), "track must be a whole number from 1 to 27"),
        (at(7, 8, s), 'grid must be "breath" or "steps"'),
        (at(9, 5, s), "unknown directive 'paus'"),
        (at(10, 11, s), "prefer only applies to an elastic pause"),
        (at(2, 8, b), "pause duration: cannot read duration '3x'"),
        (at(12, 1, s), "[end optional] without an open passage"),
        (at(13, 1, s), "prompt line must directly follow"),
        (at(16, 1, s), "needs one '|'"),
        (at(15, 1, s), "this optional passage is never closed"),
    ]
    assert [pos for pos, _ in found] == [pos for pos, _ in expected]
    for (_, message), (_, fragment) in zip(found, expected):
        assert fragment in message
    # parse_script still stops at the first one.
    with pytest.raises(ScriptError) as info:
        parse_script(script_file)
    assert info.value.pos == at(6, 1, s)


def test_collect_problems_fatal_and_no_speech(tmp_path):
    bad = write(tmp_path, "a.txt", "Hello.\n")
    assert [(e.pos.line, "first line must be '+++'" in e.message) for e in collect_problems(bad)] == [(1, True)]
    empty = write(tmp_path, "b.txt", HEAD + "# Title\n")
    assert ["no speech" in e.message for e in collect_problems(empty)] == [True]
    toml = write(tmp_path, "c.txt", HEAD.replace('"T"', "T") + "Hi [pause x].\n")
    assert [(e.pos.line, e.pos.column) for e in collect_problems(toml)] == [(3, 9), (7, 11)]


# --------------------------------------------------------------------------- docs


def test_documented_timing_example_parses(tmp_path):
    """The complete 1.1 example in docs/script-format.md (with its block) stays valid."""
    doc = SCRIPT_FORMAT_DOC.read_text(encoding="utf-8")
    part = doc.split("## A complete example with timing markup")[1]
    chunks = part.split("```")
    block_text, script_text = chunks[1].lstrip("\n"), chunks[3].lstrip("\n")
    write(tmp_path, "en/_blocks/arrive.txt", block_text)
    script = parse_script(write(tmp_path, "en/03-x.txt", script_text))
    assert [p.name for p in script.passages] == ["second round of wishes"]
    assert any(isinstance(i, BreathPhrase) for i in script.items)
    assert any(isinstance(i, Pause) and i.prompts for i in script.items)
    assert any(i.pos.path.endswith("arrive.txt") for i in script.items)
    # And it plans, exactly, at its own default length and at every whole second of its range.
    from mbcl_audio.plan import fit, reachable_range
    from mbcl_audio.plan.estimate import estimate_speech_samples

    sr = 44_100
    speech = estimate_speech_samples(script, sr)
    lo, hi = reachable_range(script, speech, sr)
    for target in [int(script.front.length_s * sr)] + list(range(-(-lo // sr) * sr, hi + 1, sr)):
        assert fit(script, speech, target, sr).length_samples == target
