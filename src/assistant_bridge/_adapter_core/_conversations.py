"""What the Jylo and Zaia adapters of both frameworks share: clients, history reads, uploads.

`JyloConnection` / `ZaiaConnection` are their vendor's `Connection` (made lazily, see
`_clients`; here so that Unleash adapters never load Jylo or Zaia). `read_jylo` /
`read_zaia` (and their async forms) read a stored conversation oldest first, all of it
or an error that says why not (Zaia's paging rules are in `zaia._paging`);
`read_zaia_chats` reads every chat of a Zaia workspace; `zaia_metadata` is what a
framework keeps of a stored Zaia message.
`Attachment` / `upload_all` upload the files of a message before it is posted.
`split_key` reads the ``<chat id>[:<thread id>]`` keys
of the Zaia chat store.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from pydantic import SecretStr

from .._transport import APIError, InvalidRequestError
from ..jylo import AsyncJyloClient, Document, JyloClient, Message, TokenCache, share_token_cache
from ..zaia import MAX_LIMIT as ZAIA_MAX_LIMIT
from ..zaia import AsyncZaiaClient, Chat, ChatMessage, PageRequest, PageWalk, ZaiaClient, item_key
from ._clients import Connection, limits, secret
from ._unsupported import unsupported

__all__ = [
    "JyloConnection",
    "ZaiaConnection",
    "JYLO_PAGE_SIZE",
    "Attachment",
    "ZAIA_MAX_LIMIT",
    "aread_jylo",
    "aupload_all",
    "check_prefix",
    "aread_zaia",
    "aread_zaia_chats",
    "in_order",
    "read_jylo",
    "read_zaia",
    "read_zaia_chats",
    "split_key",
    "upload_all",
    "zaia_metadata",
    "stored_zaia_role",
]

JYLO_PAGE_SIZE = 100
"""Messages per page when reading a Jylo conversation (our choice: no maximum is documented)."""

_T = TypeVar("_T")


@dataclass(kw_only=True)
class JyloConnection(Connection[JyloClient, AsyncJyloClient]):
    """How to reach Jylo (None: the ``JYLO_*`` variables); the fields are `JyloClient` s.

    The clients made here share one token cache: one token for the sync client and every
    loop's async client until it expires.
    """

    client_id: str | None = None
    client_secret: SecretStr | str | None = None
    token: SecretStr | str | None = None
    tenant: str | None = None
    region: str | None = None
    project_id: str | None = None
    base_url: str | None = None
    token_url: str | None = None
    settings_url: str | None = None
    audience: str | None = None
    _tokens: TokenCache = field(default_factory=TokenCache, repr=False, compare=False)

    def _settings(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "client_secret": secret(self.client_secret),
            "token": secret(self.token),
            "tenant": self.tenant,
            "region": self.region,
            "project_id": self.project_id,
            "base_url": self.base_url,
            "token_url": self.token_url,
            "settings_url": self.settings_url,
            "audience": self.audience,
            **limits(self.timeout, self.max_retries),
        }

    def _make_sync(self) -> JyloClient:
        client = JyloClient(**self._settings())
        share_token_cache(client, self._tokens)
        return client

    def _make_async(self) -> AsyncJyloClient:
        client = AsyncJyloClient(**self._settings())
        share_token_cache(client, self._tokens)
        return client


@dataclass(kw_only=True)
class ZaiaConnection(Connection[ZaiaClient, AsyncZaiaClient]):
    """How to reach Zaia (None: the ``ZAIA_*`` variables)."""

    api_key: SecretStr | str | None = None
    base_url: str | None = None
    auth_scheme: str | None = None

    def _settings(self) -> dict[str, Any]:
        return {
            "api_key": secret(self.api_key),
            "base_url": self.base_url,
            "auth_scheme": self.auth_scheme,
            **limits(self.timeout, self.max_retries),
        }

    def _make_sync(self) -> ZaiaClient:
        return ZaiaClient(**self._settings())

    def _make_async(self) -> AsyncZaiaClient:
        return AsyncZaiaClient(**self._settings())


def stored_zaia_role(message: ChatMessage) -> str:
    """The role of a stored Zaia message as a plain string ("" when it has none)."""
    return str(getattr(message.role, "value", message.role) or "")


def zaia_metadata(message: ChatMessage, keys: Iterable[str]) -> dict[str, Any]:
    """What a framework keeps of a stored Zaia message: ``keys`` that have a value, in order.

    Keys: ``vendor`` (``"zaia"``), ``message_id``, ``chat_id``, ``chat_thread_id``,
    ``sender_id``, ``role``, ``external_id``, ``created_at`` (ISO 8601).
    """
    values: dict[str, Any] = {
        "vendor": "zaia",
        "message_id": message.id,
        "chat_id": message.chat_id,
        "chat_thread_id": message.chat_thread_id,
        "sender_id": message.sender_id,
        "role": stored_zaia_role(message) or None,
        "external_id": message.external_id,
        "created_at": message.created_at.isoformat() if message.created_at else None,
    }
    return {key: values[key] for key in keys if values[key] is not None}


def in_order(items: Iterable[_T], when: Callable[[_T], datetime | None]) -> list[_T]:
    """``items`` oldest first by ``when`` (stable), or as given if any lacks a time."""
    listed = list(items)
    times = [when(item) for item in listed]
    known = [t for t in times if t is not None]
    if not listed or len(known) != len(listed):
        return listed
    try:
        order = sorted(range(len(listed)), key=lambda i: known[i])
    except TypeError:  # naive and aware timestamps mixed: keep the server's order
        return listed
    return [listed[i] for i in order]


def read_jylo(
    client: JyloClient, assistant_id: str, *, page_size: int = JYLO_PAGE_SIZE
) -> list[Message]:
    """Every message of a Jylo assistant's conversation, oldest first (all pages)."""
    pages = client.iter_messages(assistant_id, page_size=page_size, desc=False)
    return in_order(pages, lambda m: m.date_added)


