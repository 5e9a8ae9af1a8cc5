"""The ``ironbridge`` command, run the way a user runs it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import httpx
from typer.testing import CliRunner

from ironbridge.cli import app
from ironbridge.security.tokens import TokenKind, parse_token
from tests.support.servers import free_port

if TYPE_CHECKING:
    from pathlib import Path

runner = CliRunner()


def test_schema_prints_the_sdl() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert "type Query {" in result.output
    assert "purchaseOrders(" in result.output
    assert "interface Node {" in result.output


def test_systems_lists_the_catalog() -> None:
    result = runner.invoke(app, ["systems", "--json"])
    assert result.exit_code == 0
    systems = {s["key"]: s for s in json.loads(result.output)}
    assert "PURCHASE_ORDER" in systems["sandbox"]["entities"]


def test_migrate_and_admin_key(tmp_path: Path) -> None:
    migrated = runner.invoke(app, ["migrate", "--data-dir", str(tmp_path)])
    assert migrated.exit_code == 0, migrated.output
    assert (tmp_path / "ironbridge.db").exists()
    created = runner.invoke(
        app, ["admin-key", "create", "--name", "ops", "--data-dir", str(tmp_path)]
    )
    assert created.exit_code == 0, created.output
    key = created.output.strip()
    assert parse_token(key) is TokenKind.ADMIN
    key_file = tmp_path / "encryption.key"
    assert key_file.exists()
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_demo_serves_sample_data(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "IRONBRIDGE_DATA_DIR": str(tmp_path), "IRONBRIDGE_PORT": str(port)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ironbridge", "demo"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines: list[str] = []
        token = None
        deadline = time.monotonic() + 60
        while token is None and time.monotonic() < deadline:
            line = proc.stdout.readline() if proc.stdout else ""
            if not line and proc.poll() is not None:
                break
            lines.append(line)
            if "Connection token:" in line:
                token = line.split(":", 1)[1].strip()
        assert token, "".join(lines)
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(f"{url}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        response = httpx.post(
            f"{url}/graphql",
            json={"query": "{ connection { purchaseOrders { totalCount } } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.json()["data"]["connection"]["purchaseOrders"]["totalCount"] >= 200
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()


def test_emulator_announces_how_to_connect() -> None:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ironbridge",
            "emulator",
            "sap-s4hana",
            "--port",
            str(port),
            "--records",
            "20",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        announced = json.loads(proc.stdout.readline())
        assert announced["system"] == "sap-s4hana"
        assert announced["instanceUrl"] == f"http://127.0.0.1:{port}"
        creds = announced["credentials"]
        url = (
            announced["instanceUrl"]
            + "/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder"
        )
        response = None
        for _ in range(200):
            try:
                response = httpx.get(
                    url,
                    params={"$format": "json", "$top": "1"},
                    auth=(creds["username"], creds["password"]),
                )
                break
            except httpx.TransportError:
                time.sleep(0.05)
        assert response is not None
        assert response.status_code == 200
        assert response.json()["d"]["results"][0]["PurchaseOrder"]
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()
