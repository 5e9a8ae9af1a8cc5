"""OAuth 2.0 client credentials (M2M) as NetSuite runs it: a certificate mapped to the
integration, a JWT client assertion signed with its key, short-lived bearer tokens."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from ironbridge.emulators.netsuite.errors import OAuthError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

__all__ = [
    "ALGORITHMS",
    "ASSERTION_TYPE",
    "TOKEN_PATH",
    "Certificate",
    "LoginAttempt",
    "TokenService",
    "make_certificate",
]

TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = ("PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
SCOPES = frozenset({"restlets", "rest_webservices", "suite_analytics"})
MAX_ASSERTION_LIFETIME = 3600
# clock skew tolerated on iat [I]
_LEEWAY = timedelta(seconds=300)

KeyType = Literal["ec", "rsa"]


@dataclass(frozen=True, slots=True)
class Certificate:
    """A certificate uploaded under OAuth 2.0 Client Credentials (M2M) Setup."""

    certificate_id: str
    private_key_pem: str  # what the client keeps
    certificate_pem: str  # what NetSuite holds
    public_key: Any = field(repr=False)


def make_certificate(
    key_type: KeyType = "ec", *, private_key_pem: str | None = None, now: datetime | None = None
) -> Certificate:
    """A self-signed certificate for a fresh key (or the given one); its id is derived from
    the public key, as stable as the key itself."""
    key: PrivateKeyTypes
    if private_key_pem is not None:
        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    elif key_type == "rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        key = ec.generate_private_key(ec.SECP256R1())
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise ValueError("the certificate key must be an RSA or EC key")
    issued = (now or datetime.now(UTC)) - timedelta(days=1)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ironbridge-netsuite-m2m")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(issued)
        .not_valid_after(issued + timedelta(days=730))
        .sign(key, hashes.SHA256())
    )
    public_der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = base64.urlsafe_b64encode(hashlib.sha256(public_der).digest()).decode().rstrip("=")
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return Certificate(
        certificate_id=digest,
        private_key_pem=pem,
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        public_key=cert.public_key(),
    )


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """One row of the Login Audit Trail: when, which certificate, and the outcome."""

    at: datetime
    status: Literal["Success", "Failure"]
    detail: str
    certificate_id: str | None = None


@dataclass(slots=True)
class _Token:
    expires_at: datetime
    scopes: frozenset[str]


class TokenService:
    """Checks client assertions and hands out bearer tokens valid ``token_ttl`` seconds."""

    def __init__(
        self,
        *,
        client_id: str,
        certificate: Certificate,
        clock: Callable[[], datetime],
        token_ttl: int = 3600,
    ) -> None:
        self.client_id = client_id
        self.certificates: dict[str, Certificate] = {certificate.certificate_id: certificate}
        self.clock = clock
        self.token_ttl = token_ttl
        self.login_audit: list[LoginAttempt] = []
        self._tokens: dict[str, _Token] = {}

    def _fail(self, error: str, reason: str, kid: str | None = None) -> OAuthError:
        self.login_audit.append(LoginAttempt(self.clock(), "Failure", reason, kid))
        return OAuthError(error, reason)

    def issue(self, form: Mapping[str, str], *, token_url: str) -> dict[str, Any]:
        """The token response for a client-credentials request, or ``OAuthError``."""
        grant = form.get("grant_type")
        if grant != "client_credentials":
            error = "invalid_request" if grant is None else "unsupported_grant_type"
            raise self._fail(error, f"grant_type {grant!r}")
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise self._fail("invalid_request", "client_assertion_type missing or wrong")
        assertion = form.get("client_assertion")
        if not assertion:
            raise self._fail("invalid_request", "client_assertion missing")
        scopes = self._verify(assertion, token_url)
        token = secrets.token_urlsafe(48)
        self._tokens[token] = _Token(self.clock() + timedelta(seconds=self.token_ttl), scopes)
        self.login_audit.append(LoginAttempt(self.clock(), "Success", "Token issued"))
        return {"access_token": token, "expires_in": str(self.token_ttl), "token_type": "Bearer"}

    def _verify(self, assertion: str, token_url: str) -> frozenset[str]:
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError:
            raise self._fail("invalid_request", "client_assertion is not a JWT") from None
        kid = header.get("kid") if isinstance(header.get("kid"), str) else None
        algorithm = header.get("alg")
        if header.get("typ", "JWT") != "JWT" or algorithm not in ALGORITHMS:
            raise self._fail("invalid_grant", f"unsupported JWT algorithm {algorithm!r}", kid)
        certificate = self.certificates.get(kid) if kid is not None else None
        if certificate is None:
            raise self._fail("invalid_grant", "InvalidCertificateId", kid)
        try:
            claims = jwt.decode(
                assertion,
                certificate.public_key,
                algorithms=[algorithm],
                options={"verify_exp": False, "verify_iat": False, "verify_aud": False},
            )
        except jwt.PyJWTError:
            raise self._fail("invalid_grant", "InvalidSignature", kid) from None
        if claims.get("iss") != self.client_id:
            raise self._fail("invalid_client", "UnknownIntegration", kid)
        if claims.get("aud") != token_url and token_url not in (claims.get("aud") or []):
            raise self._fail("invalid_grant", "InvalidAudience", kid)
        self._check_times(claims, kid)
        scopes = _scopes(claims.get("scope"))
        if not scopes or not scopes <= SCOPES:
            raise self._fail("invalid_scope", "ScopeMismatched", kid)
        return scopes

    def _check_times(self, claims: Mapping[str, Any], kid: str | None) -> None:
        iat, exp = claims.get("iat"), claims.get("exp")
        if not isinstance(iat, int | float) or not isinstance(exp, int | float):
            raise self._fail("invalid_grant", "iat and exp are required", kid)
        now = self.clock().timestamp()
        if exp <= now:
            raise self._fail("invalid_grant", "AssertionExpired", kid)
        if iat > now + _LEEWAY.total_seconds():
            raise self._fail("invalid_grant", "AssertionIssuedInFuture", kid)
        if exp - iat > MAX_ASSERTION_LIFETIME:
            raise self._fail("invalid_grant", "AssertionLifetimeTooLong", kid)

    def authenticate(self, authorization: str | None) -> frozenset[str] | None:
        """The scopes of a valid, unexpired bearer token, or None."""
        scheme, _, value = (authorization or "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        token = self._tokens.get(value.strip())
        if token is None:
            return None
        if token.expires_at <= self.clock():
            del self._tokens[value.strip()]
            return None
        return token.scopes

    def expire_tokens(self) -> None:
        """End every issued token, as their hour running out would."""
        self._tokens.clear()

    def reset(self) -> None:
        self._tokens.clear()
        self.login_audit.clear()


def _scopes(value: Any) -> frozenset[str]:
    """``["rest_webservices"]`` or ``"restlets, rest_webservices"``: both forms are accepted."""
    if isinstance(value, str):
        parts = value.split(",")
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        parts = value
    else:
        return frozenset()
    return frozenset(p.strip() for p in parts if p.strip())
