"""The Maximo emulator's reads over real HTTP: sign-in, lean shapes, where/select/orderBy,
paging and counts, single resources, errors."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import httpx
import pytest

from ironbridge.emulators.maximo import DEFAULT_API_KEY, DEFAULT_PASSWORD, DEFAULT_USERNAME
from ironbridge.emulators.maximo.structures import decode_restid, encode_restid
from tests.emulators.maximo.conftest import LEAN, PO, RECORDS, WO, error, follow, members

SELECT = {"oslc.select": "wonum,siteid,status,changedate"}
MAXAUTH = base64.b64encode(f"{DEFAULT_USERNAME}:{DEFAULT_PASSWORD}".encode()).decode()


# -- signing in -------------------------------------------------------------------------------


async def test_without_credentials_maximo_answers_401(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.get(WO, params=LEAN)
    assert response.status_code == 401
    assert error(response)["reasonCode"] == "BMXAA0021E"


async def test_a_bad_api_key_is_a_400_with_bmxaa9549e(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url, headers={"apikey": "wrong"}) as http:
        response = await http.get(WO, params=LEAN)
    assert response.status_code == 400
    assert error(response)["reasonCode"] == "BMXAA9549E"


async def test_api_key_as_query_parameter_and_the_oslc_context(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.get(
            "/maximo/oslc/os/mxwo", params={**LEAN, "apikey": DEFAULT_API_KEY}
        )
    assert len(members(response)) == 10


async def test_native_login_opens_a_session_and_a_stale_session_wins_over_a_key(
    base_url: str,
) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        refused = await http.post(
            "/maximo/oslc/login", params=LEAN, headers={"maxauth": "bm9ib2R5Og=="}
        )
        assert refused.status_code == 401
        assert error(refused)["reasonCode"] == "BMXAA7901E"
        login = await http.post("/maximo/oslc/login", headers={"maxauth": MAXAUTH})
        assert login.status_code == 200
        assert "JSESSIONID" in http.cookies
        assert (await http.get(WO, params=LEAN)).status_code == 200
        who = await http.get("/maximo/oslc/whoami")
        assert who.json()["userName"] == DEFAULT_USERNAME
    async with httpx.AsyncClient(
        base_url=base_url, headers={"apikey": DEFAULT_API_KEY}, cookies={"JSESSIONID": "OLD"}
    ) as http:
        stale = await http.get(WO, params=LEAN)
    assert stale.status_code == 401
    assert error(stale)["reasonCode"] == "BMXAA0021E"


async def test_maxauth_on_a_request_is_accepted_and_sets_a_session(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url, headers={"maxauth": MAXAUTH}) as http:
        response = await http.get(WO, params=LEAN)
        assert response.status_code == 200
        assert "JSESSIONID" in response.headers["set-cookie"]


# -- shapes -----------------------------------------------------------------------------------


async def test_lean_members_carry_href_rowstamp_and_domain_extras(
    client: httpx.AsyncClient, base_url: str
) -> None:
    params = {**LEAN, **SELECT, "internalvalues": "1", "oslc.where": 'wonum="1000010"'}
    [member] = members(await client.get(WO, params=params))
    assert member == {
        "wonum": "1000010",
        "siteid": member["siteid"],
        "status": "WAITPARTS",
        "status_description": "Waiting on spare parts",
        "status_maxvalue": "WMATL",
        "changedate": member["changedate"],
        "href": f"{base_url}/maximo/api/os/mxwo/{encode_restid((member['siteid'], '1000010'))}",
        "_rowstamp": member["_rowstamp"],
    }
    assert member["changedate"].endswith("+00:00")


async def test_without_select_members_have_only_href(client: httpx.AsyncClient) -> None:
    first = members(await client.get(WO, params={**LEAN, "oslc.pageSize": "2"}))
    assert all(set(m) == {"href", "_rowstamp"} for m in first)


async def test_nulls_are_dropped_unless_asked(client: httpx.AsyncClient) -> None:
    params = {**LEAN, "oslc.select": "wonum,cust_costcenter", "oslc.where": 'wonum="1000001"'}
    assert "cust_costcenter" not in members(await client.get(WO, params=params))[0]
    kept = members(await client.get(WO, params={**params, "_dropnulls": "0"}))[0]
    assert kept["cust_costcenter"] is None


async def test_nested_select_of_child_objects(client: httpx.AsyncClient) -> None:
    params = {**LEAN, "oslc.select": "ponum,poline{polinenum,itemnum}", "oslc.pageSize": "1"}
    [member] = members(await client.get(PO, params=params))
    line = member["poline"][0]
    assert set(line) == {"polinenum", "itemnum", "href", "localref", "_rowstamp"}
    assert line["href"].startswith(member["href"] + "/poline/")
    everything = members(await client.get(PO, params={**params, "oslc.select": "ponum"}))[0]
    assert everything["poline_collectionref"] == member["href"] + "/poline"
    dropped = await client.get(
        PO, params={**params, "oslc.select": "ponum", "ignorecollectionref": "1"}
    )
    assert "poline_collectionref" not in members(dropped)[0]


async def test_the_namespaced_form_without_lean(client: httpx.AsyncClient) -> None:
    response = await client.get(WO, params={"oslc.select": "wonum", "oslc.pageSize": "1"})
    body = response.json()
    member = body["rdfs:member"][0]
    assert set(member) == {"spi:wonum", "rdf:about", "spi:_rowstamp"}
    assert "oslc:nextPage" in body["oslc:responseInfo"]
    failed = await client.get(WO, params={"oslc.where": "nope"})
    assert failed.json()["oslc:Error"]["spi:reasonCode"] == "BMXAA8744E"


async def test_relative_uris_and_the_public_uri(client: httpx.AsyncClient) -> None:
    params = {**LEAN, "oslc.pageSize": "1"}
    relative = (await client.get(WO, params={**params, "relativeuri": "1"})).json()
    assert relative["member"][0]["href"].startswith("api/os/mxwo/_")
    assert relative["responseInfo"]["nextPage"]["href"].startswith("api/os/mxwo?")
    public = await client.get(WO, params=params, headers={"x-public-uri": "https://mx.example"})
    assert members(public)[0]["href"].startswith("https://mx.example/maximo/api/os/mxwo/_")


# -- where, orderBy ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ('wonum="1000003"', ["1000003"]),
        ('wonum in ["1000002","1000004","9"]', ["1000002", "1000004"]),
        ('status="WAITPARTS"', None),
        ('status in ["CLOSE","CAN"] and historyflag=true', None),
        ('wonum="10000%"', None),
        ("wopriority>=4 and wopriority<5", None),
        ('cust_costcenter="*"', None),
        ('lead!="*"', None),
        ('description="%bearing%"', None),
        ('changedate<"2024-06-02T00:00:00+00:00"', ["1000001", "1000002"]),
    ],
)
async def test_where_clauses(
    client: httpx.AsyncClient, emulator: object, where: str, expected: list[str] | None
) -> None:
    params = {**LEAN, "oslc.select": "*", "oslc.where": where, "oslc.pageSize": "100"}
    found = members(await client.get(WO, params=params))
    assert found
    if expected is not None:
        assert [m["wonum"] for m in found] == expected
    if where.startswith("status="):
        assert {m["status"] for m in found} == {"WAITPARTS"}
    if "historyflag" in where:
        assert {m["status"] for m in found} <= {"CLOSE", "CAN"}
    if "wopriority" in where:
        assert {m["wopriority"] for m in found} == {4}
    if where.startswith("cust_costcenter"):
        assert all("cust_costcenter" in m for m in found)
    if where.startswith("lead"):
        assert all("lead" not in m for m in found)
    if "bearing" in where:
        assert all("bearing" in m["description"].lower() for m in found)


async def test_changedate_filters_include_the_bound_with_ge(client: httpx.AsyncClient) -> None:
    params = {**LEAN, **SELECT, "oslc.orderBy": "+changedate,+wonum", "oslc.pageSize": "100"}
    everything = members(await client.get(WO, params=params))
    bound = everything[20]["changedate"]
    ge = members(await client.get(WO, params={**params, "oslc.where": f'changedate>="{bound}"'}))
    gt = members(await client.get(WO, params={**params, "oslc.where": f'changedate>"{bound}"'}))
    assert ge == everything[20:]
    assert gt == [m for m in everything if m["changedate"] > bound]
    shifted = bound.replace("+00:00", "-05:00")
    later = await client.get(WO, params={**params, "oslc.where": f'changedate>="{shifted}"'})
    assert len(members(later)) < len(ge)


async def test_order_by_descending_and_by_other_attributes(client: httpx.AsyncClient) -> None:
    params = {**LEAN, "oslc.select": "wonum,wopriority", "oslc.pageSize": "100"}
    down = members(await client.get(WO, params={**params, "oslc.orderBy": "-wonum"}))
    assert [m["wonum"] for m in down] == sorted((m["wonum"] for m in down), reverse=True)
    by_priority = members(
        await client.get(WO, params={**params, "oslc.orderBy": "+wopriority,-wonum"})
    )
    priorities = [m.get("wopriority", 0) for m in by_priority]
    assert priorities == sorted(priorities)


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        ('status="APPR" or status="WAPPR"', "BMXAA8744E"),
        ("status=APPR", "BMXAA8744E"),
        ('nosuchattr="1"', "BMXAA8744E"),
        ('changedate>"yesterday"', "BMXAA8744E"),
        ('asset.status="OPERATING"', "BMXAA8744E"),
        ('wonum in ["1"', "BMXAA8744E"),
    ],
)
async def test_bad_where_clauses_are_not_parsed(
    client: httpx.AsyncClient, where: str, reason: str
) -> None:
    response = await client.get(WO, params={**LEAN, "oslc.where": where})
    assert response.status_code == 400
    assert error(response)["reasonCode"] == reason


async def test_or_is_refused_the_way_maximo_words_it(client: httpx.AsyncClient) -> None:
    response = await client.get(WO, params={**LEAN, "oslc.where": 'wonum="1" or wonum="2"'})
    message = error(response)["message"]
    assert "The OSLC query was not parsed" in message
    assert '"or' in message
    assert "<BOOLEAN_OP>" in message


async def test_domain_internal_where_selects_synonyms_too(client: httpx.AsyncClient) -> None:
    params = {**LEAN, "oslc.select": "status", "domaininternalwhere": "status=WMATL"}
    found = {
        m["status"]
        for m in members(await client.get(WO, params={**params, "oslc.pageSize": "100"}))
    }
    assert found == {"WMATL", "WAITPARTS"}


# -- paging and counts ------------------------------------------------------------------------


async def test_paging_follows_next_page_to_the_end(client: httpx.AsyncClient) -> None:
    params = {**LEAN, **SELECT, "oslc.pageSize": "7", "collectioncount": "1"}
    first = await client.get(WO, params=params)
    info = first.json()["responseInfo"]
    assert (info["pagenum"], info["totalCount"], info["totalPages"]) == (1, RECORDS, 6)
    assert "previousPage" not in info
    seen = await follow(client, WO, params)
    assert [m["wonum"] for m in seen] == [str(1000001 + i) for i in range(RECORDS)]
    last = await client.get(WO, params={**params, "pageno": "6"})
    assert "nextPage" not in last.json()["responseInfo"]
    assert "previousPage" in last.json()["responseInfo"]
    beyond = (await client.get(WO, params={**params, "pageno": "9"})).json()
    assert beyond["member"] == []
    assert "pagenum" not in beyond["responseInfo"]


async def test_count_only_and_the_page_size_limit(client: httpx.AsyncClient) -> None:
    counted = await client.get(WO, params={**LEAN, "count": "1", "oslc.where": 'status="APPR"'})
    assert counted.json()["totalCount"] == sum(
        1
        for m in await follow(client, WO, {**LEAN, "oslc.select": "status"})
        if m["status"] == "APPR"
    )
    too_big = await client.get(WO, params={**LEAN, "oslc.pageSize": "1001"})
    assert too_big.status_code == 400
    assert error(too_big)["reasonCode"] == "BMXAA8771E"


async def test_without_a_page_size_the_auto_paging_threshold_applies(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(WO, params=LEAN)
    assert len(members(response)) == 10
    assert "pageno=2" in response.json()["responseInfo"]["nextPage"]["href"]


async def test_stable_paging_keeps_the_result_set(
    client: httpx.AsyncClient, emulator: object
) -> None:
    params = {**LEAN, **SELECT, "oslc.pageSize": "10", "stablepaging": "1"}
    first = await client.get(WO, params=params)
    following = first.json()["responseInfo"]["nextPage"]["href"]
    assert "stableId=" in following
    # a change meanwhile moves a record to the end of an offset-paged query
    plain = {**LEAN, **SELECT, "oslc.pageSize": "10", "oslc.orderBy": "+changedate"}
    moved = members(first)[0]
    emulator.touch("mxwo", [f"{moved['siteid']}/{moved['wonum']}"])  # type: ignore[attr-defined]
    second = members(await client.get(following))
    assert second[0]["wonum"] == "1000011"
    shifted = members(await client.get(WO, params={**plain, "pageno": "2"}))
    assert shifted[0]["wonum"] == "1000012"
    expired = await client.get(WO, params={**params, "stableId": "nope", "pageno": "2"})
    assert error(expired)["reasonCode"] == "BMXAA8780E"


# -- single resources -------------------------------------------------------------------------


async def test_a_member_by_its_href(client: httpx.AsyncClient) -> None:
    [listed] = members(await client.get(PO, params={**LEAN, "oslc.pageSize": "1"}))
    single = await client.get(listed["href"], params=LEAN)
    assert single.status_code == 200
    body = single.json()
    assert body["ponum"] == "2000001"
    assert body["poline"]
    assert decode_restid(body["href"].rsplit("/", 1)[1]) == "2000001/0/" + body["siteid"]
    chosen = await client.get(listed["href"], params={**LEAN, "oslc.select": "ponum,status"})
    assert set(chosen.json()) == {
        "ponum",
        "status",
        "status_description",
        "poline_collectionref",
        "href",
        "_rowstamp",
    }


async def test_rest_ids_with_an_encoded_slash_resolve(
    client: httpx.AsyncClient, emulator: object
) -> None:
    key = ("BEDFORD", "W?>?")  # base64 of this text holds a '/'
    assert "/" in encode_restid(key)
    emulator.insert("mxwo", {"siteid": key[0], "wonum": key[1], "description": "odd"})  # type: ignore[attr-defined]
    [found] = members(
        await client.get(WO, params={**LEAN, "oslc.select": "wonum", "oslc.where": 'wonum="W?>?"'})
    )
    assert "%2F" in found["href"]
    assert (await client.get(found["href"], params=LEAN)).json()["description"] == "odd"


@pytest.mark.parametrize(
    "path",
    ["/maximo/api/os/mxwo/_QkVERk9SRC85OTk5OTk5", "/maximo/api/os/mxwo/nonsense"],
)
async def test_an_unknown_member_is_404_bmxaa8727e(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path, params=LEAN)
    assert response.status_code == 404
    body = error(response)
    assert body["reasonCode"] == "BMXAA8727E"
    assert "MXWO" in body["message"]


async def test_unknown_structures_and_contexts(client: httpx.AsyncClient) -> None:
    assert (await client.get("/maximo/api/os/mxnothing", params=LEAN)).status_code == 404
    assert (await client.get("/maximo/rest/os/mxwo", params=LEAN)).status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "mxapiwodetail",
        "MXWODETAIL",
        "mxapiasset",
        "mxapioperloc",
        "mxapiinventory",
        "mxapiitem",
        "mxapipo",
        "mxapivendor",
    ],
)
async def test_aliases_of_the_object_structures(client: httpx.AsyncClient, name: str) -> None:
    response = await client.get(f"/maximo/api/os/{name}", params={**LEAN, "oslc.select": "*"})
    assert members(response)


async def test_datetimes_follow_the_server_offset() -> None:
    from ironbridge.emulators.maximo import create_app
    from tests.support.servers import serve

    app = create_app(records=4, anchor=datetime(2025, 6, 1, tzinfo=UTC), utc_offset="-05:00")
    async with (
        serve(app) as url,
        httpx.AsyncClient(base_url=url, headers={"apikey": DEFAULT_API_KEY}) as http,
    ):
        found = members(await http.get(WO, params={**LEAN, **SELECT}))
        assert found[0]["changedate"] == "2024-05-31T19:00:00-05:00"
        naive = await http.get(
            WO, params={**LEAN, **SELECT, "oslc.where": 'changedate>="2024-05-31T19:00:00"'}
        )
        assert len(members(naive)) == 4
