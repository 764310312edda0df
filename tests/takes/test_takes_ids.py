"""Utterance IDs: the documented SS-NNN rule, and stability when other sections change."""

from __future__ import annotations

import narrator_session as ns
from mbcl_audio.takes import utterance_entries, utterance_ids
from mbcl_audio.takes.ids import is_utterance_id


def test_ids_follow_the_rule():
    script = ns.script()
    ids = utterance_ids(script)
    assert ids == ns.IDS
    assert len(ids) == len(script.utterances)
    assert len(set(ids)) == len(ids)
    assert all(is_utterance_id(i) for i in ids)


def test_editing_another_section_keeps_ids():
    before = dict(zip(utterance_ids(ns.script()), (u.text for u in ns.script().utterances)))
    # Insert an utterance and edit text in section 2 ("Kindness").
    edited = ns.SCRIPT.replace(
        "[breath-locked x2]", "A new sentence here.\n\n[breath-locked x2]"
    ).replace("come back to the wish", "return to the wish")
    after_script = ns.script(edited)
    after = dict(zip(utterance_ids(after_script), (u.text for u in after_script.utterances)))
    for uid in ("00-001", "01-001", "01-002"):
        assert after[uid] == before[uid]
    # Inside the edited section the utterances after the insertion are renumbered.
    assert after["02-001"] == "A new sentence here."
    assert after["02-002"] == before["02-001"]
    assert after["02-004"] == "Gently, return to the wish."


def test_entries_carry_pause_and_notes():
    entries = {e.id: e for e in utterance_entries(ns.script())}
    assert entries["00-001"].section == ""
    assert entries["01-001"].section == "Arriving"
    assert entries["01-001"].pause_after == "pause 2-5 s"
    assert entries["02-001"].kind == "inhale" and entries["02-002"].kind == "exhale"
    assert "repeated 2 times" in entries["02-001"].notes[0]
    assert entries["02-003"].kind == "prompt"
    assert entries["01-002"].pause_after == "a breath-locked phrase, from the next in-breath"
    assert entries["02-003"].pause_after.startswith("the rest of the silence")
