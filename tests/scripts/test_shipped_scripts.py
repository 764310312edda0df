"""The project's own scripts: they agree with the track catalogue, keep one shape across languages,
and plan exactly at every catalogue length (estimated speech) and at every length in range (real speech)."""

import pytest
from plans import real_speech_samples
from signals import SR
from texts import ROOT, SCRIPTS_DIR

from mbcl_audio.catalog import catalog_path, load_catalog
from mbcl_audio.check import check_script
from mbcl_audio.plan import fit, reachable_range
from mbcl_audio.plan.estimate import estimate_lead_samples, estimate_speech_samples
from mbcl_audio.prepare import read_script
from mbcl_audio.render.bell import framed
from mbcl_audio.render.voice import SpeechCache
from mbcl_audio.script import parse_script
from mbcl_audio.script.shape import script_shape, shape_difference
from mbcl_audio.set import SetOptions, plan_set

CATALOG = load_catalog(catalog_path(SCRIPTS_DIR))
SCRIPTS = sorted(p for p in SCRIPTS_DIR.glob("*/[0-9][0-9]-*.txt"))
#: Tracks whose every length in range is planned with real speech (synthesis is slow: a few tracks).
REAL_SPEECH_TRACKS = {1, 3}


def _ids(paths):
    return [f"{p.parent.name}/{p.name}" for p in paths]


def _speaks_with_piper(path) -> bool:
    return parse_script(path).front.voice.startswith("piper")


@pytest.mark.parametrize("path", SCRIPTS, ids=_ids(SCRIPTS))
def test_front_matter_agrees_with_the_catalog(path):
    script = parse_script(path)
    info = CATALOG[script.front.track]
    assert script.front.title == info.title(script.front.language)
    assert script.front.length_s in (None, info.default_s)
    assert path.name.startswith(f"{info.number:02d}-") and path.parent.name == script.front.language


@pytest.mark.parametrize("path", SCRIPTS, ids=_ids(SCRIPTS))
def test_plans_exactly_at_the_catalog_minimum_default_and_maximum(path):
    # Estimated speech, as plan and check see it: the catalogue range must be reachable, exactly.
    script = read_script(path)
    script = framed(script, script.front.bell)
    speech = estimate_speech_samples(script, SR)
    leads = estimate_lead_samples(script, SR)
    info = CATALOG[script.front.track]
    lo, hi = reachable_range(script, speech, SR)
    assert lo <= info.min_s * SR and hi >= info.max_s * SR, (lo / SR, hi / SR)
    for length_s in (info.min_s, info.default_s, info.max_s):
        target = round(length_s * SR)
        plan = fit(script, speech, target, SR, leads)
        assert plan.length_samples == target == plan.events[-1].stop_sample


PAIRS = sorted(
    (source, other)
    for source in SCRIPTS_DIR.glob(f"{CATALOG.source_language}/[0-9][0-9]-*.txt")
    for other in SCRIPTS_DIR.glob(f"*/{source.name[:3]}*.txt")
    if other.parent != source.parent
)


@pytest.mark.parametrize("source,other", PAIRS, ids=[f"{o.parent.name}/{o.name[:2]}" for _, o in PAIRS])
def test_every_language_keeps_the_source_scripts_shape(source, other):
    a, b = parse_script(other), parse_script(source)
    assert shape_difference(a, b) is None
    assert len(script_shape(a)) > 5  # a real comparison: both have timing structure


@pytest.mark.parametrize("path", SCRIPTS, ids=_ids(SCRIPTS))
def test_check_finds_no_problem(path, cache_dir):
    # As `mbcl-audio check` over scripts/: syntax, catalogue, shape, reach, breath-locked halves.
    assert check_script(path, SpeechCache(cache_dir), music_dir=ROOT / "music", project_dir=ROOT) == []


def test_every_one_of_the_27_tracks_is_scripted_in_dutch_and_english():
    for language in ("nl", "en"):
        tracks = sorted(parse_script(p).front.track for p in SCRIPTS_DIR.glob(f"{language}/[0-9][0-9]-*.txt"))
        assert tracks == [info.number for info in CATALOG] == list(range(1, 28)), language


