"""Two builds of one script at the same time share one cache safely and give identical files."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mbcl_audio.render.voice import SpeechCache
from mbcl_audio.script import parse_text

SCRIPT = """+++
track = 4
title = "Concurrent"
language = "en"
length = "20s"
bed = "warm-pad"
+++

# One

You can arrive here, just as you are.

[pause 2s..20s]

Let the breath come and go by itself.

[pause 2s..20s]

# Two

Whatever is here can simply be here.

[pause 2s..20s]
"""


def test_two_builds_at_once_leave_one_entry_per_utterance_and_identical_files(tmp_path):
    script = tmp_path / "en" / "04-concurrent.txt"
    script.parent.mkdir()
    script.write_text(SCRIPT, encoding="utf-8")
    env = dict(os.environ, MBCL_AUDIO_CACHE=str(tmp_path / "cache"))
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "mbcl_audio.cli", "build", str(script), "--out", str(tmp_path / f"out{k}")],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for k in (1, 2)
    ]
    synthesized = 0
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
        synthesized += int(re.search(r"speech: (\d+) synthesized", out).group(1))
    # The cache lock: each utterance is synthesized by exactly one of the two builds.
    assert synthesized == 3
    files = [tmp_path / f"out{k}" / "en" / "04 Concurrent.mp3" for k in (1, 2)]
    assert files[0].read_bytes() == files[1].read_bytes()
    texts = {u.text for u in parse_text(SCRIPT, str(script)).utterances}
    entries = list(SpeechCache(tmp_path / "cache").entries())
    assert len(entries) == len(texts) == 3


@pytest.mark.slow
def test_two_builds_into_one_folder_both_succeed_and_a_killed_build_s_leftovers_go(tmp_path):
    import soundfile as sf

    script = tmp_path / "en" / "04-concurrent.txt"
    script.parent.mkdir()
    script.write_text(SCRIPT, encoding="utf-8")
    out = tmp_path / "out"
    (out / "en").mkdir(parents=True)
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    leftover = out / "en" / f".04 Concurrent.staging-{finished.pid}.mp3"  # a killed build's
    leftover.write_bytes(b"half an mp3")
    env = dict(os.environ, MBCL_AUDIO_CACHE=str(tmp_path / "cache"))
    command = [sys.executable, "-m", "mbcl_audio.cli", "build", str(script), "--out", str(out)]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in (1, 2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    # Each stages under its own name: both exit 0 (one always failed when they shared one).
    assert [run.returncode for run in runs] == [0, 0], [err for _, err in outputs]
    final = out / "en" / "04 Concurrent.mp3"
    assert sf.info(str(final)).frames == 20 * 44_100
    assert sorted(p.name for p in (out / "en").iterdir()) == ["04 Concurrent.mp3"]
    assert any("removed 1 temporary file" in err and leftover.name in err for _, err in outputs)
