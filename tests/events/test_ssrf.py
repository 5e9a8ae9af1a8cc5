"""The SSRF guard: which URLs are refused, and why."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from ironbridge.security.ssrf import Reason, UnsafeUrlError, check_url, check_url_async

if TYPE_CHECKING:
    from collections.abc import Iterable

DNS = {
    "receiver.example": ["93.184.216.34"],
    "plant.corp": ["10.20.30.40"],
    "rebind.example": ["169.254.169.254"],
    "mixed.example": ["10.0.0.1", "fe80::2%eth0"],
    "mapped.example": ["::ffff:169.254.169.254"],
    "nowhere.example": [],
}


def resolve(host: str) -> Iterable[str]:
    return DNS.get(host, [])


async def resolve_async(host: str) -> Iterable[str]:
    return resolve(host)


ALLOWED = [
    "http://127.0.0.1:8080/hook",
    "http://[::1]:9000/",
    "https://10.1.2.3/x",
    "http://172.16.5.4/",
    "http://192.168.0.10/webhooks?x=1",
    "https://receiver.example/hooks",
    "http://plant.corp:8443/",
    "HTTPS://Receiver.Example./hooks",
]

REFUSED = [
    ("ftp://receiver.example/", Reason.SCHEME),
    ("file:///etc/passwd", Reason.SCHEME),
    ("javascript:alert(1)", Reason.SCHEME),
    ("receiver.example/hook", Reason.SCHEME),
    ("http:///no-host", Reason.INVALID),
    ("http://receiver.example:99999/", Reason.INVALID),
    ("http://169.254.169.254/latest/meta-data/", Reason.LINK_LOCAL),
    ("http://169.254.170.2/v2/credentials", Reason.LINK_LOCAL),
    ("http://[fe80::1]/", Reason.LINK_LOCAL),
    ("http://[::ffff:169.254.169.254]/", Reason.LINK_LOCAL),
    ("http://metadata.google.internal/computeMetadata/v1/", Reason.METADATA),
    ("http://METADATA.google.internal./", Reason.METADATA),
    ("http://metadata/", Reason.METADATA),
    ("http://[fd00:ec2::254]/", Reason.METADATA),
    ("http://100.100.100.200/latest/meta-data/", Reason.METADATA),
    ("http://0.0.0.0:8000/", Reason.NOT_ROUTABLE),
    ("http://224.0.0.1/", Reason.NOT_ROUTABLE),
    ("http://rebind.example/", Reason.LINK_LOCAL),
    ("http://mixed.example/", Reason.LINK_LOCAL),
    ("http://mapped.example/", Reason.LINK_LOCAL),
    ("http://nowhere.example/", Reason.UNRESOLVABLE),
]


@pytest.mark.parametrize("url", ALLOWED)
def test_allowed(url: str) -> None:
    check_url(url, resolver=resolve)


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_refused(url: str, reason: Reason) -> None:
    with pytest.raises(UnsafeUrlError) as caught:
        check_url(url, resolver=resolve)
    assert caught.value.reason is reason
    assert caught.value.url == url
    assert isinstance(caught.value, ValueError)
    assert str(caught.value)


@pytest.mark.parametrize(("url", "reason"), REFUSED[:6] + REFUSED[-4:])
async def test_the_async_guard_agrees(url: str, reason: Reason) -> None:
    with pytest.raises(UnsafeUrlError) as caught:
        await check_url_async(url, resolver=resolve_async)
    assert caught.value.reason is reason


@pytest.mark.parametrize("url", ALLOWED)
async def test_the_async_guard_allows(url: str) -> None:
    await check_url_async(url, resolver=resolve_async)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.0.0.1/", Reason.PRIVATE),
        ("http://127.0.0.1/", Reason.PRIVATE),
        ("http://[::1]/", Reason.PRIVATE),
        ("http://plant.corp/", Reason.PRIVATE),
        ("http://169.254.169.254/", Reason.LINK_LOCAL),
    ],
)
def test_private_ranges_can_be_refused_too(url: str, reason: Reason) -> None:
    with pytest.raises(UnsafeUrlError) as caught:
        check_url(url, allow_private=False, resolver=resolve)
    assert caught.value.reason is reason


def test_public_addresses_pass_when_private_ones_are_refused() -> None:
    check_url("https://receiver.example/", allow_private=False, resolver=resolve)


async def test_the_system_resolver_is_used_by_default() -> None:
    check_url("http://localhost:9/")
    await check_url_async("http://localhost:9/")
    with pytest.raises(UnsafeUrlError) as caught:
        await check_url_async("http://does-not-exist.invalid/")
    assert caught.value.reason is Reason.UNRESOLVABLE
    with pytest.raises(UnsafeUrlError):
        check_url("http://does-not-exist.invalid/")
