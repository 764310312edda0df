"""The player page as text: grouping, escaping, captions carried as data: URLs, no external resource.

The page is loaded in a real browser in tests/set/test_build_set.py.
"""

from __future__ import annotations

import base64
import re

from mbcl_audio.set.player import PlayerChapter, PlayerTrack, player_html
from mbcl_audio.units import format_clock

VTT = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.000\nAdem <rustig> mee.\n"


def _tracks():
    return [
        PlayerTrack(23, "Zitten als een paardenfluisteraar", 1500.0, ("23 Zitten.mp3",), None, (), VTT, ("23 Zitten.vtt",)),
        PlayerTrack(1, "De ademruimte & vriendelijkheid", 300.4, ("01 De ademruimte.opus", "01 De ademruimte.mp3"), 1,
                    (PlayerChapter("Aankomen", 0.0), PlayerChapter("Ademen", 62.5)), VTT,
                    ("01 De ademruimte.srt", "01 De ademruimte.vtt")),
        PlayerTrack(4, "Weerstand", 900.0, ("04 Weerstand.mp3",), 2),
    ]


def test_tracks_are_grouped_by_session_in_course_order_with_the_silent_day_by_itself():
    page = player_html("nl", "Compassievol leven", _tracks(), "mbcl-audio-nl.zip", "cover.png")
    headings = re.findall(r"<h2 id=\"[^\"]+\">([^<]+)</h2>", page)
    assert headings == ["Sessie 1", "Sessie 2", "Stiltedag"]
    assert re.findall(r'data-track="(\d+)"', page) == ["1", "4", "23"]
    assert '<html lang="nl">' in page and "<title>Compassievol leven</title>" in page


def test_text_is_escaped_and_file_names_are_url_encoded():
    page = player_html("nl", "A & B", _tracks(), "mbcl-audio-nl.zip")
    assert "De ademruimte &amp; vriendelijkheid" in page and "<title>A &amp; B</title>" in page
    assert 'src="01%20De%20ademruimte.opus" type="audio/ogg; codecs=opus"' in page
    assert 'href="01%20De%20ademruimte.mp3" download' in page


def test_captions_carry_the_vtt_text_and_chapters_their_start():
    page = player_html("en", "Album", _tracks())
    data = re.findall(r'<track kind="captions" srclang="en" label="Captions" src="data:text/vtt;charset=utf-8;base64,([^"]+)" default>', page)
    assert [base64.b64decode(d).decode("utf-8") for d in data] == [VTT, VTT]
    assert re.findall(r'data-start="([\d.]+)"', page) == ["0.000", "62.500"]
    assert 'Ademen <span class="at">(1:02)</span>' in page
    # A transcript list offers the VTT first; a track without captions has no caption line.
    assert page.index("01%20De%20ademruimte.vtt") < page.index("01%20De%20ademruimte.srt")
    assert page.count('class="caption"') == 2


def test_the_page_asks_for_nothing_outside_its_folder():
    page = player_html("de", "Album", _tracks(), "mbcl-audio-de.zip", "cover.png")
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert urls and all(not re.match(r"[a-z]+://|//", u) for u in urls), urls
    assert all(u.startswith(("data:", "#")) or "/" not in u for u in urls)
    assert "Sitzung 1" in page and "Tag der Stille" in page


def test_the_same_input_gives_the_same_bytes():
    assert player_html("nl", "A", _tracks(), "z.zip") == player_html("nl", "A", list(reversed(_tracks())), "z.zip")


def test_clock_format():
    assert [format_clock(s) for s in (0, 59.6, 312.4, 3725)] == ["0:00", "1:00", "5:12", "1:02:05"]


def test_a_language_without_page_words_gets_english_words_marked_as_english():
    page = player_html("fr", "Vivre avec compassion", _tracks())
    assert '<html lang="en">' in page and "Session 1" in page
    assert '<h1 lang="fr">Vivre avec compassion</h1>' in page and '<h3 id="track-01" lang="fr">' in page
    assert player_html("NL", "A", _tracks()).count("Sessie 1") == 1


def test_the_caption_line_is_named_by_visible_text_not_an_aria_label_on_a_paragraph():
    page = player_html("en", "A", _tracks())
    assert '<p class="caption"><span class="sr-only">Now speaking: </span><span class="caption-text"></span></p>' in page
    assert 'aria-label' not in page.split('<p class="caption">')[1].split("</p>")[0]
