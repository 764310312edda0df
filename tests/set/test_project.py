"""A trainer's pack in mbcl-audio.toml: languages, voices, bed and per-track lengths for build-set."""

import pytest
from test_build_set import make_scripts

from mbcl_audio.errors import MbclError
from mbcl_audio.master.profiles import load_project_config
from mbcl_audio.set import SetOptions, plan_set
from mbcl_audio.set.project import load_set_config
from mbcl_audio.set.runner import with_project
from mbcl_audio.build import BuildOptions

PACK = """
[build]
profile = "meditation"

[set]
languages = ["nl"]
bed = "rain"
jobs = 1
publisher = "A training centre"
year = 2026
album = "Compassievol leven"
artist = "Anna de Vries"

[set.voices]
nl = "espeak"

[lengths]
2 = "22s"
"""


def _jobs(tmp_path, options):
    scripts = make_scripts(tmp_path)
    options = with_project(options, load_set_config(tmp_path))
    _, jobs, failed = plan_set(scripts, tmp_path / "out", options)
    assert failed == []
    return options, {job.track: job for job in jobs}


def test_the_project_file_sets_languages_voices_bed_and_track_lengths(tmp_path):
    (tmp_path / "mbcl-audio.toml").write_text(PACK, encoding="utf-8")
    assert load_project_config(tmp_path).profile == "meditation"  # the loudness part still reads it
    options, jobs = _jobs(tmp_path, SetOptions(build=BuildOptions(project_dir=tmp_path)))
    assert options.languages == ("nl",) and options.jobs == 1 and options.lengths == "default"
    assert jobs[2].options.length_s == 22.0 and jobs[2].file == "02 Korte plek (22 s).mp3" and jobs[2].length_variant == "22 s"
    assert jobs[1].options.length_s is None and jobs[1].file == "01 Kort ademen.mp3"
    assert {job.options.voice for job in jobs.values()} == {"espeak"}
    assert {job.options.bed for job in jobs.values()} == {"rain"}
    assert {(job.options.publisher, job.options.year) for job in jobs.values()} == {("A training centre", 2026)}
    assert {(job.options.album, job.options.artist) for job in jobs.values()} == {("Compassievol leven", "Anna de Vries")}


def test_the_command_line_wins_over_the_file(tmp_path):
    (tmp_path / "mbcl-audio.toml").write_text(PACK, encoding="utf-8")
    options, jobs = _jobs(tmp_path, SetOptions(jobs=2, build=BuildOptions(project_dir=tmp_path, bed="none", voice="espeak")))
    assert options.jobs == 2 and {job.options.bed for job in jobs.values()} == {"none"}
    # An explicit --lengths sets the file's per-track lengths aside too.
    options = with_project(SetOptions(lengths="default", build=BuildOptions(project_dir=tmp_path)), load_set_config(tmp_path))
    assert options.track_lengths == {}


@pytest.mark.parametrize(
    "text,message",
    [
        ('[set]\nlengths = "medium"\n', "[set] lengths must be one of default, short, long, got 'medium'"),
        ("[set]\njob = 2\n", "[set] unknown key 'job' (did you mean 'jobs'?)"),
        ('[lengths]\n30 = "10m"\n', "[lengths] '30' is not a track number from 1 to 27"),
        ('[lengths]\n3 = "ten minutes"\n', "[lengths] 3:"),
        ("[sett]\n", "unknown table [sett]"),
        ("[set]\nyear = 26\n", "[set] year must be a year such as 2026, got 26"),
    ],
)
def test_a_wrong_setting_names_the_file_and_the_setting(tmp_path, text, message):
    (tmp_path / "mbcl-audio.toml").write_text(text, encoding="utf-8")
    with pytest.raises(MbclError) as info:
        load_set_config(tmp_path)
        load_project_config(tmp_path)
    assert str(info.value).startswith(str(tmp_path / "mbcl-audio.toml")) and message in str(info.value)
