"""Upper limits on every duration and count: a clear error at file:line:col, never an overflow or a hang."""

from __future__ import annotations

import pytest

from mbcl_audio.plan import fit, reachable_range
from mbcl_audio.script import ScriptError, parse_text
from mbcl_audio.units import MAX_DURATION_S, parse_duration_s

SR = 44_100
HEAD = '+++\ntrack = 5\ntitle = "T"\nlanguage = "en"\nlength = {length}\n+++\n\nHello.\n\n'


@pytest.mark.parametrize(
    "length, body, where, message",
    [
        ('"1m"', "[pause 2s..99999999999h]\n", "5-t.txt:10:12", "pause maximum: duration '99999999999h' is longer than 24 h"),
        ("1e305", "[pause 2s..20s]\n", "5-t.txt:5:10", "length: duration '1e+305' is longer than 24 h"),
        ('"25h"', "[pause 2s..20s]\n", "5-t.txt:5:10", "length: duration '25h' is longer than 24 h"),
        ('"1m"', "[silence " + "9" * 400 + ":00]\n", "5-t.txt:10:10", "duration '99999999999999999999...' is longer than 24 h"),
        ('"1m"', "[breath-locked x9999999] May I | be well\n", "5-t.txt:10:16", "repeat count must be x and a whole number from 1 to 1000"),
        ('"1m"', "[breathe 1001]\n", "5-t.txt:10:10", "breathe count must be a number of breath cycles from 1 to 1000"),
        ('"1m"', "[pacing on]\n[breathe 3]\n[pacing fade 5000]\n", "5-t.txt:12:14", "from 1 to 1000"),
    ],
)
def test_too_long_or_too_many_is_a_script_error_at_its_place(length, body, where, message):
    with pytest.raises(ScriptError) as err:
        parse_text(HEAD.format(length=length) + body, "05-t.txt")
    text = str(err.value)
    assert where in text and message in text, text


def test_durations_stop_at_24_hours_whatever_their_spelling():
    assert parse_duration_s("24h") == MAX_DURATION_S == parse_duration_s("1440:00")
    for text in ("24h1s", "86401", "9" * 400, "9" * 400 + ":00", "1441m"):
        with pytest.raises(ValueError, match="longer than 24 h"):
            parse_duration_s(text)


def test_no_plan_is_longer_than_24_hours():
    # Two pauses of up to 20 h each could reach 40 h: the longest reachable length stops at 24 h.
    script = parse_text(HEAD.format(length='"1m"') + "[pause 2s..20h]\n\nAgain.\n\n[pause 2s..20h]\n", "05-t.txt")
    speech = [SR] * len(script.utterances)
    lo, hi = reachable_range(script, speech, SR)
    assert hi == MAX_DURATION_S * SR and lo < 10 * SR
    assert fit(script, speech, hi, SR).length_samples == hi
    with pytest.raises(ValueError, match="cannot be reached"):
        fit(script, speech, hi + 1, SR)


def write_blocks(tmp_path, blocks: dict[str, str]):
    folder = tmp_path / "en"
    (folder / "_blocks").mkdir(parents=True)
    for name, text in blocks.items():
        (folder / "_blocks" / f"{name}.txt").write_text(text, encoding="utf-8")
    script = folder / "05-t.txt"
    script.write_text(HEAD.format(length='"1m"') + "[include b0]\n\n[pause 2s..60s]\n", encoding="utf-8")
    return script


def test_includes_nested_too_deep_are_an_error_not_a_recursion_error(tmp_path):
    from mbcl_audio.script import parse_script
    from mbcl_audio.script.reader import MAX_INCLUDE_DEPTH

    depth = 198
    blocks = {f"b{k}": f"Line {k}.\n\n[include b{k + 1}]\n" for k in range(depth)} | {f"b{depth}": "The end.\n"}
    with pytest.raises(ScriptError) as err:
        parse_script(write_blocks(tmp_path, blocks))
    text = str(err.value)
    assert f"_blocks/b{MAX_INCLUDE_DEPTH - 1}.txt:3:10" in text
    assert f"includes nest more than {MAX_INCLUDE_DEPTH} deep (b0 -> b1 -> b2 -> ..." in text


def test_a_fan_out_of_includes_stops_at_the_inclusion_limit_and_reads_each_block_once(tmp_path, monkeypatch):
    from mbcl_audio.script import parse_script
    from mbcl_audio.script.directives import include

    # Each block includes the next twice: 2 ** 12 inclusions, which never finished at 2 ** 40.
    blocks = {f"b{k}": f"Line {k}.\n\n[include b{k + 1}]\n\n[include b{k + 1}]\n" for k in range(12)} | {"b12": "End.\n"}
    script = write_blocks(tmp_path, blocks)
    reads = []
    original = include.decode
    monkeypatch.setattr(include, "decode", lambda data, path: reads.append(path) or original(data, path))
    with pytest.raises(ScriptError, match="more than 200 inclusions in one script"):
        parse_script(script)
    assert len(reads) == len(set(reads)) <= 13  # every block file read once


def test_a_pasted_wall_of_text_is_refused_at_its_first_line():
    from mbcl_audio.script.reader import MAX_UTTERANCE_CHARS

    wall = "Breathe in and out. " * (MAX_UTTERANCE_CHARS // 20 + 1)
    with pytest.raises(ScriptError) as err:
        parse_text(HEAD.format(length='"1m"') + "[pause 1s..60s]\n\n" + wall + "\n", "05-t.txt")
    assert "05-t.txt:12:1" in str(err.value) and f"more than the {MAX_UTTERANCE_CHARS:,} one utterance" in str(err.value)
    parse_text(HEAD.format(length='"1m"') + wall[: MAX_UTTERANCE_CHARS - 1] + "\n\n[pause 1s..60s]\n", "05-t.txt")
