"""A gateway killed with SIGKILL in the middle of a sync and started again loses nothing: the run
it left behind is marked FAILED at start-up, the next run resumes, and the store ends up holding
exactly the purchase orders the system holds."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import httpx

from ironbridge.emulators.sap import create_app
from ironbridge.models import EntityType, SyncState
from tests.connectors.sap.harness import malformed_ids, sap
from tests.support.servers import free_port, serve

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from ironbridge.emulators.control import EmulatorApp

CONNECT = """mutation($input: ConnectInput!) { connect(input: $input) { connection { id } } }"""
RECORDS = 400
PAGE_SIZE = 20
# seconds per upstream request: 20 pages of purchase orders take a few seconds
LATENCY = 0.2
# bounds of the polling loops (seconds); never assertions on how long anything takes
START_BOUND = 60.0
SYNC_BOUND = 60.0
POLL = 0.05


def _expected_ids(app: EmulatorApp) -> set[str]:
    listed = {str(r["PurchaseOrder"]) for r in sap(app).snapshot("PurchaseOrder")}
    return listed - malformed_ids(app, EntityType.PURCHASE_ORDER)


def _query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    """Read the gateway's SQLite store read-only; [] while it is not there or busy."""
    if not db.exists():
        return []
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)) as c:
            return c.execute(sql).fetchall()
    except sqlite3.OperationalError:  # locked by a writer, or the tables not made yet
        return []


def _runs(db: Path) -> list[tuple[Any, ...]]:
    return _query(db, "SELECT id, state, records_fetched FROM sync_runs ORDER BY id")


def _admin_key(data_dir: Path) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "ironbridge", "admin-key", "create", "--data-dir", str(data_dir)],
        check=True,
        capture_output=True,
        text=True,
        env=_env(),
    )
    return out.stdout.strip().splitlines()[-1]


def _text(log: Path) -> str:
    return _text(log) if log.exists() else ""


def _spawn(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=_env())


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IRONBRIDGE_")}
    env["IRONBRIDGE_LOG_LEVEL"] = "warning"
    return env


@contextlib.asynccontextmanager
async def _gateway(data_dir: Path, log: Path) -> AsyncIterator[tuple[subprocess.Popen[bytes], str]]:
    """``python -m ironbridge serve`` on a free port; stopped (if still alive) on the way out."""
    port = free_port()
    args = [sys.executable, "-m", "ironbridge", "serve", "--host", "127.0.0.1"]
    args += ["--port", str(port), "--data-dir", str(data_dir)]
    proc = _spawn(args, log)
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url, timeout=5) as client:
            for _ in range(int(START_BOUND / POLL)):
                assert proc.poll() is None, _text(log)
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/healthz")).status_code == 200:
                        break
                await asyncio.sleep(POLL)
            else:
                raise AssertionError(f"the gateway did not start:\n{_text(log)}")
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.terminate()
        for _ in range(int(START_BOUND / POLL)):
            if proc.poll() is not None:
                break
            await asyncio.sleep(POLL)
        else:
            proc.kill()
        proc.wait()


async def test_a_killed_gateway_resumes_and_loses_nothing(tmp_path: Path) -> None:
    app = create_app(records=RECORDS, page_size=PAGE_SIZE, maintenance_orders=4)
    data_dir = tmp_path / "data"
    db = data_dir / "ironbridge.db"
    log = tmp_path / "gateway.log"
    key = _admin_key(data_dir)
    async with serve(app) as base_url:
        sap(app).faults.latency = LATENCY
        async with _gateway(data_dir, log) as (proc, url):
            variables = {
                "input": {
                    "systemKey": "sap-s4hana",
                    "instanceUrl": base_url,
                    "credentials": dict(sap(app).credentials),
                    "syncSettings": {
                        "initialLookbackDays": 3650,
                        "entities": ["PURCHASE_ORDER"],
                    },
                }
            }
            async with httpx.AsyncClient(base_url=url, timeout=30) as client:
                response = await client.post(
                    "/graphql",
                    json={"query": CONNECT, "variables": variables},
                    headers={"Authorization": f"Bearer {key}"},
                )
            assert response.status_code == 200, response.text
            assert "errors" not in response.json(), response.text
            # the first run has committed some pages, not all of them
            for _ in range(int(SYNC_BOUND / POLL)):
                runs = _runs(db)
                if runs and runs[-1][1] == SyncState.IN_PROGRESS.value and runs[-1][2] > 0:
                    break
                await asyncio.sleep(POLL)
            else:
                raise AssertionError(f"no sync in progress: {_runs(db)}\n{_text(log)}")
            killed_run = runs[-1][0]
            assert runs[-1][2] < RECORDS
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        assert _runs(db)[-1][:2] == (killed_run, SyncState.IN_PROGRESS.value)

        async with _gateway(data_dir, log):
            done = (SyncState.COMPLETED.value, SyncState.COMPLETED_WITH_WARNINGS.value)
            for _ in range(int(SYNC_BOUND / POLL)):
                runs = _runs(db)
                if any(run_id > killed_run and state in done for run_id, state, _ in runs):
                    break
                await asyncio.sleep(POLL)
            else:
                raise AssertionError(f"no completed sync after the restart: {_runs(db)}")

    runs = _runs(db)
    states = {run_id: state for run_id, state, _ in runs}
    assert states[killed_run] == SyncState.FAILED.value
    # the next run resumed from the checkpoint of the last page committed: it fetched less
    resumed = [fetched for run_id, state, fetched in runs if run_id > killed_run and state in done]
    assert resumed[0] < RECORDS
    live = {
        row[0]
        for row in _query(db, "SELECT remote_id FROM purchase_orders WHERE deleted_at IS NULL")
    }
    assert live == _expected_ids(app)
    assert len(live) == RECORDS - len(malformed_ids(app, EntityType.PURCHASE_ORDER))
