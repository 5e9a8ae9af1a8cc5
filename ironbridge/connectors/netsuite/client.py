"""NetSuite over HTTP: OAuth 2.0 M2M credentials, the record API, SuiteQL, and NetSuite's
errors translated into the connector hierarchy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ironbridge.connectors.auth import JwtClientAssertion, OAuth2ClientCredentials
from ironbridge.connectors.errors import (
    AuthFailed,
    Conflict,
    NotFoundUpstream,
    RateLimited,
    Rejected,
    SystemUnreachable,
)
from ironbridge.connectors.http import ConnectorHttp, RetryPolicy, parse_retry_after

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    from ironbridge.connectors.base import ConnectionConfig
    from ironbridge.connectors.errors import ConnectorError

__all__ = [
    "RECORD_ROOT",
    "SUITEQL_PATH",
    "TOKEN_PATH",
    "Credentials",
    "NetSuiteClient",
    "account_host",
    "probe",
]

TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"
RECORD_ROOT = "/services/rest/record/v1"
SUITEQL_PATH = "/services/rest/query/v1/suiteql"
NETSUITE_DOMAIN = ".suitetalk.api.netsuite.com"
DEFAULT_SCOPE = "rest_webservices"
# NetSuite's 429 carries no Retry-After: reads wait this long between attempts, then the
# scheduler's exponential backoff takes over
RATE_LIMIT_WAIT = 5.0
# NetSuite error codes that mean "refused by a business rule", not "malformed request"
_BUSINESS_RULE_CODES = frozenset({"USER_ERROR"})


def account_host(account_id: str) -> str:
    """The host label of an account: ``1234567_SB1`` → ``1234567-sb1``."""
    return account_id.strip().lower().replace("_", "-")


@dataclass(frozen=True, slots=True, kw_only=True)
class Credentials:
    """The connect form's fields, checked."""

    account_id: str
    client_id: str
    certificate_id: str
    private_key: str
    algorithm: Literal["PS256", "ES256"]
    scopes: tuple[str, ...]

    @classmethod
    def of(cls, system: str, values: Mapping[str, str]) -> Credentials:
        missing = [
            name
            for name in ("account_id", "client_id", "certificate_id", "private_key")
            if not str(values.get(name) or "").strip()
        ]
        if missing:
            raise AuthFailed(system, f"missing credentials: {', '.join(missing)}")
        pem = str(values["private_key"]).strip()
        scopes = tuple(
            s.strip() for s in str(values.get("scope") or DEFAULT_SCOPE).split(",") if s.strip()
        )
        if DEFAULT_SCOPE not in scopes:
            raise AuthFailed(system, f"scope must include {DEFAULT_SCOPE} for REST web services")
        return cls(
            account_id=str(values["account_id"]).strip(),
            client_id=str(values["client_id"]).strip(),
            certificate_id=str(values["certificate_id"]).strip(),
            private_key=pem,
            algorithm=_algorithm(system, pem),
            scopes=scopes,
        )


def _algorithm(system: str, pem: str) -> Literal["PS256", "ES256"]:
    """PS256 for an RSA key, ES256 for a P-256 key: what NetSuite accepts for each."""
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise AuthFailed(
            system, "private_key is not an unencrypted PEM private key (PKCS#8 or PKCS#1)"
        ) from exc
    if isinstance(key, rsa.RSAPrivateKey):
        return "PS256"
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
        return "ES256"
    raise AuthFailed(system, "private_key must be an RSA or an EC P-256 key")


def _error_code(response: httpx.Response) -> str | None:
    try:
        details = response.json().get("o:errorDetails")
    except (ValueError, AttributeError):
        return None
    if isinstance(details, list) and details and isinstance(details[0], dict):
        code = details[0].get("o:errorCode")
        return code if isinstance(code, str) else None
    return None


async def probe(
    system: str, instance_url: str, *, transport: httpx.AsyncBaseTransport | None = None
) -> None:
    """Reach the REST service without credentials: any HTTP answer will do (NetSuite says
    401); a transport error raises ``SystemUnreachable``."""
    async with ConnectorHttp(system, instance_url.strip().rstrip("/"), transport=transport) as http:
        await http.request("GET", RECORD_ROOT, expected=range(100, 600))


