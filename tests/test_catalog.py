"""The track catalogue (scripts/catalog.toml): 27 valid entries, and clear errors for a broken one."""

from __future__ import annotations

import re

import pytest
from texts import SCRIPTS_DIR

from mbcl_audio.catalog import CatalogError, catalog_path, load_catalog, with_default_length
from mbcl_audio.script import parse_text

CATALOG_FILE = catalog_path(SCRIPTS_DIR)
#: A few rows of the course's track list (titles exactly as written there), to hold the data to it.
EXPECTED = {
    1: ("De ademruimte met vriendelijkheid", "The breathing space with kindness", "Atemraum mit Freundlichkeit", 5, 3, 8, "strong"),
    9: ("Mildheidmeditatie – een weldoener", "Kindness meditation – a benefactor",
        "Meditation der Freundlichkeit – für eine Wohltäterin oder einen Wohltäter", 12, 8, 20, "optional"),
    14: ("Lopen of wandelen met vriendelijkheid", "Walking with kindness", "Gehen mit Freundlichkeit", 15, 10, 30, "none"),
    15: ("Mildheidmeditatie – een ‘lastige’ persoon", "Kindness meditation – a ‘difficult’ person",
         "Meditation der Freundlichkeit – für einen ‚schwierigen‘ Menschen", 15, 10, 20, "optional"),
    26: ("Een compassionele bodyscan", "A compassionate body scan", "Ein mitfühlender Body-Scan", 20, 15, 35, "optional"),
}


def test_the_project_catalog_has_27_valid_tracks():
    catalog = load_catalog(CATALOG_FILE)
    assert [t.number for t in catalog] == list(range(1, 28))
    assert catalog.source_language == "nl"
    for info in catalog:
        assert info.min_s <= info.default_s <= info.max_s
        assert all(info.title(lang) for lang in ("nl", "en", "de"))
        assert info.about and info.needs and info.posture
        assert set(info.weeks) <= set(range(1, 9)) and (info.weeks or info.silent_day)
    for number, (nl, en, de, default, low, high, pacing) in EXPECTED.items():
        info = catalog[number]
        assert (info.title("nl"), info.title("en-GB"), info.title("de")) == (nl, en, de)
        assert (info.default_s, info.min_s, info.max_s, info.pacing) == (default * 60, low * 60, high * 60, pacing)
    assert catalog[23].session is None and catalog[23].session_label == "silent day"
    assert catalog[13].session_label == "4 (+ silent day)" and catalog[4].session_label == "2"


def _broken(tmp_path, edit):
    text = edit(CATALOG_FILE.read_text(encoding="utf-8"))
    path = tmp_path / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    return str(info.value).replace(str(path), "catalog.toml")


def _entry_line(number: int) -> int:
    lines = CATALOG_FILE.read_text(encoding="utf-8").splitlines()
    return next(k for k, line in enumerate(lines, 1) if line == f"number = {number}") - 1


def test_a_default_outside_its_range_names_the_entry(tmp_path):
    message = _broken(tmp_path, lambda t: t.replace('length = "6m"\nrange = ["3m", "10m"]', 'length = "12m"\nrange = ["3m", "10m"]'))
    assert message == f'catalog.toml:{_entry_line(5)}: the default length 12m lies outside its range [\'3m\', \'10m\']'


def test_a_track_listed_twice_or_missing_is_an_error(tmp_path):
    message = _broken(tmp_path, lambda t: t.replace("number = 7\n", "number = 6\n"))
    assert message == f"catalog.toml:{_entry_line(7)}: track 6 is listed twice (also at line {_entry_line(6)})"
    message = _broken(tmp_path, lambda t: t[: t.index("[[track]]\nnumber = 27")])
    assert message == "catalog.toml: the catalogue must list tracks 1 to 27 once each: missing 27"


@pytest.mark.parametrize(
    "old,new,expected",
    [
        ('pacing = "strong"', 'pacing = "loud"', "pacing must be one of strong, optional, none, got 'loud'"),
        ('de = "Atemraum mit Freundlichkeit" }', 'fr = "x" }', "title has no de title"),
        ("weeks = [1, 2, 3, 4, 5, 6, 7]", "weeks = [0]", "weeks must be a list of course weeks 1 to 8"),
        ('posture = "sitting (standing or lying fine)"\n', 'postur = "x"\n', "unknown key 'postur' (did you mean 'posture'?)"),
        ('range = ["3m", "8m"]', 'range = ["8m", "3m"]', "range must give the shortest length first"),
    ],
)
def test_bad_values_name_the_entry_and_the_rule(tmp_path, old, new, expected):
    message = _broken(tmp_path, lambda t: t.replace(old, new, 1))
    assert re.match(rf"catalog.toml:{_entry_line(1)}: ", message) and expected in message


def test_a_missing_or_unreadable_catalog_is_a_clear_error(tmp_path):
    with pytest.raises(CatalogError, match="no track catalogue here"):
        load_catalog(tmp_path / "catalog.toml")
    assert "not valid TOML" in _broken(tmp_path, lambda t: t + "\n[[track]\n")


def test_a_script_without_a_length_takes_its_catalog_default():
    catalog = load_catalog(CATALOG_FILE)
    script = parse_text('+++\ntrack = 9\ntitle = "T"\nlanguage = "en"\n+++\nHi.\n', "x/en/09-t.txt")
    assert script.front.length_s is None
    assert with_default_length(script, catalog).front.length_s == 720.0
    with pytest.raises(CatalogError, match=r"x/en/09-t.txt: the script has no length = .* add e.g. length"):
        with_default_length(script, None)
