"""build-set end to end on three short scripts: parallel, incremental, packaged, deterministic."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner
from browser import browser_missing, chromium_driver
from texts import ROOT, SCRIPTS_DIR

from mbcl_audio import SAMPLE_RATE
from mbcl_audio.cli import main
from mbcl_audio.export import read_tags
from mbcl_audio.measure.onset import envelope_onset_sample
from mbcl_audio.set import SetOptions, build_set

SET_SCRIPTS = ROOT / "tests" / "data" / "set"
FILES = ["01 Kort ademen.mp3", "02 Korte plek.mp3", "04 Korte weerstand.mp3"]


def make_scripts(folder):
    """A scripts folder: the project's catalogue and the three short Dutch test scripts."""
    scripts = folder / "scripts"
    shutil.copytree(SET_SCRIPTS, scripts)
    shutil.copy(SCRIPTS_DIR / "catalog.toml", scripts)
    return scripts


def run(scripts, out, cache_dir, *args):
    env = {"MBCL_AUDIO_CACHE": str(cache_dir)}
    return CliRunner().invoke(main, ["build-set", "--scripts", str(scripts), "--out", str(out), *args], env=env)


@pytest.fixture(scope="module")
def built(tmp_path_factory, cache_dir):
    folder = tmp_path_factory.mktemp("set")
    scripts = make_scripts(folder)
    out = folder / "out"
    # Opus beside every MP3: its QA rows, its files in the manifest, the zip and the player page.
    first = run(scripts, out, cache_dir, "-j", "2", "--format", "mp3,opus")
    second = run(scripts, out, cache_dir, "-j", "2", "--format", "mp3,opus")
    return {"scripts": scripts, "out": out, "first": first, "second": second}


def test_every_track_is_built_in_parallel_and_listed(built):
    result = built["first"]
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert ["lang", "#", "file", "length", "LUFS", "dBTP", "status"] in [line.split() for line in lines]
    for name in FILES:
        row = next(line for line in lines if name in line)
        assert "built (speech:" in row
        opus = next(line for line in lines if name[:-4] + ".opus" in line).split()
        assert opus[0] == "nl" and opus[-3:] == ["opus,", "QA", "passed"]
    assert "3 tracks: 3 built, 0 up to date, 0 failed" in result.output
    for name in FILES:
        assert (built["out"] / "nl" / name).is_file()


def test_a_second_run_rebuilds_nothing(built):
    result = built["second"]
    assert result.exit_code == 0, result.output
    assert "3 tracks: 0 built, 3 up to date, 0 failed" in result.output


