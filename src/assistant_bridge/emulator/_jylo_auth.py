"""Jylo's OAuth2 client-credentials login and the settings API's model list, emulated.

``POST /jylo/oauth/token`` takes the form fields ``grant_type=client_credentials``,
``client_id``, ``client_secret`` (or HTTP Basic client auth) and ``audience``, and answers
``{access_token, token_type, expires_in, scope}``. The access token is a real JWT
(HS256, signed with an emulator-only secret) whose payload has ``iss``, ``sub``, ``aud``,
``iat`` and ``exp``; `verify` accepts it until ``exp``. Errors follow RFC 6749 §5.2
(``{"error": ..., "error_description": ...}``). Tokens use the wall clock, so they are
the one emulator answer that changes over time.

``GET /jylo/settings/models`` lists the models an assistant can use (Bearer token):
``name``, ``description``, ``objectIdentifier``, ``maxOutputToken``, ``contextLength``
(the fields the API notes confirm); the ``extended`` dialect adds ``provider`` and
``isDefault``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from ._data import EMULATOR_KEYS
from ._http import json_response, problem, reply, wire_of

__all__ = ["AUDIENCE", "MODELS", "issue_token", "models_endpoint", "token_endpoint", "verify"]

AUDIENCE = "https://jga.jylo.ai/external/v2"
ISSUER = "https://login.emulator.jylo.invalid/"
_SECRET = b"assistant-bridge-emulator-signing-key"

MODELS: list[dict[str, Any]] = [
    {
        "name": "Jylo Standard",
        "description": "Balanced model for everyday questions over your documents.",
        "objectIdentifier": "0f8a6c2e-3b1d-4e5f-9a7b-1c2d3e4f5a6b",
        "maxOutputToken": 4096,
        "contextLength": 128000,
        "provider": "emulator",
        "isDefault": True,
    },
    {
        "name": "Jylo Large",
        "description": "Larger model for long documents and careful drafting.",
        "objectIdentifier": "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
        "maxOutputToken": 8192,
        "contextLength": 200000,
        "provider": "emulator",
        "isDefault": False,
    },
    {
        "name": "Jylo Fast",
        "description": "Small, quick model for short answers.",
        "objectIdentifier": "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b",
        "maxOutputToken": 2048,
        "contextLength": 32000,
        "provider": "emulator",
        "isDefault": False,
    },
]
MODEL_IDS = frozenset(m["objectIdentifier"] for m in MODELS)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(signing_input: str) -> str:
    return _b64(hmac.new(_SECRET, signing_input.encode(), hashlib.sha256).digest())


def issue_token(client_id: str, audience: str, *, now: int, lifetime: int) -> str:
    """A signed JWT for ``client_id``, valid from ``now`` for ``lifetime`` seconds."""
    header = {"alg": "HS256", "typ": "JWT", "kid": "emulator"}
    payload = {
        "iss": ISSUER,
        "sub": f"{client_id}@clients",
        "aud": audience,
        "iat": now,
        "exp": now + lifetime,
        "azp": client_id,
        "gty": "client-credentials",
    }
    compact = [_b64(json.dumps(p, separators=(",", ":")).encode()) for p in (header, payload)]
    signing_input = ".".join(compact)
    return f"{signing_input}.{_sign(signing_input)}"


def verify(token: str, *, now: float | None = None) -> str | None:
    """Why the token is not accepted, or None when it is (signature, audience, ``exp``)."""
    parts = token.split(".")
    if len(parts) != 3:
        return "The access token is not a JWT."
    if not hmac.compare_digest(_sign(f"{parts[0]}.{parts[1]}"), parts[2]):
        return "The access token signature is invalid."
    try:
        payload = json.loads(_unb64(parts[1]))
    except ValueError:
        return "The access token payload is not JSON."
    if payload.get("aud") != AUDIENCE:
        return "The access token is for another audience."
    if not isinstance(payload.get("exp"), int) or payload["exp"] <= (now or time.time()):
        return "The access token expired."
    return None


def _oauth_error(status: int, error: str, description: str) -> Response:
    body = {"error": error, "error_description": description}
    return json_response(body, status, {"Cache-Control": "no-store"})


def _basic_client(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(value).decode().partition(":")
    except ValueError:
        return None
    return client_id, secret


def token_endpoint(lifetime: Callable[[], int]) -> Callable[[Request], Any]:
    """The ``POST /oauth/token`` endpoint; ``lifetime`` gives the token lifetime in seconds."""

    async def token(request: Request) -> Response:
        if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
            return _oauth_error(
                400, "invalid_request", "Send the form as application/x-www-form-urlencoded."
            )
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(
                400, "unsupported_grant_type", "Only grant_type=client_credentials is supported."
            )
        basic = _basic_client(request)
        client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
        if not client_id or not secret:
            return _oauth_error(400, "invalid_request", "client_id and client_secret are required.")
        if not (
            hmac.compare_digest(client_id, EMULATOR_KEYS["jylo_client_id"])
            and hmac.compare_digest(secret, EMULATOR_KEYS["jylo_client_secret"])
        ):
            return _oauth_error(401, "access_denied", "Unauthorized")
        audience = form.get("audience", "")
        if audience != AUDIENCE:
            return _oauth_error(
                403, "access_denied", f"Service not enabled within domain: {audience or '(none)'}"
            )
        seconds = lifetime()
        access = issue_token(client_id, audience, now=int(time.time()), lifetime=seconds)
        body = {
            "access_token": access,
            "scope": "assistants:read assistants:write messages:read messages:write",
            "expires_in": seconds,
            "token_type": "Bearer",
        }
        return json_response(body, 200, {"Cache-Control": "no-store"})

    return token


def bearer_problem(request: Request) -> Response | None:
    """The 401 for a request without a valid Jylo access token, else None."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    reason = "Bearer authentication with a JWT is required."
    if scheme.lower() == "bearer" and token.strip():
        found = verify(token.strip())
        if found is None:
            return None
        reason = found
    error = 'Bearer error="invalid_token"' if scheme.lower() == "bearer" else "Bearer"
    return problem(401, "Unauthorized", detail=reason, headers={"WWW-Authenticate": error})


MODEL_FIELDS = ("name", "description", "objectIdentifier", "maxOutputToken", "contextLength")
"""The model fields the API notes confirm; the others are sent in the extended dialect."""


async def models_endpoint(request: Request) -> Response:
    """``GET /settings/models``: the models an assistant can use."""
    denied = bearer_problem(request)
    if denied is not None:
        return denied
    if wire_of(request).extended:
        return reply(request, MODELS)
    return reply(request, [{k: m[k] for k in MODEL_FIELDS} for m in MODELS])


__all__ += ["MODEL_FIELDS", "MODEL_IDS", "bearer_problem"]
