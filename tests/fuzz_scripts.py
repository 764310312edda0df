"""Generated scripts for the fuzz tests (a plain module: ``from fuzz_scripts import ...``).

:func:`scripts` draws whole script files, front matter and body, from the markup's own
vocabulary with hostile values mixed in (huge and malformed numbers and durations, unclosed
brackets, stray separators, includes of missing or nested blocks). :func:`parse_outcome` and
:func:`plan_outcome` run one through the parser, or the parser and the planner with estimated
speech, and say how it ended: ``"ok"``, ``"error"`` (the project's own, located error) or the
name of any other exception, which is a bug. ``tests/script/test_fuzz.py`` runs a bounded number
in the suite; ``benchmarks/fuzz.py`` runs 100,000 and 20,000 and reports counts and the slowest.
"""

from __future__ import annotations

from hypothesis import strategies as st

from mbcl_audio.errors import MbclError
from mbcl_audio.plan import fit, reachable_range
from mbcl_audio.plan.estimate import estimate_lead_samples, estimate_speech_samples
from mbcl_audio.script import parse_text

SR = 44_100

# Mostly what a writer types, with hostile values one draw in four or so.
SANE_NUMBERS = ["1", "2", "3", "5", "10", "20", "30", "60"]
HOSTILE_NUMBERS = ["0", "999", "1000", "1001", "9999999", "9" * 60, "1.5", "-1", "1e305", "nan", ""]
NUMBERS = st.sampled_from(SANE_NUMBERS * 4 + HOSTILE_NUMBERS)
UNITS = st.sampled_from(["s"] * 12 + ["ms", "m", "m", "h", "", "x", ":00", ":5"])
DURATIONS = st.builds(lambda n, u: n + u, NUMBERS, UNITS)
RANGES = st.one_of(DURATIONS, st.builds(lambda a, b: f"{a}..{b}", DURATIONS, DURATIONS))
WORDS = st.sampled_from(["Breathe in.", "Let it be.", "May I", "be at ease", "…", "...", "and", "|", "Rest here"])


def _directive(draw) -> str:
    kind = draw(st.sampled_from([
        "pause", "pause", "pause", "silence", "silence", "breathe", "breath-locked", "breath-locked", "pacing",
        "optional", "end optional", "include", "on-beat", "unknown", "",
    ]))
    if kind in ("pause", "silence"):
        extra = draw(st.sampled_from([""] * 6 + [" prefer=3s", " weight=2", " every=30s", " prefer=99999h", " weight=-1"]))
        return f"[{kind} {draw(RANGES)}{extra}]"
    if kind == "breathe":
        return f"[breathe {draw(NUMBERS)}]"
    if kind == "breath-locked":
        spec = draw(st.one_of(st.builds(lambda n: "x" + n, NUMBERS), RANGES))
        return f"[breath-locked {spec}] {draw(WORDS)} | {draw(WORDS)}"
    if kind == "pacing":
        return f"[pacing {draw(st.sampled_from(['on', 'off', 'fade ' + draw(NUMBERS), 'on rate=' + draw(NUMBERS)]))}]"
    if kind == "optional":
        return f"[optional {draw(NUMBERS)}]"
    if kind == "include":
        return f"[include {draw(st.sampled_from(['missing', 'a', '../x', 'a.txt']))}]"
    return f"[{kind}]"


@st.composite
def scripts(draw) -> str:
    """A whole script file: front matter (sometimes broken) and a body of 0-20 lines."""
    length = draw(st.sampled_from(['"1m"'] * 14 + ['"5m"'] * 6 + ['"0s"', "1e305", '"25h"', '"' + "9" * 50 + 's"', "60", '"x"']))
    front = f'+++\ntrack = {draw(st.sampled_from(["1", "27"] + ["5"] * 16 + ["0", "99"]))}\ntitle = "T"\nlanguage = "en"\nlength = {length}\n'
    if draw(st.booleans()):
        front += draw(st.sampled_from(['bed = "ocean"\n', 'bell = ["start"]\n', 'voice = "espeak"\n'] * 3 + ["pause_s = 1e305\n"]))
    lines = [front + ("+++" if draw(st.integers(0, 50)) else ""), "", "Settle in."]
    for _ in range(draw(st.integers(0, 10))):
        piece = draw(st.sampled_from(["text"] * 6 + ["directive"] * 4 + ["blank"] * 5 + ["heading", "prompt", "junk"]))
        if piece == "text":
            lines.append(" ".join(draw(st.lists(WORDS, min_size=1, max_size=5))))
        elif piece == "directive":
            lines.append(_directive(draw))
        elif piece == "heading":
            lines.append("# " + draw(WORDS))
        elif piece == "prompt":
            lines.append("> " + draw(WORDS))
        elif piece == "blank":
            lines.append("")
        else:
            lines.append(draw(st.text(alphabet="[]|#>.…x0123456789smh =\t", max_size=12)))
    return "\n".join(lines) + "\n\n[pause 1s..20m]\n"


def parse_outcome(text: str) -> str:
    """``"ok"``, ``"error"`` (a project error) or the name of any other exception."""
    try:
        parse_text(text, "05-fuzz.txt")
    except MbclError:
        return "error"
    except Exception as exc:  # noqa: BLE001 - the point: any other exception is a bug to report
        return type(exc).__name__
    return "ok"


def plan_outcome(text: str) -> str:
    """Parse, then plan with estimated speech at the shortest, default and longest length."""
    try:
        script = parse_text(text, "05-fuzz.txt")
        speech = estimate_speech_samples(script, SR)
        leads = estimate_lead_samples(script, SR)
        lo, hi = reachable_range(script, speech, SR)
        for target in (lo, hi, int(round(script.front.length_s * SR))):
            if lo <= target <= hi:
                fit(script, speech, target, SR, leads)
    except MbclError:
        return "error"
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__
    return "ok"
