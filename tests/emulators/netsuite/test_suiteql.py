"""SuiteQL in the NetSuite emulator: the parser's subset, and queries over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from ironbridge.emulators.netsuite import SUITEQL_PATH, create_app
from ironbridge.emulators.netsuite.suiteql import (
    And,
    Column,
    Compare,
    InList,
    IsNull,
    Literal,
    Not,
    Or,
    OrderItem,
    SelectItem,
    SuiteQLError,
    ToChar,
    ToDate,
    parse,
)
from tests.emulators.netsuite.conftest import (
    ANCHOR,
    RECORDS,
    TRANSIENT,
    emulator_of,
    error_code,
    fetch_token,
)
from tests.support.servers import serve

if TYPE_CHECKING:
    from ironbridge.emulators.netsuite import NetSuiteEmulator

MASK = "'YYYY-MM-DD HH24:MI:SS'"


# -- the parser ---------------------------------------------------------------------------------


def test_the_incremental_query_parses() -> None:
    query = parse(
        "select id, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS modified "
        "FROM transaction WHERE type = 'PurchOrd' AND (lastmodifieddate > "
        f"TO_DATE('2024-05-01 10:00:00', {MASK}) OR (lastmodifieddate = "
        f"TO_DATE('2024-05-01 10:00:00', {MASK}) AND id > 42)) ORDER BY lastmodifieddate, id DESC"
    )
    moment = ToDate(datetime(2024, 5, 1, 10), "YYYY-MM-DD HH24:MI:SS")
    assert query.table == "transaction"
    assert query.select == (
        SelectItem(Column("id"), "id"),
        SelectItem(ToChar("lastmodifieddate", "YYYY-MM-DD HH24:MI:SS"), "modified"),
    )
    assert query.where == And(
        (
            Compare(Column("type"), "=", Literal("PurchOrd")),
            Or(
                (
                    Compare(Column("lastmodifieddate"), ">", moment),
                    And(
                        (
                            Compare(Column("lastmodifieddate"), "=", moment),
                            Compare(Column("id"), ">", Literal(Decimal(42))),
                        )
                    ),
                )
            ),
        )
    )
    assert query.order == (OrderItem("lastmodifieddate"), OrderItem("id", descending=True))


def test_in_is_null_not_and_quotes() -> None:
    query = parse(
        "SELECT * FROM vendor WHERE NOT isinactive = 'T' AND id NOT IN (1, 2) "
        "AND email IS NOT NULL AND companyname <> 'O''Brien'"
    )
    assert query.select is None
    assert query.where == And(
        (
            Not(Compare(Column("isinactive"), "=", Literal("T"))),
            InList(Column("id"), (Literal(Decimal(1)), Literal(Decimal(2))), negated=True),
            IsNull(Column("email"), negated=True),
            Compare(Column("companyname"), "<>", Literal("O'Brien")),
        )
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "DELETE FROM transaction",
        "SELECT id FROM transaction; DROP TABLE transaction",
        "SELECT id FROM transaction t JOIN transactionline l ON l.transaction = t.id",
        "SELECT COUNT(*) FROM transaction",
        "SELECT id FROM transaction WHERE id = ?",
        "SELECT id FROM transaction WHERE lastmodifieddate > TO_DATE('2024', 'YYYY')",
        "SELECT id FROM transaction WHERE trandate > TO_DATE('05/01/2024', 'YYYY-MM-DD')",
        "SELECT id FROM transaction WHERE id LIKE '1%'",
        "SELECT id FROM transaction ORDER BY",
        "SELECT id, id FROM transaction",
        "SELECT id FROM transaction GROUP BY id",
    ],
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(SuiteQLError):
        parse(text)


# -- over HTTP ----------------------------------------------------------------------------------


async def suiteql(client: httpx.AsyncClient, q: str, **params: Any) -> tuple[int, dict[str, Any]]:
    response = await client.post(SUITEQL_PATH, params=params, json={"q": q}, headers=TRANSIENT)
    return response.status_code, response.json()


async def test_without_prefer_transient_the_query_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(SUITEQL_PATH, json={"q": "SELECT id FROM currency"})
    assert response.status_code == 400
    assert error_code(response) == "INVALID_HEADER"
    assert "Prefer: transient" in response.json()["o:errorDetails"][0]["detail"]


async def test_rows_are_strings_paged_with_links(client: httpx.AsyncClient) -> None:
    query = "SELECT id, tranid, status, foreigntotal FROM transaction WHERE type = 'PurchOrd'"
    status, first = await suiteql(client, query + " ORDER BY id", limit=10)
    assert status == 200
    assert (first["count"], first["hasMore"], first["totalResults"]) == (10, True, RECORDS)
    row = first["items"][0]
    assert row["links"] == []
    assert row["id"] == "10001"
    assert row["tranid"] == "PO10001"
    assert row["status"] == "A"
    assert isinstance(row["foreigntotal"], str)
    seen = [r["id"] for r in first["items"]]
    url = next(link["href"] for link in first["links"] if link["rel"] == "next")
    while url:
        page = (
            await client.post(url, json={"q": query + " ORDER BY id"}, headers=TRANSIENT)
        ).json()
        seen += [r["id"] for r in page["items"]]
        url = next((lk["href"] for lk in page["links"] if lk["rel"] == "next"), None)
    assert seen == [str(10001 + i) for i in range(RECORDS)]


async def test_every_status_letter_and_the_dates_as_the_user_sees_them(
    client: httpx.AsyncClient,
) -> None:
    _, body = await suiteql(
        client,
        "SELECT status, lastmodifieddate, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') "
        "AS modified, trandate FROM transaction WHERE type = 'PurchOrd' ORDER BY id",
    )
    rows = body["items"]
    assert {r["status"] for r in rows} >= set("ABCDEFGHP")
    assert all(len(r["lastmodifieddate"]) == 10 and r["lastmodifieddate"][2] == "/" for r in rows)
    assert all(len(r["modified"]) == 19 for r in rows)
    # the malformed purchase order's tranDate cannot be read, so the column is left out
    assert sum("trandate" not in r for r in rows) == 1


async def test_keyset_condition_pages_without_offsets(
    client: httpx.AsyncClient, emulator: NetSuiteEmulator
) -> None:
    rows = [(r["lastModifiedDate"], r["id"]) for r in emulator.snapshot("purchaseOrder")]
    rows.sort()
    stamp, record_id = rows[20]
    moment = stamp.replace("T", " ").rstrip("Z")
    status, body = await suiteql(
        client,
        f"SELECT id FROM transaction WHERE type = 'PurchOrd' AND (lastmodifieddate > "
        f"TO_DATE('{moment}', {MASK}) OR (lastmodifieddate = TO_DATE('{moment}', {MASK}) "
        f"AND id > {record_id})) ORDER BY lastmodifieddate, id",
    )
    assert status == 200
    assert [r["id"] for r in body["items"]] == [i for _, i in rows[21:]]


async def test_orders_in_lists_and_nulls(client: httpx.AsyncClient) -> None:
    _, desc = await suiteql(
        client, "SELECT id FROM vendor WHERE id IN (2001, 2002, 2003) ORDER BY id DESC"
    )
    assert [r["id"] for r in desc["items"]] == ["2003", "2002", "2001"]
    _, parents = await suiteql(client, "SELECT id FROM location WHERE parent IS NULL ORDER BY id")
    assert [r["id"] for r in parents["items"]] == ["1", "5"]
    _, inactive = await suiteql(client, "SELECT id FROM vendor WHERE isinactive = 'T'")
    assert inactive["count"] == 2
    _, items = await suiteql(
        client, "SELECT id, itemid FROM item WHERE itemtype = 'InvtPart' AND cost >= 400"
    )
    assert items["count"] > 0
    _, date_literal = await suiteql(
        client, "SELECT id FROM transaction WHERE trandate < '01/01/1990'"
    )
    assert date_literal["count"] == 0


async def test_stock_rows_list_quantities_per_item_and_location(client: httpx.AsyncClient) -> None:
    _, body = await suiteql(
        client,
        "SELECT item, location, quantityonhand, quantityavailable FROM inventoryitemlocations "
        "WHERE item = 3003 ORDER BY location",
    )
    assert [(r["item"], r["location"], r["quantityonhand"]) for r in body["items"]] == [
        ("3003", "2", "0"),
        ("3003", "4", "0"),
        ("3003", "6", "0"),
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT id FROM salesorder", "Record 'salesorder' was not found."),
        ("SELECT nothing FROM vendor", "Field 'nothing' for record 'vendor' was not found."),
        ("SELECT id FROM vendor WHERE id = 'abc'", "Invalid int value"),
        ("SELECT id FROM vendor WHERE id = entityid", "comparing two columns"),
        ("SELECT TO_CHAR(id, 'YYYY-MM-DD') AS x FROM vendor", "TO_CHAR needs a date field"),
        ("UPDATE vendor SET email = 'x'", "expected SELECT"),
    ],
)
async def test_bad_queries_answer_400_with_the_reason(
    client: httpx.AsyncClient, query: str, message: str
) -> None:
    status, body = await suiteql(client, query)
    assert status == 400
    detail = body["o:errorDetails"][0]
    assert detail["o:errorCode"] == "INVALID_PARAMETER"
    assert detail["detail"].startswith("Invalid search query.")
    assert message in detail["detail"]


async def test_limits_and_the_row_cap(client: httpx.AsyncClient) -> None:
    too_many, _ = await suiteql(client, "SELECT id FROM currency", limit=1001)
    past_cap, body = await suiteql(client, "SELECT id FROM currency", offset=100_000)
    assert too_many == past_cap == 400
    assert "100000" in body["o:errorDetails"][0]["detail"]
    missing = await client.post(SUITEQL_PATH, json={"query": "x"}, headers=TRANSIENT)
    assert missing.status_code == 400


async def test_dates_follow_the_account_time_zone() -> None:
    app = create_app(records=4, anchor=ANCHOR, timezone="America/Los_Angeles")
    emulator = emulator_of(app)
    stamp = datetime(2025, 1, 15, 8, 30, tzinfo=UTC)
    emulator.touch("purchaseOrder", ["10001"], at=stamp)
    async with serve(app) as base_url, httpx.AsyncClient(base_url=base_url) as http:
        http.headers["Authorization"] = f"Bearer {await fetch_token(http, base_url, emulator)}"
        _, body = await suiteql(
            http,
            f"SELECT id, TO_CHAR(lastmodifieddate, {MASK}) AS modified FROM transaction "
            f"WHERE lastmodifieddate = TO_DATE('2025-01-15 00:30:00', {MASK})",
        )
    assert body["items"] == [{"links": [], "id": "10001", "modified": "2025-01-15 00:30:00"}]
