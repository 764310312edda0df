"""build-set --executor dask: tracks as tasks on a Dask cluster, byte-identical to a local build."""

from __future__ import annotations

import hashlib

import pytest
from test_build_set import FILES, make_scripts

from mbcl_audio.errors import MbclError
from mbcl_audio.set import SetOptions, build_set

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")

pytestmark = pytest.mark.slow  # a real set build, twice, one of them on a two-process cluster


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_three_tracks_on_a_two_worker_local_cluster_equal_the_local_build(tmp_path, cache_dir):
    scripts = make_scripts(tmp_path)
    local = build_set(scripts, tmp_path / "local", SetOptions(jobs=1, cache_dir=cache_dir))
    assert not local.failed
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = build_set(
            scripts, tmp_path / "dask", SetOptions(executor="dask", scheduler=cluster.scheduler_address, cache_dir=cache_dir)
        )
        assert not remote.failed and [o.status for o in remote.outcomes] == ["built"] * 3
        # Both workers took tracks: the tasks ran in two processes.
        assert len(cluster.scheduler_info["workers"]) == 2
    for name in FILES + ["mbcl-audio-nl.zip", "manifest.json"]:
        assert _sha(tmp_path / "dask" / "nl" / name) == _sha(tmp_path / "local" / "nl" / name), name


def test_dask_without_a_scheduler_or_an_unreachable_one_is_a_clear_error(tmp_path, cache_dir):
    scripts = make_scripts(tmp_path)
    with pytest.raises(MbclError, match="needs --scheduler ADDRESS"):
        build_set(scripts, tmp_path / "out", SetOptions(executor="dask", cache_dir=cache_dir))
    with pytest.raises(MbclError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        build_set(scripts, tmp_path / "out", SetOptions(executor="dask", scheduler="tcp://127.0.0.1:9", cache_dir=cache_dir))
