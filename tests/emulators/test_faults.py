"""Fault controls, the fault middleware and the control endpoint, over real HTTP."""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse
from starlette.routing import Route

from ironbridge.emulators import (
    FaultControls,
    FaultMiddleware,
    RateLimit,
    UnknownEntity,
    UnknownRecord,
    control_mount,
)
from tests.support.servers import serve

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping, Sequence
    from datetime import datetime

    from starlette.requests import Request


class TinyEmulator:
    """The smallest emulator: one entity, ``Thing``, with ids and a change stamp."""

    system = "tiny"

    def __init__(self) -> None:
        self.faults = FaultControls(seed=3)
        self.things: dict[str, dict[str, Any]] = {}
        self.reset()

    @property
    def credentials(self) -> Mapping[str, str]:
        return {"token": "tiny-token"}

    def _check(self, entity: str, ids: Sequence[str]) -> None:
        if entity != "Thing":
            raise UnknownEntity(entity)
        missing = [i for i in ids if i not in self.things]
        if missing:
            raise UnknownRecord(entity, missing)

    def touch(
        self,
        entity: str,
        ids: Sequence[str],
        *,
        at: datetime | None = None,
        changes: Mapping[str, Any] | None = None,
    ) -> list[str]:
        self._check(entity, ids)
        for i in ids:
            self.things[i].update(changes or {})
            self.things[i]["changed"] = at.isoformat() if at else "now"
        return list(ids)

    def delete(self, entity: str, ids: Sequence[str], *, hard: bool = False) -> list[str]:
        self._check(entity, ids)
        for i in ids:
            if hard:
                del self.things[i]
            else:
                self.things[i]["deleted"] = True
        return list(ids)

    def insert(self, entity: str, record: Mapping[str, Any], *, at: datetime | None = None) -> str:
        self._check(entity, [])
        new_id = str(len(self.things) + 1)
        self.things[new_id] = {"id": new_id, **record}
        return new_id

    def snapshot(self, entity: str) -> list[dict[str, Any]]:
        self._check(entity, [])
        return [dict(v) for v in self.things.values()]

    def reset(self) -> None:
        self.things = {"1": {"id": "1"}, "2": {"id": "2"}}
        self.faults.reset()


async def _things(request: Request) -> JSONResponse:
    if request.headers.get("authorization") != "Bearer tiny-token":
        return JSONResponse({"error": "bad token"}, status_code=401)
    return JSONResponse(request.app.state.emulator.snapshot("Thing"))


def tiny_app() -> Starlette:
    emulator = TinyEmulator()
    app = Starlette(
        routes=[control_mount(), Route("/api/things", _things)],
        middleware=[Middleware(FaultMiddleware, controls=emulator.faults)],
    )
    app.state.emulator = emulator
    return app


@pytest.fixture
async def app() -> Starlette:
    return tiny_app()


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        serve(app) as base_url,
        httpx.AsyncClient(base_url=base_url, headers={"authorization": "Bearer tiny-token"}) as c,
    ):
        yield c


def faults_of(app: Starlette) -> FaultControls:
    controls: FaultControls = app.state.emulator.faults
    return controls


# -- FaultControls in Python ------------------------------------------------------------------


def test_controls_validate_their_settings() -> None:
    controls = FaultControls()
    with pytest.raises(ValueError, match="outage"):
        controls.outage = "down"  # type: ignore[assignment]
    with pytest.raises(ValueError, match="latency"):
        controls.latency = -1
    with pytest.raises(ValueError, match="error_rate"):
        controls.error_rate = 1.5
    with pytest.raises(ValueError, match="unknown fault settings"):
        controls.update({"explode": True})
    with pytest.raises(ValueError, match="rate_limit"):
        controls.update({"rate_limit": "often"})
    with pytest.raises(ValueError, match="retry_after"):
        RateLimit(retry_after=-1)


def test_update_applies_json_settings_and_clear_switches_everything_off() -> None:
    controls = FaultControls()
    controls.update(
        {
            "outage": "503",
            "latency": 0.25,
            "rate_limit": {"retry_after": 9, "requests": 2},
            "revoked_credentials": True,
            "error_rate": 0.5,
            "seed": 11,
        }
    )
    assert controls.as_dict() == {
        "outage": "503",
        "latency": 0.25,
        "rate_limit": {"retry_after": 9, "requests": 2},
        "revoked_credentials": True,
        "error_rate": 0.5,
        "seed": 11,
    }
    controls.requests.record("GET", "/x")
    controls.clear()
    assert controls.as_dict()["outage"] is None
    assert controls.next_fault() is None
    assert controls.requests.total == 1
    controls.reset()
    assert controls.requests.total == 0


def test_rate_limit_for_the_next_k_requests_then_off() -> None:
    controls = FaultControls()
    controls.set_rate_limit(4, requests=2)
    decided = [controls.next_fault() for _ in range(3)]
    assert [d.value if d else None for d in decided] == ["rate_limited", "rate_limited", None]
    assert controls.retry_after == 4
    assert controls.rate_limit is None


def test_error_rate_is_deterministic_for_a_seed() -> None:
    def draws(seed: int) -> list[bool]:
        controls = FaultControls(seed=seed)
        controls.error_rate = 0.3
        return [controls.next_fault() is not None for _ in range(50)]

    assert draws(5) == draws(5)
    assert draws(5) != draws(6)
    assert 5 < sum(draws(5)) < 25


