"""Credentials: secret header auth for httpx, and reading settings from the environment.

Secrets are held as ``pydantic.SecretStr`` and only unwrapped inside `HeaderAuth`'s
``auth_flow``, as the request is sent; they are registered with the log filter so that
no log record can carry them.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import httpx
from pydantic import SecretStr

from ._logging import register_secret

__all__ = ["HeaderAuth", "env_setting", "secret_setting"]


class HeaderAuth(httpx.Auth):
    """Put a secret in one request header at send time (``Authorization: Bearer …`` by default).

    Args:
        secret: the key or token.
        header: the header to set.
        prefix: put before the secret, e.g. ``"Bearer "``; ``""`` for a bare key.
    """

    def __init__(
        self, secret: SecretStr, *, header: str = "Authorization", prefix: str = "Bearer "
    ) -> None:
        self._secret = secret
        self._header = header
        self._prefix = prefix
        register_secret(secret.get_secret_value())

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Set the header and send the request once."""
        request.headers[self._header] = f"{self._prefix}{self._secret.get_secret_value()}"
        yield request

    def __repr__(self) -> str:
        return f"HeaderAuth(header={self._header!r}, secret=SecretStr('**********'))"


def secret_setting(value: str | SecretStr | None, env: str) -> SecretStr | None:
    """The secret passed in, else the environment variable ``env``, else None (blank is unset)."""
    raw: str | None
    if isinstance(value, SecretStr):
        raw = value.get_secret_value()
    else:
        raw = value if value is not None else os.environ.get(env)
    raw = (raw or "").strip()
    if not raw:
        return None
    register_secret(raw)
    return SecretStr(raw)


def env_setting(value: str | None, env: str, default: str | None = None) -> str | None:
    """The value passed in, else the environment variable ``env``, else ``default``."""
    if value is not None and value.strip():
        return value.strip()
    from_env = os.environ.get(env, "").strip()
    return from_env or default