async def aread_jylo(
    client: AsyncJyloClient, assistant_id: str, *, page_size: int = JYLO_PAGE_SIZE
) -> list[Message]:
    """Async `read_jylo`, over the async client."""
    pages = client.iter_messages(assistant_id, page_size=page_size, desc=False)
    return in_order([m async for m in pages], lambda m: m.date_added)


def _zaia_all(walk: PageWalk[_T], what: str, operation: str) -> list[_T]:
    """The items a finished walk read, or the `UnsupportedOperationError` it calls for."""
    if walk.problem:
        raise unsupported(
            "zaia",
            operation,
            f"{what} cannot be read in full: {walk.problem}",
        )
    return walk.items


def _zaia_where(chat_id: str, thread_id: str | None) -> str:
    return f"chat {chat_id}" + (f" (thread {thread_id})" if thread_id else "")


def read_zaia(
    client: ZaiaClient, chat_id: str, thread_id: str | None, *, limit: int = ZAIA_MAX_LIMIT
) -> list[ChatMessage]:
    """Every message of a Zaia chat (or one of its threads), oldest first, page by page.

    Zaia documents only ``pagination.limit``; pages after the first are asked for with
    ``pagination.offset``, and a server that does not honour it is detected (see
    `PageWalk`), so the history is complete or an error, never duplicated or truncated.

    Raises:
        UnsupportedOperationError: the chat fills more than one page and the server does
            not honour ``pagination.offset``.
    """
    walk: PageWalk[ChatMessage] = PageWalk(limit, item_key)
    while (ask := walk.next) is not None:
        found = client.list_chat_messages(
            chat_id, chat_thread_id=thread_id, limit=ask.limit, offset=ask.offset
        )
        walk.add(found.items)
    found_all = _zaia_all(walk, _zaia_where(chat_id, thread_id), "read history")
    return in_order(found_all, lambda m: m.created_at)


async def aread_zaia(
    client: AsyncZaiaClient, chat_id: str, thread_id: str | None, *, limit: int = ZAIA_MAX_LIMIT
) -> list[ChatMessage]:
    """Async `read_zaia`, over the async client."""
    walk: PageWalk[ChatMessage] = PageWalk(limit, item_key)
    while (ask := walk.next) is not None:
        found = await client.list_chat_messages(
            chat_id, chat_thread_id=thread_id, limit=ask.limit, offset=ask.offset
        )
        walk.add(found.items)
    found_all = _zaia_all(walk, _zaia_where(chat_id, thread_id), "read history")
    return in_order(found_all, lambda m: m.created_at)


