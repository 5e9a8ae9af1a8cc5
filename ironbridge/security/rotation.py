"""Re-encrypting every stored secret under the newest key, so older keys can be retired."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from ironbridge.store.tables import credentials
from ironbridge.store.webhook_tables import webhook_endpoints

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from ironbridge.security.secretbox import SecretBox

_BATCH = 200


async def rotate_keys(engine: AsyncEngine, secretbox: SecretBox) -> dict[str, int]:
    """Rotate connection credentials and webhook secrets; returns how many of each."""
    counts: dict[str, int] = {}
    targets = (
        ("credentials", credentials, credentials.c.connection_id, credentials.c.ciphertext),
        (
            "webhook_secrets",
            webhook_endpoints,
            webhook_endpoints.c.id,
            webhook_endpoints.c.secret_ciphertext,
        ),
    )
    for name, table, key, column in targets:
        done = 0
        last = None
        while True:
            async with engine.begin() as conn:
                stmt = select(key, column).order_by(key).limit(_BATCH)
                if last is not None:
                    stmt = stmt.where(key > last)
                rows = (await conn.execute(stmt)).all()
                for row_key, ciphertext in rows:
                    await conn.execute(
                        table.update()
                        .where(key == row_key)
                        .values({column.name: secretbox.rotate(ciphertext)})
                    )
            if not rows:
                break
            done += len(rows)
            last = rows[-1][0]
        counts[name] = done
    return counts


__all__ = ["rotate_keys"]
