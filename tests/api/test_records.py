"""Reading the unified entities: pages, filters, ordering, relations, raw data."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from tests.api.conftest import error_code

if TYPE_CHECKING:
    from tests.api.conftest import Seeded
    from tests.conftest import GQL, StatementCounter

PO_PAGE = """query($first: Int, $after: String) { connection {
  purchaseOrders(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id number } }
  } } }"""


async def test_pages_walk_every_purchase_order_once(gql: GQL, seeded: Seeded) -> None:
    seen: list[str] = []
    after = None
    total = None
    while True:
        data = await gql.data(PO_PAGE, {"first": 7, "after": after}, token=seeded.token)
        page = data["connection"]["purchaseOrders"]
        total = page["totalCount"]
        seen.extend(edge["node"]["id"] for edge in page["edges"])
        assert page["pageInfo"]["endCursor"] == (
            page["edges"][-1]["cursor"] if page["edges"] else None
        )
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert total == 60
    assert len(seen) == len(set(seen)) == 60


@pytest.mark.parametrize("first", [501, 10_000, -1])
async def test_page_size_over_the_cap_is_bad_input(gql: GQL, seeded: Seeded, first: int) -> None:
    body = await gql(PO_PAGE, {"first": first}, token=seeded.token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "first"


async def test_an_omitted_or_null_first_is_the_default_page(gql: GQL, seeded: Seeded) -> None:
    """``first: Int = 50`` as the contract writes it: nullable, 50 when omitted or null."""
    for variables in ({}, {"first": None}):
        data = await gql.data(PO_PAGE, variables, token=seeded.token)
        page = data["connection"]["purchaseOrders"]
        assert len(page["edges"]) == min(50, page["totalCount"])
    query = """{ connection { syncRuns(first: null) { totalCount } } }"""
    assert "errors" not in await gql(query, token=seeded.token)


async def test_a_foreign_cursor_is_bad_input(gql: GQL, seeded: Seeded) -> None:
    body = await gql(PO_PAGE, {"first": 5, "after": "bm90LWEtY3Vyc29y"}, token=seeded.token)
    assert error_code(body) == "BAD_USER_INPUT"


async def test_purchase_orders_with_lines_vendor_and_items(gql: GQL, seeded: Seeded) -> None:
    data = await gql.data(
        """{ connection { purchaseOrders(first: 500) { nodes {
            id number status remoteStatus vendorRemoteId totalAmount currency orderDate
            vendor { id name status remoteId }
            lines { lineNumber quantity unitPrice amount itemRemoteId item { number name } }
        } } } }""",
        token=seeded.token,
    )
    orders = data["connection"]["purchaseOrders"]["nodes"]
    assert {o["status"] for o in orders} >= {"DRAFT", "APPROVED", "RECEIVED", "CANCELLED"}
    for order in orders:
        assert order["lines"], order["number"]
        total = sum(Decimal(line["amount"]) for line in order["lines"])
        assert Decimal(order["totalAmount"]) == total
        for line in order["lines"]:
            assert Decimal(line["quantity"]) * Decimal(line["unitPrice"]) == Decimal(line["amount"])
            if line["itemRemoteId"]:
                assert line["item"] is not None
        if order["vendor"] is not None:
            assert order["vendor"]["remoteId"] == order["vendorRemoteId"]
    # the sample data has a purchase order whose vendor the system does not know
    unknown = [o for o in orders if o["vendorRemoteId"] and o["vendor"] is None]
    assert unknown


async def test_filters_and_ordering(gql: GQL, seeded: Seeded) -> None:
    q = """query($f: PurchaseOrderFilter, $o: RecordOrder) { connection {
        purchaseOrders(filter: $f, orderBy: $o, first: 500) { totalCount nodes { number status updatedAt vendor { id } } } } }"""
    everything = (await gql.data(q, token=seeded.token))["connection"]["purchaseOrders"]
    approved = (await gql.data(q, {"f": {"status": ["APPROVED"]}}, token=seeded.token))[
        "connection"
    ]["purchaseOrders"]
    assert approved["totalCount"] == sum(
        1 for n in everything["nodes"] if n["status"] == "APPROVED"
    )
    assert {n["status"] for n in approved["nodes"]} == {"APPROVED"}

    by_number = (
        await gql.data(q, {"o": {"field": "NUMBER", "direction": "ASC"}}, token=seeded.token)
    )["connection"]["purchaseOrders"]["nodes"]
    numbers = [n["number"] for n in by_number]
    assert numbers == sorted(numbers)

    stamps = [n["updatedAt"] for n in everything["nodes"]]
    assert stamps == sorted(stamps, reverse=True)  # newest first by default

    target = numbers[3]
    found = (await gql.data(q, {"f": {"search": target[-5:]}}, token=seeded.token))["connection"][
        "purchaseOrders"
    ]
    assert target in {n["number"] for n in found["nodes"]}

    vendor_id = next(n["vendor"]["id"] for n in everything["nodes"] if n["vendor"])
    of_vendor = (await gql.data(q, {"f": {"vendorId": vendor_id}}, token=seeded.token))[
        "connection"
    ]["purchaseOrders"]
    assert of_vendor["totalCount"] >= 1
    assert {n["vendor"]["id"] for n in of_vendor["nodes"]} == {vendor_id}

    middle = stamps[len(stamps) // 2]
    newer = (await gql.data(q, {"f": {"updatedAfter": middle}}, token=seeded.token))["connection"][
        "purchaseOrders"
    ]
    assert newer["totalCount"] == sum(1 for s in stamps if s > middle)


async def test_wrong_id_type_in_a_filter_is_bad_input(gql: GQL, seeded: Seeded) -> None:
    body = await gql(
        "query($v: ID!) { connection { purchaseOrders(filter: {vendorId: $v}) { totalCount } } }",
        {"v": seeded.connection_id},
        token=seeded.token,
    )
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "vendorId"


async def test_custom_fields_and_raw_data(gql: GQL, seeded: Seeded) -> None:
    data = await gql.data(
        "{ connection { purchaseOrders(first: 500) { nodes { remoteId customFields remoteData } } } }",
        token=seeded.token,
    )
    nodes = data["connection"]["purchaseOrders"]["nodes"]
    assert any(n["customFields"] for n in nodes)
    assert all(isinstance(n["remoteData"], dict) and n["remoteData"] for n in nodes)


async def test_single_record_by_id_and_by_remote_id(gql: GQL, seeded: Seeded) -> None:
    first = (
        await gql.data(
            "{ connection { workOrders(first: 1) { nodes { id remoteId title } } } }",
            token=seeded.token,
        )
    )["connection"]["workOrders"]["nodes"][0]
    by_id = await gql.data(
        "query($id: ID) { connection { workOrder(id: $id) { remoteId } } }",
        {"id": first["id"]},
        token=seeded.token,
    )
    by_remote = await gql.data(
        "query($r: String) { connection { workOrder(remoteId: $r) { id } } }",
        {"r": first["remoteId"]},
        token=seeded.token,
    )
    assert by_id["connection"]["workOrder"]["remoteId"] == first["remoteId"]
    assert by_remote["connection"]["workOrder"]["id"] == first["id"]
    both = await gql("query { connection { workOrder { id } } }", token=seeded.token)
    assert error_code(both) == "BAD_USER_INPUT"


async def test_every_entity_and_relation_resolves(gql: GQL, seeded: Seeded) -> None:
    data = await gql.data(
        """{ connection {
          workOrders(first: 500) { totalCount nodes { status priority type asset { name } location { name } } }
          assets(first: 500) { totalCount nodes { name status parent { name } location { name } workOrders(first: 5) { totalCount } } }
          inventoryItems(first: 500) { totalCount nodes { number type active stockLevels { quantityOnHand location { name } } } }
          stockLevels(first: 500) { totalCount nodes { quantityOnHand reorderPoint item { number } location { name } } }
          vendors(first: 500) { totalCount nodes { name status address { city country } } }
          locations(first: 500) { totalCount nodes { name type parent { name } } }
          productionOrders(first: 500) { totalCount nodes { number status quantityPlanned item { number } } }
        } }""",
        token=seeded.token,
    )
    c = data["connection"]
    for key in (
        "workOrders",
        "assets",
        "inventoryItems",
        "stockLevels",
        "vendors",
        "locations",
        "productionOrders",
    ):
        assert c[key]["totalCount"] == len(c[key]["nodes"]) > 0, key
    assert {n["status"] for n in c["workOrders"]["nodes"]} == {
        "REQUESTED",
        "APPROVED",
        "SCHEDULED",
        "IN_PROGRESS",
        "ON_HOLD",
        "COMPLETED",
        "CLOSED",
        "CANCELLED",
    }
    assert any(n["asset"] for n in c["workOrders"]["nodes"])
    assert any(n["parent"] for n in c["assets"]["nodes"])
    assert any(n["workOrders"]["totalCount"] for n in c["assets"]["nodes"])
    assert any(n["stockLevels"] for n in c["inventoryItems"]["nodes"])
    assert any(Decimal(n["quantityOnHand"]) == 0 for n in c["stockLevels"]["nodes"])  # out of stock
    assert all(n["item"] for n in c["stockLevels"]["nodes"])
    assert any(n["parent"] for n in c["locations"]["nodes"])


async def test_sync_status_counts_records(gql: GQL, seeded: Seeded) -> None:
    data = await gql.data(
        """{ connection { syncSettings { intervalMinutes entities paused }
             syncStatus { state consecutiveFailures errors { code } entities { entity recordCount state } }
             syncRuns { totalCount }
             purchaseOrders { totalCount } } }""",
        token=seeded.token,
    )
    c = data["connection"]
    counts = {e["entity"]: e["recordCount"] for e in c["syncStatus"]["entities"]}
    assert counts["PURCHASE_ORDER"] == c["purchaseOrders"]["totalCount"] == 60
    assert c["syncSettings"]["intervalMinutes"] == 15
    assert len(c["syncSettings"]["entities"]) == 8


QUERY_N = """query($n: Int!) { connection { purchaseOrders(first: $n) { nodes {
  number vendor { name } shipTo { name } lines { lineNumber item { number stockLevels { quantityOnHand } } } } } } }"""


async def test_statements_do_not_grow_with_page_size(
    gql: GQL, seeded: Seeded, count_statements: StatementCounter
) -> None:
    counts: dict[int, int] = {}
    for n in (5, 50):
        count_statements.reset()
        data = await gql.data(QUERY_N, {"n": n}, token=seeded.token)
        assert len(data["connection"]["purchaseOrders"]["nodes"]) == n
        counts[n] = count_statements.count
    assert counts[5] == counts[50], count_statements.statements


async def test_systems_catalog(gql: GQL, seeded: Seeded) -> None:
    data = await gql.data(
        """{ systems { key name authMethod creditCost authFields { name } capabilities { entity read incremental } }
             sandbox: system(key: "sandbox") { key categories }
             none: system(key: "nope") { key }
             erp: systems(category: ERP) { key }
             found: systems(search: "SANDBOX") { key } }""",
        token=seeded.admin_key,
    )
    keys = {s["key"] for s in data["systems"]}
    assert "sandbox" in keys
    assert data["sandbox"]["key"] == "sandbox"
    assert data["none"] is None
    assert "sandbox" in {s["key"] for s in data["erp"]}
    assert [s["key"] for s in data["found"]] == ["sandbox"]
    sandbox: dict[str, Any] = next(s for s in data["systems"] if s["key"] == "sandbox")
    assert {c["entity"] for c in sandbox["capabilities"]} == {
        "PURCHASE_ORDER",
        "WORK_ORDER",
        "ASSET",
        "INVENTORY_ITEM",
        "STOCK_LEVEL",
        "VENDOR",
        "LOCATION",
        "PRODUCTION_ORDER",
    }