def _offset(ask: PageRequest) -> dict[str, int]:
    return {} if ask.offset is None else {"pagination.offset": ask.offset}


def read_zaia_chats(client: ZaiaClient, *, limit: int = ZAIA_MAX_LIMIT) -> list[Chat]:
    """Every chat of the workspace, page by page like `read_zaia` (complete or an error)."""
    walk: PageWalk[Chat] = PageWalk(limit, item_key)
    while (ask := walk.next) is not None:
        walk.add(client.list_chats(limit=ask.limit, params=_offset(ask)).items)
    return _zaia_all(walk, "the workspace's chats", "get_keys")


async def aread_zaia_chats(client: AsyncZaiaClient, *, limit: int = ZAIA_MAX_LIMIT) -> list[Chat]:
    """Async `read_zaia_chats`."""
    walk: PageWalk[Chat] = PageWalk(limit, item_key)
    while (ask := walk.next) is not None:
        walk.add((await client.list_chats(limit=ask.limit, params=_offset(ask))).items)
    return _zaia_all(walk, "the workspace's chats", "get_keys")


@dataclass(frozen=True)
class Attachment:
    """A file to upload: its bytes or path, the name to send and its content type."""

    file: bytes | str
    filename: str
    content_type: str | None = None


def _checked(doc: Document, attachment: Attachment) -> Document:
    if doc.upload_successful is False:
        raise APIError(f"the upload of {attachment.filename!r} was not successful")
    if not doc.id:
        raise APIError(f"the upload of {attachment.filename!r} returned no document id")
    return doc


def upload_all(
    client: JyloClient, assistant_id: str, files: Iterable[Attachment], call: Mapping[str, Any]
) -> list[Document]:
    """Upload each attachment to the assistant; the documents, in order."""
    out: list[Document] = []
    for item in files:
        data = io.BytesIO(item.file) if isinstance(item.file, bytes) else item.file
        doc = client.upload_document(
            assistant_id, data, filename=item.filename, content_type=item.content_type, **call
        )
        out.append(_checked(doc, item))
    return out


async def aupload_all(
    client: AsyncJyloClient, assistant_id: str, files: Iterable[Attachment], call: Mapping[str, Any]
) -> list[Document]:
    """Async `upload_all`."""
    out: list[Document] = []
    for item in files:
        data = io.BytesIO(item.file) if isinstance(item.file, bytes) else item.file
        doc = await client.upload_document(
            assistant_id, data, filename=item.filename, content_type=item.content_type, **call
        )
        out.append(_checked(doc, item))
    return out


def check_prefix(vendor: str, stored_ids: list[Any], given_ids: list[Any]) -> int:
    """How many given messages are the stored conversation (matched by id, in order).

    Raises:
        UnsupportedOperationError: the given messages do not start with the stored ones:
            ``set_messages`` can only append, never replace or reorder.
    """
    if given_ids[: len(stored_ids)] != stored_ids:
        raise unsupported(
            vendor,
            "set_messages",
            "it cannot replace or reorder a stored conversation; the new messages must be "
            "the stored ones (with their ids) followed by messages to append",
        )
    return len(stored_ids)


def split_key(key: str) -> tuple[str, str | None]:
    """A chat-store key ``"<chat id>"`` or ``"<chat id>:<thread id>"`` as its two ids.

    Raises:
        InvalidRequestError: the key is empty or has an empty part.
    """
    if not isinstance(key, str) or not key.strip():
        raise InvalidRequestError(
            "key: must be '<chat id>' or '<chat id>:<thread id>'", field="key"
        )
    chat, sep, thread = key.strip().partition(":")
    if not chat or (sep and not thread):
        raise InvalidRequestError(
            f"key: {key!r} must be '<chat id>' or '<chat id>:<thread id>'", field="key"
        )
    return chat, thread or None