class NetSuiteClient:
    """One account's REST web services, authenticated with a signed client assertion."""

    def __init__(
        self,
        system: str,
        config: ConnectionConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.system = system
        self.credentials = Credentials.of(system, config.credentials)
        base = config.instance_url.strip().rstrip("/")
        url = httpx.URL(base)
        if url.scheme not in ("http", "https") or not url.host:
            raise Rejected(system, f"instance URL {base!r} is not an http(s) URL")
        expected = account_host(self.credentials.account_id)
        if url.host.endswith(NETSUITE_DOMAIN) and url.host.split(".")[0] != expected:
            raise Rejected(
                system,
                f"instance URL {base} is not the REST domain of account "
                f"{self.credentials.account_id} (https://{expected}{NETSUITE_DOMAIN})",
            )
        token_url = base + TOKEN_PATH
        assertion = JwtClientAssertion(
            issuer=self.credentials.client_id,
            audience=token_url,
            private_key=self.credentials.private_key,
            algorithm=self.credentials.algorithm,
            key_id=self.credentials.certificate_id,
            claims={"scope": list(self.credentials.scopes)},
        )
        self.auth = OAuth2ClientCredentials(token_url, client_assertion=assertion)
        self.http = ConnectorHttp(
            system,
            base,
            auth=self.auth,
            transport=transport,
            retry=RetryPolicy(default_retry_after=RATE_LIMIT_WAIT),
            classify=self._classify,
        )

    def _classify(self, response: httpx.Response) -> ConnectorError | None:
        if response.is_success:
            return None
        status = response.status_code
        if status == 400 and _error_code(response) in _BUSINESS_RULE_CODES:
            error = self.http.error_for(response)
            return Conflict(self.system, error.detail, status_code=status)
        if status == 429:
            wait = parse_retry_after(response.headers.get("Retry-After"))
            detail = self.http.error_for(response).detail
            return RateLimited(
                self.system, detail, retry_after=RATE_LIMIT_WAIT if wait is None else wait
            )
        return None

    # -- SuiteQL -----------------------------------------------------------------------------

    async def suiteql(self, query: str, *, limit: int, offset: int = 0) -> dict[str, Any]:
        """One page of a SuiteQL query (a read: retried like a GET)."""
        response = await self.http.request(
            "POST",
            SUITEQL_PATH,
            params={"limit": limit, "offset": offset},
            json={"q": query},
            headers={"Prefer": "transient"},
            retry=True,
        )
        return self._json(response)

    # -- records -----------------------------------------------------------------------------

    async def record(self, record_type: str, record_id: str) -> dict[str, Any] | None:
        """The record with sublists and subrecords expanded, or None if there is none."""
        try:
            response = await self.http.request(
                "GET",
                f"{RECORD_ROOT}/{record_type}/{record_id}",
                params={"expandSubResources": "true"},
            )
        except NotFoundUpstream:
            return None
        return self._json(response)

    async def create(self, record_type: str, body: Mapping[str, Any]) -> str:
        """POST the record; NetSuite answers 204 with the new record's URL in ``Location``."""
        response = await self.http.request(
            "POST", f"{RECORD_ROOT}/{record_type}", json=body, expected=(201, 204)
        )
        location = str(response.headers.get("Location", ""))
        record_id = location.rstrip("/").rsplit("/", 1)[-1]
        if not record_id.isdigit():
            raise SystemUnreachable(
                self.system,
                f"create {record_type} answered without a usable Location header ({location!r})",
                reason="server_error",
            )
        return record_id

    async def update(
        self,
        record_type: str,
        record_id: str,
        body: Mapping[str, Any],
        *,
        replace: Collection[str] = (),
    ) -> None:
        params = {"replace": ",".join(sorted(replace))} if replace else None
        await self.http.request(
            "PATCH",
            f"{RECORD_ROOT}/{record_type}/{record_id}",
            params=params,
            json=body,
            expected=(200, 204),
        )

    async def delete(self, record_type: str, record_id: str) -> None:
        await self.http.request(
            "DELETE", f"{RECORD_ROOT}/{record_type}/{record_id}", expected=(200, 204)
        )

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise SystemUnreachable(
                self.system,
                f"{response.request.method} {response.request.url.path} did not answer a JSON "
                "object",
                reason="server_error",
                status_code=response.status_code,
            )
        return body

    async def aclose(self) -> None:
        await self.http.aclose()
