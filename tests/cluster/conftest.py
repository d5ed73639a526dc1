"""The cluster harness (issue 16): `youwei up --replicas 2 --nats-cluster 3 --postgres` as a child process.

Three clustered nats-server nodes, two uvicorn processes of each service and of the gateway, one fresh PostgreSQL
database per service: every process from the real packages. The launcher supervises them as it does for users
(a child killed with SIGKILL comes back after its back-off). The harness is bench/cluster.py (the chaos run uses
it too). PostgreSQL only: without TEST_POSTGRES_URL the tests skip, and with YOUWEI_REQUIRE_POSTGRES=1 (CI's
PostgreSQL run) a missing server fails them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.cluster import Cluster, start

# The cluster tests run the periodic jobs often, on both replicas at once (the last tests of test_cluster.py).
JOB_ENV = {
    "TOLERANCE_EXPIRY_SWEEP_INTERVAL_S": "0.3",
    "PETITIONS_DEADLINE_SWEEP_INTERVAL_S": "0.3",
    "RANK_CONTRACT_SWEEP_INTERVAL_S": "0.3",
    "RANK_STANDING_INTERVAL_S": "0.3",
}


@pytest.fixture(scope="module")
def cluster(postgres_admin_url: str | None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Starts the cluster once per module and stops it (SIGTERM, then SIGKILL) and drops its databases after."""
    if postgres_admin_url is None:
        pytest.skip("the cluster runs on PostgreSQL: set TEST_POSTGRES_URL")
    running = start(postgres_admin_url, tmp_path_factory.mktemp("cluster"), env=JOB_ENV)
    try:
        yield running
    finally:
        running.stop()
