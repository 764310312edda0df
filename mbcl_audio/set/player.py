"""The offline player page of a language folder: ``index.html``, with no network and no external resource.

Tracks are grouped by the course session that introduces them (the silent day as its own group),
each with a player, its length, a chapter list whose buttons seek the audio, captions, download
links for every format and the transcripts, and a link to the zip. The page opens straight from
disk: browsers treat each ``file:`` URL as its own origin and refuse a ``<track src="x.vtt">``
beside the page, so each track's WebVTT file is carried in its ``<track>`` as a ``data:`` URL.

Keyboard and screen reader: one ``h1``, a heading per session and per track, every player and
chapter list labelled by its track's heading, chapters as real buttons in reading order, a skip
link, and a visible focus ring.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Optional, Sequence
from urllib.parse import quote

from ..units import format_clock

__all__ = ["PlayerChapter", "PlayerTrack", "player_html"]


@dataclass(frozen=True)
class PlayerChapter:
    title: str
    start_s: float


@dataclass(frozen=True)
class PlayerTrack:
    number: int
    title: str
    duration_s: float
    #: The audio files, best first (``<source>`` order): e.g. ``("01 Title.opus", "01 Title.mp3")``.
    files: tuple[str, ...]
    #: The course session that introduces the track (1-8), ``None`` for the silent day only.
    session: Optional[int]
    chapters: tuple[PlayerChapter, ...] = ()
    #: The WebVTT text the captions come from, and the transcript files offered for download.
    vtt_text: str = ""
    transcripts: tuple[str, ...] = ()


#: The page's words per language (English where a language has none).
WORDS = {
    "nl": {
        "session": "Sessie {n}", "silent": "Stiltedag", "skip": "Naar de oefeningen", "zip": "Alle oefeningen downloaden (zip)",
        "length": "Duur", "chapters": "Hoofdstukken", "download": "Downloaden", "transcript": "Tekst",
        "captions": "Ondertiteling", "now": "Nu gesproken", "intro": "Kies een oefening. Met de hoofdstukken spring je naar een onderdeel.",
        "track": "Oefening {n}",
    },
    "en": {
        "session": "Session {n}", "silent": "Silent day", "skip": "Skip to the practices", "zip": "Download all practices (zip)",
        "length": "Length", "chapters": "Chapters", "download": "Download", "transcript": "Transcript",
        "captions": "Captions", "now": "Now speaking", "intro": "Choose a practice. The chapter buttons jump to a part of it.",
        "track": "Practice {n}",
    },
    "de": {
        "session": "Sitzung {n}", "silent": "Tag der Stille", "skip": "Zu den Übungen", "zip": "Alle Übungen herunterladen (zip)",
        "length": "Dauer", "chapters": "Kapitel", "download": "Herunterladen", "transcript": "Text",
        "captions": "Untertitel", "now": "Gerade gesprochen", "intro": "Wähle eine Übung. Die Kapitel springen zu einem Teil der Übung.",
        "track": "Übung {n}",
    },
}

MIME_TYPES = {".mp3": "audio/mpeg", ".opus": "audio/ogg; codecs=opus", ".ogg": "audio/ogg", ".m4a": "audio/mp4"}

STYLE = """
:root { color-scheme: light dark; --accent: #2f6f73; --muted: #5b6670; --card: #f4f7f7; }
@media (prefers-color-scheme: dark) { :root { --accent: #8fd0d3; --muted: #a9b4bd; --card: #1f2629; } }
body { font: 1.05rem/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 46rem; padding: 1rem 1.25rem 3rem; }
header { display: flex; gap: 1rem; align-items: center; }
header img { width: 5rem; height: 5rem; border-radius: .5rem; }
h1 { font-size: 1.6rem; margin: .2rem 0; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 2px solid var(--accent); }
h3 { font-size: 1.1rem; margin: 0 0 .25rem; }
article { background: var(--card); border-radius: .6rem; padding: .9rem 1rem; margin: .75rem 0; }
audio { width: 100%; margin: .4rem 0; }
.meta, .caption { color: var(--muted); font-size: .95rem; margin: .2rem 0; }
.caption { min-height: 1.5em; font-style: italic; }
ol.chapters { list-style: none; padding: 0; margin: .3rem 0; display: flex; flex-wrap: wrap; gap: .35rem; }
ol.chapters button { font: inherit; font-size: .92rem; padding: .25rem .6rem; border-radius: 1rem;
  border: 1px solid var(--accent); background: transparent; color: inherit; cursor: pointer; }
ol.chapters button[aria-current="true"] { background: var(--accent); color: Canvas; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #d9822b; outline-offset: 2px; }
.skip, .sr-only { position: absolute; left: -100vw; }
.skip:focus { position: static; }
ul.downloads { padding: 0; margin: .3rem 0 0; display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; }
"""

# Chapter buttons seek the player of their own track; the chapter that is playing is marked for
# sight and for screen readers (aria-current), and the cue being spoken is shown under the player.
SCRIPT = """
document.querySelectorAll("article[data-track]").forEach(function (card) {
  var audio = card.querySelector("audio");
  var buttons = Array.prototype.slice.call(card.querySelectorAll("button[data-start]"));
  var caption = card.querySelector(".caption-text");
  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      audio.currentTime = parseFloat(button.dataset.start);
      var playing = audio.play();
      if (playing && playing.catch) { playing.catch(function () {}); }
    });
  });
  audio.addEventListener("timeupdate", function () {
    var now = audio.currentTime, current = null;
    buttons.forEach(function (b) { if (parseFloat(b.dataset.start) <= now + 0.05) { current = b; } });
    buttons.forEach(function (b) { b.setAttribute("aria-current", b === current ? "true" : "false"); });
  });
  var track = audio.textTracks && audio.textTracks[0];
  if (track && caption) {
    track.mode = "hidden";
    track.addEventListener("cuechange", function () {
      var cue = track.activeCues && track.activeCues[0];
      caption.textContent = cue ? cue.text : "";
    });
  }
});
"""


def _href(name: str) -> str:
    return escape(quote(name), quote=True)


def _kind(name: str) -> str:
    """``"01 Title.opus"`` -> ``"OPUS"``: what a download link offers."""
    return escape(Path(name).suffix.lstrip(".").upper())


def _duration(seconds: float) -> str:
    whole = int(round(seconds))
    return f"PT{whole // 60}M{whole % 60}S"


def _track_html(t: PlayerTrack, language: str, words: dict[str, str], titles_lang: str = "") -> str:
    ident = f"track-{t.number:02d}"
    label = f"{t.number:02d} {t.title}"
    sources = "".join(
        f'<source src="{_href(f)}" type="{escape(MIME_TYPES.get(Path(f).suffix.lower(), "audio/mpeg"))}">' for f in t.files
    )
    captions = ""
    if t.vtt_text:
        data = base64.b64encode(t.vtt_text.encode("utf-8")).decode("ascii")
        captions = (
            f'<track kind="captions" srclang="{escape(language)}" label="{escape(words["captions"])}" '
            f'src="data:text/vtt;charset=utf-8;base64,{data}" default>'
        )
    lines = [
        f'<article data-track="{t.number}" aria-labelledby="{ident}">',
        f'<h3 id="{ident}"{titles_lang}>{escape(label)}</h3>',
        f'<p class="meta">{escape(words["length"])}: <time datetime="{_duration(t.duration_s)}">'
        f"{format_clock(t.duration_s)}</time></p>",
        f'<audio controls preload="metadata" aria-labelledby="{ident}">{sources}{captions}</audio>',
    ]
    if t.vtt_text:
        lines.append(f'<p class="caption"><span class="sr-only">{escape(words["now"])}: </span><span class="caption-text"></span></p>')
    if t.chapters:
        lines.append(f'<nav aria-label="{escape(words["chapters"])}: {escape(label)}"><ol class="chapters">')
        for c in t.chapters:
            lines.append(
                f'<li><button type="button" data-start="{c.start_s:.3f}" aria-current="false">'
                f'{escape(c.title)} <span class="at">({format_clock(c.start_s)})</span></button></li>'
            )
        lines.append("</ol></nav>")
    links = [f'<li><a href="{_href(f)}" download>{escape(words["download"])} {_kind(f)}</a></li>' for f in t.files]
    links += [
        f'<li><a href="{_href(f)}" download>{escape(words["transcript"])} {_kind(f)}</a></li>'
        for f in sorted(t.transcripts, key=lambda name: not name.lower().endswith(".vtt"))
    ]
    lines.append(f'<ul class="downloads" aria-label="{escape(words["download"])}: {escape(label)}">{"".join(links)}</ul>')
    lines.append("</article>")
    return "\n".join(lines)


def player_html(
    language: str, album: str, tracks: Sequence[PlayerTrack], zip_name: str = "", cover: str = ""
) -> str:
    """The ``index.html`` of one language's set: ``tracks`` grouped by session in track order.

    ``zip_name`` and ``cover`` are files beside the page (left out when empty; the copy inside the
    zip has no zip link, which would point at nothing in the unzipped folder). Pure: the same
    arguments give the same bytes.
    """
    known = language.split("-")[0].lower() in WORDS
    words = WORDS[language.split("-")[0].lower() if known else "en"]
    groups: dict[Optional[int], list[PlayerTrack]] = {}
    for t in sorted(tracks, key=lambda t: t.number):
        groups.setdefault(t.session or None, []).append(t)
    titles_lang = "" if known else f' lang="{escape(language)}"'
    body = ['<a class="skip" href="#practices">' + escape(words["skip"]) + "</a>", "<header>"]
    if cover:
        body.append(f'<img src="{_href(cover)}" alt="">')
    body.append(f"<div><h1{titles_lang}>{escape(album)}</h1><p class=\"meta\">{escape(words['intro'])}</p>")
    if zip_name:
        body.append(f'<p><a href="{_href(zip_name)}" download>{escape(words["zip"])}</a></p>')
    body += ["</div>", "</header>", '<main id="practices">']
    for session, listed in groups.items():
        heading = words["session"].format(n=session) if session else words["silent"]
        ident = f"session-{session or 0}"
        body.append(f'<section aria-labelledby="{ident}"><h2 id="{ident}">{escape(heading)}</h2>')
        body += [_track_html(t, language, words, titles_lang) for t in listed]
        body.append("</section>")
    body.append("</main>")
    return "\n".join([
        "<!DOCTYPE html>",
        # The page's own words are English where the set's language has none; the titles keep theirs.
        f'<html lang="{escape(language if known else "en")}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # No request at all, not even for a favicon: the page must work offline.
        '<link rel="icon" href="data:,">',
        f"<title>{escape(album)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        *body,
        f"<script>{SCRIPT}</script>",
        "</body>",
        "</html>",
        "",
    ])
