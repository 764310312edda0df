"""Real headless Chromium for the tests (and tools/player_screenshot.py), driven by Selenium.

Debian's ``chromium`` and ``chromium-driver`` (installed by ``.ci/run``); the driver is given
explicitly so that Selenium never tries to download one. :func:`chromium_driver` skips the test
with the reason when either is missing.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from typing import Iterator

#: The flags a closed network needs: no background connections, no first-run or sync traffic.
CHROMIUM_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--mute-audio", "--window-size=1000,1400",
)


def browser_missing() -> str:
    """Why no browser test can run here, or ``""`` when one can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    for program in ("chromium", "chromedriver"):
        if shutil.which(program) is None:
            return f"{program} is not installed (apt-get install chromium chromium-driver; .ci/run does)"
    return ""


@contextlib.contextmanager
def chromium_driver(width: int = 1000, height: int = 1400) -> Iterator["object"]:
    """A Selenium driver of headless Chromium that records the browser console."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={width},{height}")
    with tempfile.TemporaryDirectory(prefix="mbcl-chromium-") as profile:
        options.add_argument(f"--user-data-dir={profile}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
        try:
            yield driver
        finally:
            driver.quit()
