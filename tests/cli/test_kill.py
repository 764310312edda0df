"""A build killed at random moments (SIGKILL: no cleanup runs) never leaves a partial file under a
final name, and the next build completes and removes what the dead one left.

Three kill points in the suite; ``MBCL_KILL_POINTS=10 pytest tests/cli/test_kill.py`` runs more.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest
import soundfile as sf
from test_concurrent_builds import SCRIPT

pytestmark = pytest.mark.slow  # five real builds and more

KILL_POINTS = int(os.environ.get("MBCL_KILL_POINTS", "3"))
FRAMES = 20 * 44_100


def build(script, out, env, *extra):
    command = [sys.executable, "-m", "mbcl_audio.cli", "build", str(script), "--out", str(out), *extra]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_killed_build_leaves_the_previous_file_or_the_new_one_whole_and_the_next_build_cleans_up(tmp_path):
    script = tmp_path / "en" / "04-concurrent.txt"
    script.parent.mkdir()
    script.write_text(SCRIPT, encoding="utf-8")
    out = tmp_path / "out"
    env = dict(os.environ, MBCL_AUDIO_CACHE=str(tmp_path / "cache"))
    final = out / "en" / "04 Concurrent.mp3"
    # Two complete versions: the warm-pad build and the rain build a killed build was making.
    versions = {}
    for bed in ("rain", "warm-pad"):
        t0 = time.perf_counter()
        run = build(script, out, env, "--bed", bed)
        assert run.wait(timeout=300) == 0, run.stderr.read()
        versions[bed] = final.read_bytes()
        build_s = time.perf_counter() - t0
    rng = random.Random(11)
    left_behind = []
    for _ in range(KILL_POINTS):
        run = build(script, out, env, "--bed", "rain")
        time.sleep(rng.uniform(0.3, build_s))
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=60)
        # Under the final name: one complete version, never a part of one.
        assert final.read_bytes() in (versions["warm-pad"], versions["rain"])
        assert sf.info(str(final)).frames == FRAMES
        assert [p.name for p in (out / "en").iterdir() if not p.name.startswith(".")] == [final.name]
        left_behind.append(len([p for p in (out / "en").iterdir() if p.name.startswith(".")]))
        # The next build completes and removes whatever the killed one left behind.
        again = build(script, out, env, "--bed", "warm-pad")
        assert again.wait(timeout=300) == 0, again.stderr.read()
        assert sorted(p.name for p in (out / "en").iterdir()) == [final.name]
        assert final.read_bytes() == versions["warm-pad"]
    print(f"{KILL_POINTS} kills; temporary files each left: {left_behind}; corrupt finals 0; leftovers after the next build 0")
