"""The input hash: the same inputs give the same hash; any file or option a track depends on changes it."""

import hashlib
import shutil
from dataclasses import replace

from texts import ROOT, SCRIPTS_DIR

from mbcl_audio.build import BuildOptions
from mbcl_audio.prepare import read_script
from mbcl_audio.set.inputs import input_files, input_hash
from mbcl_audio.set.record import RecordEntry, up_to_date


def _scripts(tmp_path):
    scripts = tmp_path / "scripts"
    shutil.copytree(SCRIPTS_DIR / "nl" / "_blocks", scripts / "nl" / "_blocks")
    shutil.copy(SCRIPTS_DIR / "nl" / "03-mildheidmeditatie-jezelf.txt", scripts / "nl")
    shutil.copy(SCRIPTS_DIR / "catalog.toml", scripts)
    return scripts, scripts / "nl" / "03-mildheidmeditatie-jezelf.txt"


def test_the_hash_follows_script_blocks_catalogue_and_options(tmp_path):
    scripts, script = _scripts(tmp_path)
    options = BuildOptions(project_dir=tmp_path, voices_dir=ROOT / "voices")
    first = input_hash(read_script(script), options, scripts)
    assert input_hash(read_script(script), options, scripts) == first
    names = [p.name for p in input_files(read_script(script), options, scripts)]
    assert {"03-mildheidmeditatie-jezelf.txt", "opening.txt", "reset-rule.txt", "wishes.txt", "catalog.toml"} <= set(names)
    assert "kindness-opening.txt" not in names  # a block the script does not include
    assert input_hash(read_script(script), replace(options, bed="rain"), scripts) != first
    block = scripts / "nl" / "_blocks" / "reset-rule.txt"
    block.write_text(block.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert input_hash(read_script(script), options, scripts) != first
    # Where the folders are does not count, only what is in them.
    assert input_hash(read_script(script), replace(options, music_dir=tmp_path / "elsewhere"), scripts) == input_hash(read_script(script), options, scripts)


def test_a_file_changed_or_removed_by_hand_is_not_up_to_date(tmp_path):
    (tmp_path / "01 T.mp3").write_bytes(b"abc")
    (tmp_path / "01 T.vtt").write_text("WEBVTT\n")
    entry = RecordEntry(1, "T", "01 T.mp3", "h", hashlib.sha256(b"abc").hexdigest(), 1.0, -18.0, -1.0, "espeak", "GPL", "none", "default", ("01 T.vtt",))
    assert up_to_date(entry, "h", tmp_path)
    assert not up_to_date(entry, "other", tmp_path)
    (tmp_path / "01 T.mp3").write_bytes(b"abd")
    assert not up_to_date(entry, "h", tmp_path)
    (tmp_path / "01 T.mp3").write_bytes(b"abc")
    (tmp_path / "01 T.vtt").unlink()
    assert not up_to_date(entry, "h", tmp_path)
