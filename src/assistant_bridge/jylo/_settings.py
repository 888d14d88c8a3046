"""Resolving a Jylo client's connection settings: arguments first, then ``JYLO_*`` variables.

URLs are derived from the tenant and region unless given:

- API: ``https://api.<tenant>.<region>.jylo.ai`` (``base_url`` / ``JYLO_BASE_URL``);
- token: ``https://login.<region>.jylo.ai/oauth/token`` for ``uk``, ``eu`` and ``us``
  (``token_url`` / ``JYLO_TOKEN_URL``). The vendor documents login hosts for those three
  regions only; for ``au`` and ``jp`` the UK login host (the vendor's home region) is used
  as a fallback. Set ``JYLO_TOKEN_URL`` if your tenant's login host differs;
- settings (models): ``https://settings.<region>.jylo.ai`` (``settings_url`` /
  ``JYLO_SETTINGS_URL``).

Credentials are a ready bearer ``token``, or ``client_id`` + ``client_secret``
(``JYLO_CLIENT_ID`` / ``JYLO_CLIENT_SECRET``) for the client-credentials grant. Missing
settings raise `InvalidRequestError` naming the argument and the environment variable.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from pydantic import SecretStr

from .._transport import HeaderAuth, InvalidRequestError, env_setting, secret_setting
from .._validation import nearest_names
from ._auth import DEFAULT_AUDIENCE, JyloAuth

__all__ = ["LOGIN_FALLBACK_REGION", "LOGIN_REGIONS", "REGIONS", "JyloSettings"]

REGIONS = ("uk", "us", "eu", "au", "jp")
LOGIN_REGIONS = ("uk", "eu", "us")
LOGIN_FALLBACK_REGION = "uk"
"""The login host used for regions without a documented one (``au``, ``jp``)."""


def _missing(field: str, env: str, what: str) -> InvalidRequestError:
    return InvalidRequestError(
        f"{field}: no Jylo {what} was given; pass {field}=... or set the {env} "
        "environment variable",
        field=field,
    )


def _region(value: str | None) -> str | None:
    region = env_setting(value, "JYLO_REGION")
    if region is None:
        return None
    region = region.lower()
    if region not in REGIONS:
        close = nearest_names(region, REGIONS)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise InvalidRequestError(
            f"region: must be one of {', '.join(REGIONS)}, got {region!r}{hint}; or pass "
            "base_url/token_url/settings_url (JYLO_BASE_URL, JYLO_TOKEN_URL, "
            "JYLO_SETTINGS_URL) for a host outside these",
            field="region",
            suggestions=close,
        )
    return region


def login_region(region: str) -> str:
    """The region whose login host issues tokens for ``region`` (see the module notes)."""
    return region if region in LOGIN_REGIONS else LOGIN_FALLBACK_REGION


@dataclass(frozen=True)
class JyloSettings:
    """The resolved settings of a Jylo client (URLs, project, credentials)."""

    base_url: str
    settings_url: str | None
    project_id: str | None
    token: SecretStr | None
    client_id: str | None
    client_secret: SecretStr | None
    token_url: str | None
    audience: str

    @classmethod
    def resolve(
        cls,
        *,
        client_id: str | None,
        client_secret: str | SecretStr | None,
        token: str | SecretStr | None,
        tenant: str | None,
        region: str | None,
        project_id: str | None,
        base_url: str | None,
        token_url: str | None,
        settings_url: str | None,
        audience: str | None,
    ) -> JyloSettings:
        """Resolve every setting; raise naming the missing argument and variable."""
        ready = secret_setting(token, "JYLO_TOKEN") if token is not None else None
        region_name = _region(region)
        tenant_name = env_setting(tenant, "JYLO_TENANT")
        api = env_setting(base_url, "JYLO_BASE_URL")
        if api is None:
            if tenant_name is None:
                raise _missing("tenant", "JYLO_TENANT", "tenant (or base_url, JYLO_BASE_URL)")
            if region_name is None:
                raise _missing("region", "JYLO_REGION", "region (or base_url, JYLO_BASE_URL)")
            api = f"https://api.{tenant_name.lower()}.{region_name}.jylo.ai"
        settings = env_setting(settings_url, "JYLO_SETTINGS_URL")
        if settings is None and region_name is not None:
            settings = f"https://settings.{region_name}.jylo.ai"
        cid = secret = login = None
        if ready is None:
            cid = env_setting(client_id, "JYLO_CLIENT_ID")
            if cid is None:
                raise _missing("client_id", "JYLO_CLIENT_ID", "client id (or a ready token=...)")
            secret = secret_setting(client_secret, "JYLO_CLIENT_SECRET")
            if secret is None:
                raise _missing("client_secret", "JYLO_CLIENT_SECRET", "client secret")
            login = env_setting(token_url, "JYLO_TOKEN_URL")
            if login is None:
                if region_name is None:
                    raise _missing("token_url", "JYLO_TOKEN_URL", "token URL (or region)")
                login = f"https://login.{login_region(region_name)}.jylo.ai/oauth/token"
        return cls(
            base_url=api,
            settings_url=settings,
            project_id=env_setting(project_id, "JYLO_PROJECT_ID"),
            token=ready,
            client_id=cid,
            client_secret=secret,
            token_url=login,
            audience=env_setting(audience, "JYLO_AUDIENCE", DEFAULT_AUDIENCE) or DEFAULT_AUDIENCE,
        )

    def auth(self, clock: Callable[[], float] | None = None) -> httpx.Auth:
        """A fixed bearer token's auth, or a `JyloAuth` for the client-credentials grant."""
        if self.token is not None:
            return HeaderAuth(self.token)
        if self.client_id is None or self.client_secret is None or self.token_url is None:
            raise _missing("client_id", "JYLO_CLIENT_ID", "client id (or a ready token=...)")
        return JyloAuth(
            self.client_id,
            client_secret=self.client_secret,
            token_url=self.token_url,
            audience=self.audience,
            _clock=clock or time.time,
        )

    def require_project(self) -> str:
        """The project id, or the error that says how to set it."""
        if self.project_id is None:
            raise _missing("project_id", "JYLO_PROJECT_ID", "project id")
        return self.project_id

    def require_settings_url(self) -> str:
        """The settings API URL, or the error that says how to set it."""
        if self.settings_url is None:
            raise _missing("settings_url", "JYLO_SETTINGS_URL", "settings URL (or region)")
        return self.settings_url.rstrip("/")

    def __repr__(self) -> str:
        return (
            f"JyloSettings(base_url={self.base_url!r}, project_id={self.project_id!r}, "
            f"client_id={self.client_id!r}, token_url={self.token_url!r}, secrets hidden)"
        )
