"""Replications on a Dask cluster (docs/experiments.md, "Scaling out on Dask"):
``run(..., executor=client.get_executor())`` gives the same results, to the bit, as
running them in this process."""

from __future__ import annotations

import logging
import warnings

import pandas as pd
import pytest

import workforce_sim as ws

from ..conftest import small_dict

distributed = pytest.importorskip("distributed")

SEED = 424242


@pytest.fixture(scope="module")
def client():
    """Two single-threaded worker processes on this machine; always closed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # port and memory-limit chatter
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                           dashboard_address=None, silence_logs=logging.ERROR)
    try:
        with distributed.Client(cluster) as c:
            yield c
    finally:
        cluster.close()


@pytest.mark.slow        # a local dask cluster: about 8 s
def test_dask_executor_gives_identical_results(client):
    s = ws.Scenario.from_dict(small_dict(horizon_months=12))
    local = ws.run(s, 10, SEED, workers=1, progress=False)
    remote = ws.run(s, 10, SEED, executor=client.get_executor(), workers=2, progress=False)
    assert remote.replications == 10 and not remote.interrupted
    pd.testing.assert_frame_equal(local.monthly, remote.monthly, check_exact=True)
    # the work really ran on the cluster's worker processes
    assert len(client.scheduler_info()["workers"]) == 2
    # summary mode on the cluster: the same running sums, added in replication order
    summ = ws.run(s, 10, SEED, executor=client.get_executor(), workers=2, progress=False,
                  keep="summary", keep_monthly=3)
    local_summ = ws.run(s, 10, SEED, workers=1, progress=False, keep="summary", keep_monthly=3)
    pd.testing.assert_frame_equal(summ.summary("cost_total"), local_summ.summary("cost_total"),
                                  check_exact=True)


def test_dask_executor_continues_a_run(client):
    """Replications 4..9 on the cluster equal replications 4..9 of a local batch."""
    s = ws.Scenario.from_dict(small_dict(horizon_months=12))
    local = ws.run(s, 10, SEED, workers=1, progress=False).monthly
    rest = ws.run(s, 6, SEED, executor=client.get_executor(), first_replication=4,
                  progress=False).monthly
    pd.testing.assert_frame_equal(local[local["replication"] >= 4].reset_index(drop=True), rest,
                                  check_exact=True)