# -- over HTTP ----------------------------------------------------------------------------------


async def test_no_fault_passes_through_and_counts(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    response = await client.get("/api/things")
    assert response.status_code == 200
    assert [t["id"] for t in response.json()] == ["1", "2"]
    counter = faults_of(app).requests
    assert counter.total == 1
    assert counter.count("GET", "/api/things") == 1
    assert counter.recent[-1].status == 200


async def test_refused_outage_is_a_transport_error(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    faults_of(app).outage = "refused"
    with pytest.raises(httpx.TransportError):
        await client.get("/api/things")
    faults_of(app).outage = None
    assert (await client.get("/api/things")).status_code == 200


async def test_503_outage(client: httpx.AsyncClient, app: Starlette) -> None:
    faults_of(app).outage = "503"
    assert (await client.get("/api/things")).status_code == 503


async def test_rate_limit_answers_429_with_retry_after(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    faults_of(app).set_rate_limit(7, requests=2)
    first = await client.get("/api/things")
    second = await client.get("/api/things")
    third = await client.get("/api/things")
    assert [first.status_code, second.status_code, third.status_code] == [429, 429, 200]
    assert first.headers["retry-after"] == "7"
    assert second.headers["retry-after"] == "7"


async def test_revoked_credentials_answer_401(client: httpx.AsyncClient, app: Starlette) -> None:
    faults_of(app).revoked_credentials = True
    assert (await client.get("/api/things")).status_code == 401


async def test_latency_delays_answers(client: httpx.AsyncClient, app: Starlette) -> None:
    faults_of(app).latency = 0.2
    started = time.perf_counter()
    response = await client.get("/api/things")
    assert response.status_code == 200
    assert time.perf_counter() - started >= 0.2


async def test_error_rate_follows_the_seeded_rng(client: httpx.AsyncClient, app: Starlette) -> None:
    faults_of(app).seed = 21
    faults_of(app).error_rate = 0.5
    rng = random.Random(21)
    expected = [500 if rng.random() < 0.5 else 200 for _ in range(20)]
    statuses = [(await client.get("/api/things")).status_code for _ in range(20)]
    assert statuses == expected
    assert {500, 200} <= set(statuses)


async def test_control_endpoint_is_not_faulted_or_counted(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    set_response = await client.post(
        "/_emulator/faults", json={"outage": "refused", "rate_limit": True}
    )
    assert set_response.status_code == 200
    assert set_response.json()["outage"] == "refused"
    got = await client.get("/_emulator/faults", headers={"authorization": ""})
    assert got.json()["rate_limit"] == {"retry_after": 1, "requests": None}
    bad = await client.post("/_emulator/faults", json={"latency": "slow"})
    assert bad.status_code == 400
    assert "latency" in bad.json()["error"]
    cleared = await client.delete("/_emulator/faults")
    assert cleared.json()["outage"] is None
    assert faults_of(app).requests.total == 0


async def test_requests_endpoint_counts_per_route(client: httpx.AsyncClient) -> None:
    for _ in range(3):
        await client.get("/api/things")
    await client.get("/api/missing")
    counts = (await client.get("/_emulator/requests")).json()
    assert counts["total"] == 4
    assert counts["byRoute"] == {"GET /api/missing": 1, "GET /api/things": 3}
    assert counts["recent"][-1] == {
        "method": "GET",
        "path": "/api/missing",
        "query": "",
        "status": 404,
    }
    await client.delete("/_emulator/requests")
    assert (await client.get("/_emulator/requests")).json()["total"] == 0


async def test_records_endpoints_drive_the_emulator(client: httpx.AsyncClient) -> None:
    touched = await client.post(
        "/_emulator/records/Thing/touch",
        json={"ids": ["1"], "at": "2024-05-01T00:00:00Z", "changes": {"colour": "red"}},
    )
    assert touched.json() == {"ids": ["1"]}
    deleted = await client.post("/_emulator/records/Thing/delete", json={"ids": ["2"]})
    assert deleted.status_code == 200
    created = await client.post("/_emulator/records/Thing", json={"colour": "blue"})
    assert created.status_code == 201
    snapshot = (await client.get("/_emulator/records/Thing")).json()
    assert snapshot == [
        {"id": "1", "colour": "red", "changed": "2024-05-01T00:00:00+00:00"},
        {"id": "2", "deleted": True},
        {"id": "3", "colour": "blue"},
    ]
    unknown = await client.post("/_emulator/records/Thing/touch", json={"ids": ["9"]})
    assert unknown.status_code == 404
    assert (await client.get("/_emulator/records/Nope")).status_code == 404
    bad = await client.post("/_emulator/records/Thing/touch", json={"ids": "1"})
    assert bad.status_code == 400
    reset = await client.post("/_emulator/reset")
    assert reset.status_code == 200
    assert len((await client.get("/_emulator/records/Thing")).json()) == 2


async def test_info_reports_system_and_credentials(client: httpx.AsyncClient) -> None:
    info = (await client.get("/_emulator/info")).json()
    assert info == {"system": "tiny", "credentials": {"token": "tiny-token"}}
