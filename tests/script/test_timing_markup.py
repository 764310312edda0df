"""Script format 1.1: silences with prompts, breath-locked phrases, pacing changes, on-beat
cues and the front matter that goes with them."""

from __future__ import annotations

import pytest
from script_markup import HEAD, PATH, at, body, body_error, para, ell

from mbcl_audio.script import (
    BreathPhrase,
    FrontMatter,
    PacingChange,
    Pause,
    ScriptError,
    Speech,
    parse_text,
)


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
        ("[breath-locked x0] A | B\n", 7, 16, "repeat count must be x and a whole number from 1 to 1000"),
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
        ("[pacing fade 0]\nHi.\n", 7, 14, "pacing fade count must be a number of breath cycles from 1 to 1000"),
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
        ell(9, 17),
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


