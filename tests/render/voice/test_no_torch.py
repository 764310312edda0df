"""The core package must never import torch (coqui-tts is an optional extra, imported lazily)."""

import subprocess
import sys


def test_core_modules_do_not_import_torch():
    code = (
        "import sys, mbcl_audio, mbcl_audio.build, mbcl_audio.cli, mbcl_audio.render.voice.coqui; "
        "assert 'torch' not in sys.modules, 'torch imported'; "
        "assert 'TTS' not in sys.modules, 'TTS imported'"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