@pytest.mark.parametrize("lengths", ["short", "default", "long"])
def test_the_whole_set_plans_at_the_catalogues_short_default_and_long_lengths(lengths, tmp_path):
    # As build-set --lengths plans it: every track of both languages, each fitted exactly.
    _, jobs, failed = plan_set(SCRIPTS_DIR, tmp_path, SetOptions(languages=("nl", "en"), lengths=lengths))
    assert failed == [] and sorted(j.key for j in jobs) == [(lang, n) for lang in ("en", "nl") for n in range(1, 28)]
    for job in jobs:
        info = CATALOG[job.track]
        length_s = {"short": info.min_s, "default": info.default_s, "long": info.max_s}[lengths]
        assert (job.options.length_s or info.default_s) == length_s and job.length_variant == lengths
        script = read_script(job.script)
        script = framed(script, script.front.bell)
        plan = fit(script, estimate_speech_samples(script, SR), round(length_s * SR), SR, estimate_lead_samples(script, SR))
        assert plan.length_samples == round(length_s * SR) == plan.events[-1].stop_sample


def _catalog_plans(path):
    """The script's plans at its catalogue minimum, default and maximum (estimated speech)."""
    script = framed(read_script(path), read_script(path).front.bell)
    speech, leads = estimate_speech_samples(script, SR), estimate_lead_samples(script, SR)
    info = CATALOG[script.front.track]
    return [fit(script, speech, round(s * SR), SR, leads) for s in (info.min_s, info.default_s, info.max_s)]


WALKING = [p for p in SCRIPTS if parse_script(p).front.grid == "steps"]
TONGLEN = [p for p in SCRIPTS if parse_script(p).front.track in (16, 17)]


@pytest.mark.parametrize("path", WALKING, ids=_ids(WALKING))
def test_the_step_paced_track_carries_no_breathing_tone(path):
    assert parse_script(path).front.track == 14  # walking with kindness is the set's walking track
    for plan in _catalog_plans(path):
        assert plan.grid == "steps" and plan.pacing == ()
        # Its wishes still walk: each half of a phrase on a step of its own.
        halves = [e.onset_sample for e in plan.overlays if any(p.start_sample <= e.onset_sample < p.stop_sample for p in plan.events if p.kind == "phrase")]
        assert halves and all(h % plan.in_samples == 0 for h in halves)


@pytest.mark.parametrize("path", TONGLEN, ids=_ids(TONGLEN))
def test_every_breath_locked_half_of_tonglen_starts_on_its_breath_phase(path):
    # Take in on the in-breath, give out on the out-breath, with the tone sounding both.
    for plan in _catalog_plans(path):
        phrases = [e for e in plan.events if e.kind == "phrase"]
        assert phrases
        for phrase in phrases:
            # A half's clip starts its lead-in early; its voice sets in inside the phrase.
            halves = sorted((e for e in plan.overlays if phrase.start_sample <= e.onset_sample < phrase.stop_sample), key=lambda e: e.start_sample)
            assert halves and len(halves) % 2 == 0
            (stretch,) = [st for st in plan.pacing if st.start_sample <= phrase.start_sample < st.stop_sample]
            onsets = set(stretch.onsets(plan.length_samples))
            for k, half in enumerate(halves):
                breath_in = half.onset_sample - (stretch.in_samples if k % 2 else 0)
                assert breath_in in onsets, (path.name, plan.length_samples / SR, half.text)


REAL = [p for p in SCRIPTS if parse_script(p).front.track in REAL_SPEECH_TRACKS]


# Scripts in a piper voice take long to synthesize: slow, like real builds.
@pytest.mark.parametrize(
    "path",
    [pytest.param(p, id=i, marks=[pytest.mark.slow] if _speaks_with_piper(p) else []) for p, i in zip(REAL, _ids(REAL))],
)
def test_every_length_in_range_plans_exactly_with_real_speech(path, cache_dir):
    # As built: the script's own voice, and its lead-in and lead-out.
    script, speech = real_speech_samples(path, cache_dir)
    info = CATALOG[script.front.track]
    lo, hi = reachable_range(script, speech, SR)
    assert lo <= info.min_s * SR and hi >= info.max_s * SR, "the catalog's range must be reachable"
    for target in range(-(-lo // SR) * SR, hi + 1, 5 * SR):
        plan = fit(script, speech, target, SR)
        assert plan.length_samples == target == plan.events[-1].stop_sample
