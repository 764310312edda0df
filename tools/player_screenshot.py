"""A screenshot of a built set's player page in headless Chromium (for docs/images/).

    python tools/player_screenshot.py output/nl docs/images/player-nl.png

Needs Debian's chromium and chromium-driver and selenium (the dev extra), as the player test does.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browser import browser_missing, chromium_driver  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a language folder of a built set (with index.html)")
    parser.add_argument("png", type=Path, help="where the screenshot goes")
    parser.add_argument("--width", type=int, default=900)
    parser.add_argument("--height", type=int, default=1300)
    args = parser.parse_args()
    missing = browser_missing()
    if missing:
        print(f"no browser: {missing}", file=sys.stderr)
        return 1
    page = args.folder.resolve() / "index.html"
    if not page.is_file():
        print(f"{page}: no player page; build the set first (mbcl-audio build-set)", file=sys.stderr)
        return 1
    with chromium_driver(args.width, args.height) as driver:
        driver.get(page.as_uri())
        # Show the page as a listener finds it mid-practice: one chapter chosen, its caption showing.
        driver.execute_script(
            "const b = document.querySelectorAll('article')[0].querySelectorAll('button[data-start]');"
            "const a = document.querySelector('audio'); a.muted = true;"
            "if (b.length > 1) { b[1].click(); b[1].focus(); }"
        )
        time.sleep(1.5)
        driver.execute_script("document.querySelector('audio').pause()")
        args.png.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(args.png))
    print(f"wrote {args.png}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
