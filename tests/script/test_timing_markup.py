"""Script format 1.1: silences with prompts, optional passages, includes, breath-locked
phrases, pacing changes, on-beat cues, new front matter and collect_problems."""

from __future__ import annotations

from pathlib import Path

import pytest
from texts import SCRIPT_FORMAT_DOC

from mbcl_audio.script import (
    BreathPhrase,
    Breathe,
    FrontMatter,
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

PATH = "t.txt"
HEAD = '+++\ntrack = 1\ntitle = "T"\nlanguage = "en"\nlength = "5m"\n+++\n'  # body starts on line 7


def at(line: int, col: int, path: str = PATH) -> SourcePos:
    return SourcePos(path, line, col)


def para(line: int, col: int = 1, passage=None, path: str = PATH) -> Pause:
    return Pause(1.5, 1.5, at(line, col, path), passage=passage)


def body(text: str):
    return list(parse_text(HEAD + text, PATH).items)


def body_error(text: str) -> ScriptError:
    with pytest.raises(ScriptError) as info:
        parse_text(HEAD + text, PATH)
    return info.value


# --------------------------------------------------------------------------- front matter


def test_new_front_matter_keys():
    text = HEAD[:-4] + 'breath_ratio = "4:6"\ngrid = "steps"\nsteps_per_minute = 90\npacing = "on"\n+++\nHi.\n'
    front = parse_text(text, PATH).front
    assert front == FrontMatter(
        track=1, title="T", language="en", length_s=300.0, in_fraction=0.4, grid="steps", steps_per_minute=90.0, pacing="on"
    )


def test_front_matter_new_defaults():
    front = parse_text(HEAD + "Hi.\n", PATH).front
    assert (front.in_fraction, front.grid, front.steps_per_minute, front.pacing) == (0.5, "breath", 100.0, "off")


@pytest.mark.parametrize(
    "line, col, fragment",
    [
        ('breath_ratio = "4-6"', 16, 'breath_ratio must be in-breath:out-breath in quotes'),
        ('breath_ratio = "0:5"', 16, "two numbers greater than 0"),
        ("breath_ratio = 4", 16, "got the whole number 4"),
        ('grid = "walk"', 8, 'grid must be "breath" or "steps"'),
        ('pacing = "yes"', 10, 'pacing must be "off" or "on"'),
        ("pacing = true", 10, "got true/false"),
        ("steps_per_minute = 0", 20, "steps_per_minute must be a number from 10 to 240"),
    ],
)
def test_new_front_matter_errors(line, col, fragment):
    with pytest.raises(ScriptError) as info:
        parse_text(HEAD[:-4] + line + "\n+++\nHi.\n", PATH)
    assert info.value.pos == at(6, col)
    assert fragment in info.value.message


# --------------------------------------------------------------------------- pauses and silences


def test_prefer_and_weight_in_any_order():
    assert body("[pause 20s..60s prefer=30s weight=2]\n[pause 20s..60s weight=2 prefer=25s]\nHi.\n")[:2] == [
        Pause(20.0, 60.0, at(7, 1), 2.0, preferred_s=30.0),
        Pause(20.0, 60.0, at(8, 1), 2.0, preferred_s=25.0),
    ]


def test_silence_fixed_and_elastic_inline():
    assert body("[silence 1m..6m prefer=2m]\n[silence 30s]\nHi [silence 2s] there.\n") == [
        Pause(60.0, 360.0, at(7, 1), preferred_s=120.0, silence=True),
        Pause(30.0, 30.0, at(8, 1), silence=True),
        Speech("Hi", at(9, 1)),
        Pause(2.0, 2.0, at(9, 4), silence=True),
        Speech("there.", at(9, 17)),
    ]


def test_silence_with_prompts():
    items = body(
        "Rest.\n[silence 1m..6m every=90s weight=3]\n>   Gently come back to the wish.\n"
        "// a note between prompts\n> And again … begin anew.\nBack.\n"
    )
    assert items == [
        Speech("Rest.", at(7, 1)),
        Pause(
            60.0,
            360.0,
            at(8, 1),
            3.0,
            silence=True,
            prompt_every_s=90.0,
            prompts=(
                Speech("Gently come back to the wish.", at(9, 5)),
                Speech("And again … begin anew.", at(11, 3)),
            ),
        ),
        Speech("Back.", at(12, 1)),
    ]
    script = parse_text(HEAD + "Rest.\n[silence 1m..6m every=90s]\n> A.\n", PATH)
    assert [u.text for u in script.utterances] == ["Rest.", "A."]


@pytest.mark.parametrize(
    "text, line, col, fragment",
    [
        ("[pause 3s prefer=3s]\nHi.\n", 7, 11, "prefer only applies to an elastic pause"),
        ("[pause 2s..6s prefer=10s]\nHi.\n", 7, 22, "prefer=10s lies outside its range 2s..6s"),
        ("[pause 2s..6s prefer=x]\nHi.\n", 7, 22, "pause prefer: cannot read duration 'x'"),
        ("[pause 2s..6s prefer=3s prefer=4s]\nHi.\n", 7, 25, "prefer is given twice"),
        ("[pause 2s..6s every=3s]\nHi.\n", 7, 15, "every= only applies to [silence ...]"),
        ("[silence 1m..2m every=0s]\n> Hi.\n", 7, 23, "every must be longer than 0 seconds"),
        ("[silence 1m..2m every=90s]\nHi.\n", 7, 1, "every= needs prompt lines"),
        ("[silence 1m..2m every=90s]\n", 7, 1, "every= needs prompt lines"),
        ("Hi [silence 1m..2m every=90s]\n> A.\n", 7, 4, "must stand on its own line"),
        ("Hi.\n> Stray prompt.\n", 8, 1, "must directly follow a [silence ... every=...] line"),
        ("[silence 1m..2m every=90s]\n> A [pause 2s]\n", 8, 5, "no [...] directives"),
        ("[silence 1m..2m every=90s]\n>  \nHi.\n", 8, 1, "empty prompt"),
        ("[silence 2s weight=2]\nHi.\n", 7, 13, "weight only applies to an elastic silence"),
        ("[silence 1m..2m wait=2]\nHi.\n", 7, 17, "unknown silence option 'wait': expected weight=, prefer=, every="),
        ("[silence]\nHi.\n", 7, 1, "silence needs a duration"),
        ("[silence 2m..1m]\nHi.\n", 7, 10, "silence minimum (120s) is longer than its maximum (60s)"),
    ],
)
def test_pause_and_silence_errors(text, line, col, fragment):
    err = body_error(text)
    assert err.pos == at(line, col)
    assert fragment in err.message


# --------------------------------------------------------------------------- breath-locked, pacing, on-beat


def test_breath_locked_repeats_and_span():
    items = body(
        "Say it with me.\n[breath-locked x3] May I |  be at ease\n\n"
        "[breath-locked 30s..90s]\n  May I be safe\n| and well.\nAfter.\n"
    )
    assert items == [
        Speech("Say it with me.", at(7, 1)),
        BreathPhrase(Speech("May I", at(8, 20)), Speech("be at ease", at(8, 29)), at(8, 1), repeats=3),
        BreathPhrase(
            Speech("May I be safe", at(11, 3)), Speech("and well. After.", at(12, 3)), at(10, 1), min_s=30.0, max_s=90.0
        ),
    ]
    script = parse_text(HEAD + "[breath-locked x2] In | out\n", PATH)
    assert [u.text for u in script.utterances] == ["In", "out"]


def test_no_paragraph_pause_next_to_breath_phrase():
    assert body("Before.\n\n[breath-locked x1] A | B\n\nAfter.\n") == [
        Speech("Before.", at(7, 1)),
        BreathPhrase(Speech("A", at(9, 20)), Speech("B", at(9, 24)), at(9, 1), repeats=1),
        Speech("After.", at(11, 1)),
    ]


def test_breath_phrase_ends_at_directive_line():
    assert body("[breath-locked x2] A | B\n[pause 2s]\nC.\n") == [
        BreathPhrase(Speech("A", at(7, 20)), Speech("B", at(7, 24)), at(7, 1), repeats=2),
        Pause(2.0, 2.0, at(8, 1)),
        Speech("C.", at(9, 1)),
    ]


@pytest.mark.parametrize(
    "text, line, col, fragment",
    [
        ("[breath-locked x3] May I be at ease\n", 7, 1, "needs one '|'"),
        ("[breath-locked x3] A | B | C\n", 7, 26, "this is a second one"),
        ("[breath-locked x3] | be at ease\n", 7, 20, "the in-breath half before '|' is empty"),
        ("[breath-locked x3] May I |\n\nHi.\n", 7, 26, "the out-breath half after '|' is empty"),
        ("[breath-locked x3]\n\nHi.\n", 7, 1, "needs a phrase"),
        ("[breath-locked x0] A | B\n", 7, 16, "repeat count must be x and a positive whole number"),
        ("[breath-locked xx] A | B\n", 7, 16, "got 'xx'"),
        ("[breath-locked 3] A | B\n", 7, 16, "unexpected '3' in breath-locked"),
        ("[breath-locked] A | B\n", 7, 1, "breath-locked needs a count or a span"),
        ("[breath-locked 90s..30s] A | B\n", 7, 16, "breath-locked minimum (90s) is longer than its maximum (30s)"),
        ("[breath-locked 0s..30s] A | B\n", 7, 16, "span must be longer than 0 seconds"),
        ("[breath-locked x2 times] A | B\n", 7, 19, "unexpected 'times'"),
        ("[breath-locked x2] A [pause 1s] | B\n", 7, 22, "cannot contain directives"),
        ("Hi [breath-locked x2] A | B\n", 7, 4, "must start its line"),
    ],
)
def test_breath_locked_errors(text, line, col, fragment):
    err = body_error(text)
    assert err.pos == at(line, col)
    assert fragment in err.message


def test_pacing_changes():
    assert body("[pacing on]\nHi.\n  [Pacing FADE 4]\n\n[pacing off]\nBye.\n") == [
        PacingChange("on", at(7, 1)),
        Speech("Hi.", at(8, 1)),
        PacingChange("fade", at(9, 3), cycles=4),
        PacingChange("off", at(11, 1)),
        para(12),
        Speech("Bye.", at(12, 1)),
    ]


def test_pacing_on_options_set_rate_ratio_ramp_and_tone():
    (change, _) = body("[pacing on rate=5/min ratio=4:6 from=8 over=90s sound=bowl]\nHi.\n")
    assert change == PacingChange(
        "on", at(7, 1), rate=5.0, in_fraction=0.4, ramp_from=8.0, ramp_s=90.0, sound="bowl"
    )
    (change, _) = body("[pacing on rate=7]\nHi.\n")
    assert (change.rate, change.in_fraction, change.ramp_from, change.sound) == (7.0, None, None, None)


def test_front_matter_sets_tone_ramp_bell_and_profile():
    text = HEAD[:-4] + 'pacing_sound = "ocean"\npacing_ramp_from = 8\npacing_ramp = "2m"\nbell = ["start", "sections"]\nprofile = "podcast"\n+++\nHi.\n'
    front = parse_text(text, PATH).front
    assert (front.pacing_sound, front.pacing_ramp_from, front.pacing_ramp_s) == ("ocean", 8.0, 120.0)
    assert (front.bell, front.profile) == (("start", "sections"), "podcast")
    assert parse_text(HEAD[:-4] + 'bell = "none"\n+++\nHi.\n', PATH).front.bell == ()


@pytest.mark.parametrize(
    "setting, fragment",
    [
        ('pacing_sound = "whale"', 'pacing_sound must be "glide" or "ocean" or "bowl"'),
        ('bell = ["middle"]', 'bell must be a list of places from "start", "end", "sections"'),
        ("pacing_ramp_from = 0", "pacing_ramp_from must be a number from 1 to 30"),
        ('pacing_ramp = "0s"', "pacing_ramp must be longer than 0 seconds"),
    ],
)
def test_bad_sound_settings_are_located(setting, fragment):
    with pytest.raises(ScriptError) as err:
        parse_text(HEAD[:-4] + setting + "\n+++\nHi.\n", PATH)
    assert err.value.pos.line == 6 and fragment in err.value.message


@pytest.mark.parametrize(
    "text, line, col, fragment",
    [
        ("[pacing]\nHi.\n", 7, 1, "pacing needs a mode"),
        ("[pacing on rate=0.5]\nHi.\n", 7, 17, "rate must be a number from 1 to 30"),
        ("[pacing on ratio=4-6]\nHi.\n", 7, 18, "ratio must be in-breath:out-breath"),
        ("[pacing on sound=whale]\nHi.\n", 7, 18, "sound must be"),
        ("[pacing on speed=3]\nHi.\n", 7, 12, "unknown pacing option 'speed'"),
        ("[pacing on over=1m]\nHi.\n", 7, 1, "give the starting rate too"),
        ("[pacing on rate=5 rate=6]\nHi.\n", 7, 19, "rate is given twice"),
        ("[pacing off rate=5]\nHi.\n", 7, 13, "options belong to [pacing on ...]"),
        ("[pacing loud]\nHi.\n", 7, 9, "unknown pacing mode 'loud'"),
        ("[pacing fade]\nHi.\n", 7, 9, "pacing fade needs the number of breath cycles"),
        ("[pacing fade 0]\nHi.\n", 7, 14, "pacing fade count must be a positive whole number"),
        ("[pacing fade 2.5]\nHi.\n", 7, 14, "got '2.5'"),
        ("[pacing on 3]\nHi.\n", 7, 12, "unexpected '3' in pacing"),
        ("[pacing on] Hi.\n", 7, 13, "must stand on its own line"),
        ("Hi [pacing on]\n", 7, 4, "must stand on its own line"),
    ],
)
def test_pacing_errors(text, line, col, fragment):
    err = body_error(text)
    assert err.pos == at(line, col)
    assert fragment in err.message


def test_on_beat():
    assert body("Walk.\n\n[on-beat] Stand … still.\n[pause 2s]\n  [on-beat] Turn.\n") == [
        Speech("Walk.", at(7, 1)),
        para(9, 11),
        Speech("Stand", at(9, 11), on_beat=True),
        Pause(1.0, 1.0, at(9, 17)),
        Speech("still.", at(9, 19)),
        Pause(2.0, 2.0, at(10, 1)),
        Speech("Turn.", at(11, 13), on_beat=True),
    ]


@pytest.mark.parametrize(
    "text, line, col, fragment",
    [
        ("Walk [on-beat] stop.\n", 7, 6, "[on-beat] must start a paragraph"),
        ("Walk\n[on-beat] stop.\n", 8, 1, "[on-beat] must start a paragraph"),
        ("[on-beat]\nStop.\n", 7, 1, "needs the text it marks"),
        ("[on-beat] [pause 2s] Stop.\n", 7, 1, "needs the text it marks"),
        ("[on-beat now] Stop.\n", 7, 10, "unexpected 'now' in [on-beat]"),
    ],
)
def test_on_beat_errors(text, line, col, fragment):
    err = body_error(text)
    assert err.pos == at(line, col)
    assert fragment in err.message


def test_unknown_directive_lists_new_ones_and_guesses():
    err = body_error("[breath-lock x3] A | B\n")
    assert err.pos == at(7, 2)
    assert "silence, breath-locked, on-beat, pacing, optional, end optional, include" in err.message
    assert "did you mean 'breath-locked'?" in err.message


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
        ("[optional 0]\nA.\n[end optional]\n", 7, 11, "optional priority must be a positive whole number"),
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
