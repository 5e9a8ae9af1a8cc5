"""SAP's CSRF protection of writes: a token fetched per service with ``X-CSRF-Token: Fetch``,
sent with the session cookies on every write, and fetched again once when SAP says Required."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ironbridge.connectors.errors import Rejected

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    import httpx

    from ironbridge.connectors.http import ConnectorHttp

__all__ = ["CsrfSession", "csrf_required"]

HEADER = "X-CSRF-Token"
# a HEAD the service does not answer is retried as a GET
_HEAD_ANSWERS = frozenset({*range(200, 300), 404, 405, 501})


def csrf_required(response: httpx.Response) -> bool:
    """SAP's answer to a write without a valid token (or without its session cookie)."""
    return (
        response.status_code == 403
        and response.headers.get("x-csrf-token", "").strip().lower() == "required"
    )


def _token(response: httpx.Response) -> str | None:
    token = response.headers.get("x-csrf-token", "").strip()
    return token if token and token.lower() != "required" else None


class CsrfSession:
    """Tokens per service root. The cookies SAP sets with a token (``SAP_SESSIONID_<SID>_<client>``,
    ``sap-XSRF_...``) stay in the HTTP client's cookie jar and travel with every later request."""

    def __init__(self, http: ConnectorHttp, *, params: Mapping[str, str]) -> None:
        self._http = http
        self._params = dict(params)
        self._tokens: dict[str, str | None] = {}
        self.fetches = 0

    async def _fetch(self, service: str) -> str | None:
        # HEAD on the service root, as SAP's own SDK does; some gateways only answer GET
        self.fetches += 1
        root = f"{service}/"
        fetch = {HEADER: "Fetch"}
        response = await self._http.request(
            "HEAD", root, params=self._params, headers=fetch, expected=_HEAD_ANSWERS
        )
        token = _token(response) if response.is_success else None
        if token is None:
            response = await self._http.request("GET", root, params=self._params, headers=fetch)
            token = _token(response)
        # None: the service does not protect writes with a token
        self._tokens[service] = token
        return token

    async def send(
        self,
        method: str,
        service: str,
        path: str,
        *,
        json: Any = None,
        headers: Mapping[str, str],
        expected: Collection[int],
    ) -> httpx.Response:
        """One write under ``service``; the response if its status is ``expected``."""
        for attempt in range(2):
            if attempt == 0 and service in self._tokens:
                token = self._tokens[service]
            else:
                token = await self._fetch(service)
            sent = dict(headers)
            if token is not None:
                sent[HEADER] = token
            response = await self._http.request(
                method,
                path,
                params=self._params,
                json=json,
                headers=sent,
                expected={*expected, 403},
            )
            if not csrf_required(response):
                if response.status_code == 403:
                    raise self._http.error_for(response)
                return response
            self._tokens.pop(service, None)
        raise Rejected(
            self._http.system,
            "CSRF token validation failed with a fresh token: the session cookie does not reach "
            "SAP (is a proxy dropping cookies?)",
            status_code=403,
        )
