"""Maximo's two ways in: the ``apikey`` header (stateless, no cookies) and native ``maxauth``
(user and password, with the session cookie Maximo hands back)."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from collections.abc import Generator

__all__ = ["ApiKeyAuth", "MaxAuth"]


class ApiKeyAuth(httpx.Auth):
    """The ``apikey`` header, and no cookies: a request carrying a session cookie is checked
    against that session first, and a stale one makes Maximo answer 401 despite a good key."""

    def __init__(self, key: str) -> None:
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if "cookie" in request.headers:
            del request.headers["cookie"]
        request.headers["apikey"] = self._key
        yield request


class MaxAuth(httpx.Auth):
    """Native authentication: ``maxauth: base64(user:password)`` on every request. Maximo opens
    a session and sets its cookie; when that session has expired (401 with the cookie sent),
    the request is sent once more without it and Maximo opens a new one."""

    def __init__(self, username: str, password: str) -> None:
        self._token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["maxauth"] = self._token
        response = yield request
        if response.status_code == 401 and "cookie" in request.headers:
            del request.headers["cookie"]
            yield request
