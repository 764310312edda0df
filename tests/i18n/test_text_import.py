"""``import-text``: book and PDF text to a draft script that ``check`` accepts, with every guess reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mbcl_audio.check import check_script
from mbcl_audio.cli import main
from mbcl_audio.i18n import I18nError
from mbcl_audio.i18n.text_import import draft_script
from mbcl_audio.script import Pause, parse_text

BOOK = Path(__file__).resolve().parents[1] / "data" / "book"
SAMPLES = [("hyphenation-nl", 2, "nl"), ("furniture-en", 2, "en"), ("steps-de", 1, "de")]


@pytest.fixture
def catalogue_only(tmp_path, monkeypatch) -> Path:
    """A project with the track catalogue and no scripts yet, as the working directory."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(Path(__file__).resolve().parents[2] / "scripts" / "catalog.toml", tmp_path / "scripts" / "catalog.toml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("name, track, language", SAMPLES)
def test_each_sample_gives_its_reviewed_script_and_guesses(catalogue_only, name, track, language):
    """The drafts were read line by line against their input when they were made (tests/data/book)."""
    result = CliRunner().invoke(main, ["import-text", str(BOOK / f"{name}.txt"), "--track", str(track), "--lang", language])
    assert result.exit_code == 0, result.output + result.stderr
    (written,) = Path("scripts", language).glob(f"{track:02d}-*.txt")
    assert written.read_text(encoding="utf-8") == (BOOK / f"{name}.script").read_text(encoding="utf-8")
    assert result.stderr == (BOOK / f"{name}.guesses").read_text(encoding="utf-8")
    problems = [p for p in check_script(written) if p.severity == "error"]
    assert problems == []


def _draft(text: str, track: int = 2, language: str = "nl", title: str = "De veilige plek"):
    return draft_script(text, track, language, title, "espeak", (10.0, 20.0), (3.0, 5.0), 1200.0)


def test_hyphenation_is_undone_but_compound_hyphens_stay():
    draft = _draft("Laat je adem-\nhaling gaan, van Noord-\nen Zuid-Europa tot een Zuid-\nHollands dorp.\n")
    script = parse_text(draft.text)
    assert script.utterances[0].text == "Laat je ademhaling gaan, van Noord- en Zuid-Europa tot een Zuid-Hollands dorp."
    assert [g.split(": ", 1)[0] for g in draft.guesses[:3]] == ["line 1", "line 2", "line 3"]


def test_page_furniture_goes_and_a_sentence_cut_by_a_page_joins():
    text = "Voel je voeten op de\n\n- 12 -\n\nDe veilige plek        13\n\ngrond en blijf even.\n\n14\n\nAdem rustig.\n"
    script = parse_text(_draft(text).text)
    assert [u.text for u in script.utterances] == ["Voel je voeten op de grond en blijf even.", "Adem rustig."]


def test_numbered_steps_questions_and_pause_words_become_structure():
    text = "1. Aankomen\nGa zitten.\n\n2) Wat merk je op?\n\nStilte\n\nAFRONDING\n\nKom terug.\n"
    script = parse_text(_draft(text).text)
    assert [s.title for s in script.sections] == ["Aankomen", "Afronding"]
    assert [u.text for u in script.utterances] == ["Ga zitten.", "Wat merk je op?", "Kom terug."]
    pauses = [(i.min_s, i.max_s, i.silence) for i in script.items if isinstance(i, Pause) and not i.implicit]
    # a paragraph pause after "Ga zitten."; the "Stilte" silence in place of the question's reflective
    # pause; the closing practice silence reaching the longest length
    assert pauses == [(3.0, 5.0, False), (10.0, 20.0, True), (60.0, 1200.0, True)]


def test_text_with_nothing_to_speak_is_an_error():
    with pytest.raises(I18nError, match="no text to speak"):
        _draft("12\n\nDe veilige plek\n\n13\n")
