"""Ctrl-C during build-set: every worker stops, no partial file is left, and the next run completes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import soundfile as sf
from test_build_set import make_scripts

from mbcl_audio.set.record import RECORD_FILE
from mbcl_audio.takes.files import file_sha256

pytestmark = pytest.mark.slow  # a real set build in worker processes, twice


def _as_from_a_terminal() -> None:
    """In the child before exec: Ctrl-C as a terminal delivers it, default and unblocked. A child
    inherits an ignored or blocked SIGINT from its parent, and a pytest worker that ran other tests
    first may have either (Python then never raises KeyboardInterrupt in the command)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _signal_state() -> str:
    """This process's ignored and blocked signal masks (why a Ctrl-C could go unseen)."""
    with open("/proc/self/status", encoding="ascii") as status:
        return " ".join(line.strip() for line in status if line.startswith(("SigIgn", "SigBlk")))


def start(scripts, out, env):
    command = [sys.executable, "-m", "mbcl_audio.cli", "build-set", "--scripts", str(scripts), "--out", str(out), "-j", "2"]
    # Its own process group: a terminal's Ctrl-C reaches the command and its workers alike.
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=_as_from_a_terminal,
    )


def test_ctrl_c_leaves_only_whole_recorded_files_and_the_next_run_finishes(tmp_path):
    scripts = make_scripts(tmp_path)
    out = tmp_path / "out"
    env = dict(os.environ, MBCL_AUDIO_CACHE=str(tmp_path / "cache"))
    run = start(scripts, out, env)
    folder = out / "nl"
    deadline = time.monotonic() + 120
    # Interrupt while a track is being encoded: its staging file exists.
    while not (folder.is_dir() and any("staging" in p.name for p in folder.iterdir())):
        assert run.poll() is None and time.monotonic() < deadline, "the set finished before it could be interrupted"
        time.sleep(0.005)
    os.killpg(run.pid, signal.SIGINT)
    status = run.wait(timeout=120)
    assert status != 0, (f"the set ran to its end through Ctrl-C (test process: {_signal_state()})", run.stdout.read()[-2000:])
    leftovers = [p.name for p in folder.iterdir() if p.name.startswith(".") and p.name != RECORD_FILE]
    assert leftovers == []
    record = json.loads((folder / RECORD_FILE).read_text(encoding="utf-8"))["tracks"] if (folder / RECORD_FILE).exists() else {}
    lengths_s = {"01 Kort ademen.mp3": 25.0, "02 Korte plek.mp3": 20.0, "04 Korte weerstand.mp3": 20.0}
    for mp3 in folder.glob("*.mp3"):
        # A track under its final name is whole: it decodes to its length, and if the record has
        # it (a worker can finish just as the interrupt arrives), with the recorded hash.
        assert sf.info(str(mp3)).duration == pytest.approx(lengths_s[mp3.name], abs=1e-3)
        if mp3.name in record:
            assert file_sha256(mp3) == record[mp3.name]["sha256"]
    assert not list(folder.glob("*.zip"))
    again = start(scripts, out, env)
    stdout, stderr = again.communicate(timeout=300)
    assert again.returncode == 0, stderr
    assert "3 tracks:" in stdout and "0 failed" in stdout
    assert (folder / "mbcl-audio-nl.zip").is_file()
