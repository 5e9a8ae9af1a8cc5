"""Rotating the encryption keys: old secrets readable under the new key only, after one command."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from typer.testing import CliRunner

from ironbridge.app import create_services
from ironbridge.cli import app as cli
from ironbridge.security.secretbox import SecretBox
from ironbridge.settings import Settings
from ironbridge.store import connections as connection_store
from ironbridge.store.engine import migrate
from tests.store.test_records import T0, new_connection

if TYPE_CHECKING:
    from pathlib import Path


def test_rotate_keys_re_encrypts_under_the_newest_key(tmp_path: Path) -> None:
    old, new = SecretBox.generate_key(), SecretBox.generate_key()

    async def store_secret() -> int:
        services = create_services(Settings(data_dir=tmp_path, encryption_keys=[old]))  # type: ignore[list-item]
        await migrate(services.engine)
        cid = await new_connection(services.engine)
        async with services.engine.begin() as conn:
            await connection_store.save_credentials(
                conn, cid, services.secretbox.encrypt(str(cid), {"password": "s3cret"}), now=T0
            )
        await services.engine.dispose()
        return cid

    async def read_secret(cid: int) -> str | None:
        after = create_services(Settings(data_dir=tmp_path, encryption_keys=[new]))  # type: ignore[list-item]
        async with after.engine.connect() as conn:
            ciphertext = await connection_store.load_credentials(conn, cid)
        await after.engine.dispose()
        return ciphertext

    cid = asyncio.run(store_secret())

    result = CliRunner().invoke(
        cli,
        ["rotate-keys", "--data-dir", str(tmp_path)],
        env={"IRONBRIDGE_ENCRYPTION_KEYS": f"{new},{old}"},
    )
    assert result.exit_code == 0, result.output
    assert "re-encrypted 1 connection credentials" in result.output

    ciphertext = asyncio.run(read_secret(cid))
    assert ciphertext is not None
    assert SecretBox([new]).decrypt(str(cid), ciphertext) == {"password": "s3cret"}