def test_manifest_playlists_transcripts_and_zip_list_exactly_the_tracks(built):
    folder = built["out"] / "nl"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert [t["file"] for t in manifest["tracks"]] == FILES
    for entry in manifest["tracks"]:
        data = (folder / entry["file"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["duration_s"] == pytest.approx(sf.info(str(folder / entry["file"])).duration, abs=1e-3)
        assert entry["voice"] == "espeak" and entry["voice_licence"].startswith("GPL-3.0")
        assert entry["transcripts"] == [entry["file"][:-4] + ".vtt", entry["file"][:-4] + ".srt"]
        [opus] = entry["formats"]
        assert opus["qa_passed"] is True
        assert opus["file"] == entry["file"][:-4] + ".opus"
        assert opus["sha256"] == hashlib.sha256((folder / opus["file"]).read_bytes()).hexdigest()
        assert opus["duration_s"] == pytest.approx(entry["duration_s"], abs=1e-3)
        assert abs(opus["loudness_lufs"] - entry["loudness_lufs"]) < 0.3 and opus["true_peak_dbtp"] <= -1.0
    whole = (folder / "all tracks.m3u8").read_text(encoding="utf-8").splitlines()
    assert [line for line in whole if not line.startswith("#")] == FILES
    with zipfile.ZipFile(folder / "mbcl-audio-nl.zip") as archive:
        names = archive.namelist()
    transcripts = [f[:-4] + ext for f in FILES for ext in (".vtt", ".srt")]
    playlists = sorted(p.name for p in folder.glob("*.m3u8"))
    opus = [f[:-4] + ".opus" for f in FILES]
    assert sorted(names) == sorted(FILES + opus + transcripts + playlists + ["manifest.json", "cover.png", "index.html"])
    # The page in the zip offers no zip (it would point at nothing once unzipped); the one beside it does.
    with zipfile.ZipFile(folder / "mbcl-audio-nl.zip") as archive:
        zipped_page = archive.read("index.html").decode("utf-8")
    assert "mbcl-audio-nl.zip" not in zipped_page and "mbcl-audio-nl.zip" in (folder / "index.html").read_text(encoding="utf-8")
    assert zipped_page.count("<article") == 3


def test_tracks_carry_replaygain_credits_and_the_album_artist(built):
    folder = built["out"] / "nl"
    manifest = {t["file"]: t for t in json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["tracks"]}
    for name in FILES:
        tags = read_tags(folder / name)
        gain_db = float(tags["replaygain_track_gain"].removesuffix(" dB"))
        # ReplayGain 2.0: the gain that brings the measured file to -18 LUFS; the peak, linear.
        assert gain_db == pytest.approx(-18.0 - manifest[name]["loudness_lufs"], abs=0.01)
        assert float(tags["replaygain_track_peak"]) == pytest.approx(10 ** (manifest[name]["true_peak_dbtp"] / 20), rel=0.002)
        assert tags["credits"] == "Voice: espeak (GPL-3.0-or-later (espeak-ng)). No background bed."
        assert tags["album_artist"] == "mbcl-audio" and tags["publisher"] is None
        # The cover the project draws, the same in every track and beside them.
        assert tags["cover"] == (folder / "cover.png").read_bytes()


def test_week_playlists_follow_the_catalogue(built):
    folder = built["out"] / "nl"
    # Catalogue: track 1 in weeks 1-7, track 2 in weeks 1-6, track 4 in week 2 only; none on the silent day.
    listed = {
        p.stem: [line for line in p.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
        for p in folder.glob("week *.m3u8")
    }
    assert sorted(listed) == [f"week {n}" for n in range(1, 8)]
    assert listed["week 1"] == FILES[:2]
    assert listed["week 2"] == FILES  # course order: by track number
    assert listed["week 7"] == FILES[:1]
    assert not (folder / "stiltedag.m3u8").exists()


def test_transcript_cues_start_within_50_ms_of_the_voice_in_the_decoded_audio(built):
    folder = built["out"] / "nl"
    audio, rate = sf.read(str(folder / "02 Korte plek.mp3"), dtype="float32", always_2d=True)
    mono = audio.mean(axis=1)
    cues = [block.splitlines() for block in (folder / "02 Korte plek.vtt").read_text(encoding="utf-8").split("\n\n")[2:] if block.strip()]
    assert len(cues) == 3  # one per utterance (an ellipsis splits the second paragraph)
    for _, timing, _text in cues:
        start = _seconds(timing.split(" --> ")[0])
        stop = _seconds(timing.split(" --> ")[1])
        # The bed is off: the voice is the only sound; find where it sets in near the cue.
        a, b = int((start - 0.5) * rate), int(stop * rate)
        onset = a + envelope_onset_sample(mono[a:b], rate, peak=float(np.max(np.abs(mono[a:b]))))
        assert abs(onset / rate - start) <= 0.050, (timing, onset / rate)
    srt = (folder / "02 Korte plek.srt").read_text(encoding="utf-8")
    assert srt.startswith("1\n00:00:0") and " --> " in srt and "," in srt.splitlines()[1]


def _seconds(clock: str) -> float:
    h, m, s = clock.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def test_editing_one_script_rebuilds_only_that_track_and_one_utterance(tmp_path, cache_dir):
    scripts = make_scripts(tmp_path)
    out = tmp_path / "out"
    assert run(scripts, out, cache_dir, "-j", "2").exit_code == 0
    path = scripts / "nl" / "02-korte-plek.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("Wat hoor je?", "Wat hoor je nu?"), encoding="utf-8")
    result = run(scripts, out, cache_dir, "-j", "2")
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "02 Korte plek.mp3" in line)
    assert "built (speech: 1 synthesized, 2 cached)" in row
    assert "3 tracks: 1 built, 2 up to date, 0 failed" in result.output


def test_two_clean_builds_give_byte_identical_zips(built, tmp_path, cache_dir):
    # The module's build (through the command, two workers) and a clean one through the library, in one process.
    result = build_set(built["scripts"], tmp_path / "again", SetOptions(jobs=1, cache_dir=cache_dir, formats=("mp3", "opus")))
    assert not result.failed and [o.status for o in result.outcomes] == ["built"] * 3
    first = (built["out"] / "nl" / "mbcl-audio-nl.zip").read_bytes()
    assert hashlib.sha256((tmp_path / "again" / "nl" / "mbcl-audio-nl.zip").read_bytes()).digest() == hashlib.sha256(first).digest()


def test_a_failing_track_fails_the_command_and_the_others_are_built(tmp_path, cache_dir):
    scripts = make_scripts(tmp_path)
    bad = scripts / "nl" / "04-korte-weerstand.txt"
    bad.write_text(bad.read_text(encoding="utf-8").replace("[pause 2s..8s]", "[pause 2s..8s"), encoding="utf-8")
    out = tmp_path / "out"
    result = run(scripts, out, cache_dir, "-j", "2")
    assert result.exit_code == 1
    assert "track 4 (nl) failed:" in result.output and "04-korte-weerstand.txt:" in result.output
    assert "not packaged: nl" in result.output
    built = sorted(p.name for p in (out / "nl").iterdir())
    assert built == sorted([".mbcl-build.json"] + [f[:-4] + ext for f in FILES[:2] for ext in (".mp3", ".srt", ".vtt")])


def test_the_player_page_works_from_disk_in_headless_chromium(built):
    missing = browser_missing()
    if missing:
        pytest.skip(f"no browser for the player page test: {missing}")
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    folder = built["out"] / "nl"
    with chromium_driver() as driver:
        driver.get((folder / "index.html").as_uri())  # straight from disk: file:, no server
        WebDriverWait(driver, 20).until(lambda d: d.execute_script(
            "return Array.from(document.querySelectorAll('audio')).every(a => a.readyState >= 1)"
            " && Array.from(document.querySelectorAll('audio')).every(a => a.textTracks[0].cues"
            " && a.textTracks[0].cues.length > 0)"
        ))
        seeks = []
        cards = driver.find_elements(By.CSS_SELECTOR, "article[data-track]")
        assert [c.get_attribute("data-track") for c in cards] == ["1", "2", "4"]
        # Grouped by the session that introduces the track (catalogue: 1 and 2 in session 1, 4 in 2).
        sections = driver.find_elements(By.CSS_SELECTOR, "main section")
        assert [s.find_element(By.TAG_NAME, "h2").text for s in sections] == ["Sessie 1", "Sessie 2"]
        for card, name in zip(cards, FILES):
            audio = card.find_element(By.TAG_NAME, "audio")
            # Every player is named by its track's heading; the length shown is the file's.
            heading = driver.find_element(By.ID, audio.get_attribute("aria-labelledby"))
            assert heading.text == name[:-4]
            duration = driver.execute_script("return arguments[0].duration", audio)
            assert duration == pytest.approx(sf.info(str(folder / name)).duration, abs=0.1)
            links = [a.get_attribute("href").rsplit("/", 1)[-1] for a in card.find_elements(By.CSS_SELECTOR, "a[download]")]
            stem = name[:-4]
            assert links == [n.replace(" ", "%20") for n in (stem + ".opus", name, stem + ".vtt", stem + ".srt")]
            # Chromium plays the Opus file (the first source); its chapters are the MP3's times.
            assert driver.execute_script("return arguments[0].currentSrc", audio).endswith(".opus")
            # The captions are the VTT file's cues, at its times.
            vtt = (folder / (name[:-4] + ".vtt")).read_text(encoding="utf-8")
            starts = [_seconds(line.split(" --> ")[0]) for line in vtt.splitlines() if " --> " in line]
            cues = driver.execute_script(
                "return Array.from(arguments[0].textTracks[0].cues).map(c => c.startTime)", audio)
            assert cues == pytest.approx(starts, abs=1e-3)
            # Each chapter button seeks its own player to the chapter's start, by mouse or keyboard.
            chapters = read_tags(folder / name)["chapters"]
            buttons = card.find_elements(By.CSS_SELECTOR, "button[data-start]")
            assert len(buttons) == len(chapters) >= 1
            for button, (title, start_ms, _) in list(zip(buttons, chapters))[1:]:
                assert button.text.startswith(title)
                for press in (button.click, lambda: button.send_keys(Keys.ENTER)):
                    driver.execute_script("arguments[0].currentTime = 0", audio)
                    press()
                    now = driver.execute_script("return arguments[0].currentTime", audio)
                    assert now == pytest.approx(start_ms / 1000, abs=0.5), (name, title)
                    driver.execute_script("arguments[0].pause()", audio)
                seeks.append(start_ms)
        assert seeks and all(start_ms > 1000 for start_ms in seeks)
        zip_link = driver.find_element(By.CSS_SELECTOR, "header a[download]")
        assert zip_link.get_attribute("href").endswith("/mbcl-audio-nl.zip")
        # Keyboard order on a fresh page: the skip link, the zip, then the first track's player.
        driver.get((folder / "index.html").as_uri())
        focused = []
        for _ in range(3):
            ActionChains(driver).send_keys(Keys.TAB).perform()
            focused.append(driver.execute_script(
                "const e = document.activeElement; return e.tagName + '.' + e.className + (e.closest('article') ? e.closest('article').dataset.track : '')"))
        assert focused == ["A.skip", "A.", "AUDIO.1"]
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
