"""docs/tracks.md is generated from the catalogue: it must be up to date."""

import subprocess
import sys

from texts import ROOT


def test_tracks_doc_matches_the_catalog():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "tracks_doc.py"), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
