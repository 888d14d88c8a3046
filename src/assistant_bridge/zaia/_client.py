"""`ZaiaClient`: the blocking client for Zaia chats, threads and chat messages.

Each method checks its input in `_requests` / `_validation` (so bad input, including a
callback URL that resolves to a private address, fails before anything is sent), sends
the request through the base client (pooling, timeouts, retries, typed errors) and reads
the answer into the models of `_types`. `AsyncZaiaClient` has the same methods.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import httpx
from pydantic import SecretStr

from .._transport import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    NOT_GIVEN,
    CallOverrides,
    InvalidRequestError,
    NotGiven,
    SyncAPIClient,
    TimeoutTypes,
    parse_response,
)
from .._validation import check_int
from . import _requests as rq
from ._types import Chat, ChatMessage, ChatRole, ChatThread, ExportStarted, ListResult
from ._validation import (
    MAX_CONTENT_LENGTH,
    Resolver,
    check_resolved,
    split_content,
    system_resolver,
    url_host,
)

__all__ = ["ZaiaClient"]


def message_bodies(
    chat_id: Any,
    content: Any,
    *,
    chat_thread_id: Any,
    external_id: Any,
    sender_id: Any,
    role: Any,
    max_length: int,
) -> list[dict[str, Any]]:
    """Every part's body for `create_chat_messages`, all checked before the first is sent."""
    size = check_int(max_length, "max_length", minimum=1, maximum=MAX_CONTENT_LENGTH)
    fits = not isinstance(content, str) or len(content) <= size
    parts = [content] if fits else split_content(content, size)
    if not parts:
        raise InvalidRequestError(
            f"content: {len(content)} characters of whitespace only, over the limit of {size} "
            "and nothing to split",
            field="content",
        )
    ids = rq.part_external_ids(external_id, len(parts))
    return [
        rq.message_body(
            chat_id,
            part,
            chat_thread_id=chat_thread_id,
            external_id_value=part_id,
            sender_id=sender_id,
            role=role,
        )
        for part, part_id in zip(parts, ids, strict=True)
    ]


class _ZaiaMixin:
    """What both Zaia clients share: settings and repr."""

    _settings: rq.ZaiaSettings

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self._settings.base_url!r}, "
            f"auth_scheme={self._settings.auth_scheme!r}, api_key=SecretStr('**********'))"
        )


class ZaiaClient(_ZaiaMixin, SyncAPIClient):
    """A blocking client for the Zaia chat-messages API.

    Args:
        api_key: the workspace API key (``ZAIA_API_KEY``), sent in the ``authorization``
            header.
        base_url: ``ZAIA_BASE_URL``, else ``https://api.endless.zaia.app``.
        auth_scheme: put before the key in the header, e.g. ``"Bearer"``
            (``ZAIA_AUTH_SCHEME``); default none: the bare key, as the API reference reads.
        timeout: seconds to wait for a read (connect is 5 s), or an ``httpx.Timeout``.
        max_retries: retries of a failed request (a ``POST`` only when it cannot have
            been processed).
        http_client: an ``httpx.Client`` of your own; not closed by `close`.

    Raises:
        InvalidRequestError: no API key in the arguments or the environment.
    """

    def __init__(
        self,
        api_key: str | SecretStr | None = None,
        *,
        base_url: str | None = None,
        auth_scheme: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
        _resolver: Resolver | None = None,
        _sleep: Callable[[float], None] | None = None,
        _random: Callable[[], float] | None = None,
    ) -> None:
        self._settings = rq.ZaiaSettings.resolve(api_key, base_url, auth_scheme)
        self._resolver = _resolver
        super().__init__(
            base_url=self._settings.base_url,
            timeout=timeout,
            max_retries=max_retries,
            auth=self._settings.auth(),
            http_client=http_client,
            _sleep=_sleep,
            _random=_random,
        )

    def list_chat_messages(
        self,
        chat_id: str,
        *,
        chat_thread_id: str | None = None,
        joins: str | Iterable[str] | None = None,
        ticket_ids: str | Iterable[str] | None = None,
        limit: int | None = None,
        offset: int | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> ListResult[ChatMessage]:
        """The messages of a chat (optionally of one thread, or about given tickets).

        Args:
            chat_id: the chat (a UUID; see `list_chats`).
            chat_thread_id: only this thread's messages (see `list_chat_threads`).
            joins: names of related objects to include (the values are not public;
                ``"chat"`` and ``"chatThread"`` are a guess). Joined objects are kept
                on each message as extra fields (``message.model_extra``).
            ticket_ids: only messages about these tickets (UUIDs; how to learn a
                ticket's id is not documented).
            limit: at most this many messages (``pagination.limit``, 1 to 1000; the
                server's default is 250).
            offset: skip this many messages (``pagination.offset``; not in Zaia's
                documents, so a server may ignore it and answer the first page again;
                the adapters' history reads detect that and raise).
            timeout: this call's read timeout; None waits forever.
            max_retries: this call's retry budget.
            extra_headers: more headers for this call.
        """
        call = CallOverrides(timeout, max_retries, extra_headers)
        opts = rq.list_messages_options(
            chat_id,
            chat_thread_id=chat_thread_id,
            joins=joins,
            ticket_ids=ticket_ids,
            limit=limit,
            offset=offset,
            call=call,
        )
        result: ListResult[ChatMessage] = parse_response(
            self.request(opts), ListResult[ChatMessage]
        )
        return result

    def create_chat_message(
        self,
        chat_id: str,
        content: str,
        *,
        chat_thread_id: str | None = None,
        external_id: str | None = None,
        sender_id: str,
        role: ChatRole | str,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> ChatMessage:
        """Append a message to a chat.

        Args:
            chat_id: the chat (a UUID).
            content: the text, at most 4000 characters (seed 004 sets no minimum; see
                `create_chat_messages` for longer text).
            chat_thread_id: the thread (a UUID), or None (sent as null).
            external_id: your reference, 3 to 250 characters, or None (sent as null).
            sender_id: who sends it (a UUID).
            role: the sender's role: a `ChatRole` (its value is sent) or a string sent
                as given. The enum is not public; ``"user"``, ``"assistant"`` and
                ``"system"`` are inferred.
            timeout: this call's read timeout; None waits forever.
            max_retries: this call's retry budget (a POST is repeated only when the
                server cannot have processed it).
            extra_headers: more headers for this call.
        """
        body = rq.message_body(
            chat_id,
            content,
            chat_thread_id=chat_thread_id,
            external_id_value=external_id,
            sender_id=sender_id,
            role=role,
        )
        call = CallOverrides(timeout, max_retries, extra_headers)
        result: ChatMessage = parse_response(
            self.request(rq.create_message_options(body, call)), ChatMessage
        )
        return result

    def create_chat_messages(
        self,
        chat_id: str,
        content: str,
        *,
        chat_thread_id: str | None = None,
        external_id: str | None = None,
        sender_id: str,
        role: ChatRole | str,
        max_length: int = MAX_CONTENT_LENGTH,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> list[ChatMessage]:
        """Append text of any length as one or more messages (opt-in splitting).

        The text is split with `split_content` (paragraphs, then sentences, then words)
        into parts of at most ``max_length`` characters, sent in order. With several
        parts, each part's external id is ``<external_id>-1``, ``-2``... Every part is
        checked before the first is sent; if sending one fails, the parts before it stay
        created. ``timeout``, ``max_retries`` and ``extra_headers`` apply to each part's
        request.

        Args:
            chat_id: the chat (a UUID; see `list_chats`).
            content: the text, of any length (text that fits one message is sent
                as it is, blank or not).
            chat_thread_id: the thread (a UUID; see `list_chat_threads`), or None (sent
                as null).
            external_id: your reference, 3 to 250 characters (with its part suffix when
                the text is split), or None (sent as null for every part).
            sender_id: who sends it (a UUID).
            role: the sender's role: a `ChatRole` (its value is sent) or a string sent
                as given. The enum is not public; ``"user"``, ``"assistant"`` and
                ``"system"`` are inferred.
            max_length: the longest part, 1 to 4000 characters (the API's limit, the
                default).
            timeout: this call's read timeout; None waits forever.
            max_retries: this call's retry budget (a POST is repeated only when the
                server cannot have processed it).
            extra_headers: more headers for this call.

        Returns:
            The created messages, one per part, in order.

        Raises:
            InvalidRequestError: bad input in any part (e.g. an id that is not a UUID, or
                an external id too long for its part suffix), before the first is sent.
        """
        bodies = message_bodies(
            chat_id,
            content,
            chat_thread_id=chat_thread_id,
            external_id=external_id,
            sender_id=sender_id,
            role=role,
            max_length=max_length,
        )
        call = CallOverrides(timeout, max_retries, extra_headers)
        return [
            parse_response(self.request(rq.create_message_options(body, call)), ChatMessage)
            for body in bodies
        ]

    def export_chat_messages(
        self,
        range_start: Any,
        callback_url: str,
        *,
        range_end: Any = None,
        language: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> ExportStarted:
        """Start an export of the messages of a period; the file is POSTed to ``callback_url``.

        Args:
            range_start: the start (a datetime, a date or an ISO-8601 string; naive
                values are UTC), or None (sent as null, as seed 004 allows).
            callback_url: an ``https://`` URL on a public server (checked, DNS included).
            range_end: the end (default: now, on the server); not before ``range_start``.
            language: the export's language (default ``enUs`` on the server).
            timeout: this call's read timeout; None waits forever.
            max_retries: this call's retry budget.
            extra_headers: more headers for this call.
        """
        body = rq.export_body(range_start, range_end, language)
        url, host, literal = url_host(callback_url)
        if not literal:
            resolve = self._resolver or system_resolver
            check_resolved(url, host, resolve(host))
        call = CallOverrides(timeout, max_retries, extra_headers)
        result: ExportStarted = parse_response(
            self.request(rq.export_options(body, url, call)), ExportStarted
        )
        return result

    def list_chats(
        self,
        *,
        limit: int | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> ListResult[Chat]:
        """The workspace's chats, to find a ``chat_id``.

        Args:
            limit: at most this many chats (``pagination.limit``, 1 to 1000; that
                chats page like messages is inferred).
            params: more query parameters, passed as given (filters the API offers).
            timeout: this call's read timeout; None waits forever.
            max_retries: this call's retry budget.
            extra_headers: more headers for this call.
        """
        call = CallOverrides(timeout, max_retries, extra_headers)
        result: ListResult[Chat] = parse_response(
            self.request(rq.list_chats_options(limit, params, call)), ListResult[Chat]
        )
        return result

    def list_chat_threads(
        self,
        chat_id: str,
        *,
        limit: int | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> ListResult[ChatThread]:
        """The threads of a chat, to find a ``chat_thread_id``.

        Args:
            chat_id: the chat (a UUID; see `list_chats`).
            limit: at most this many threads (``pagination.limit``, 1 to 1000).
            timeout: this call's read timeout; None waits forever.
            max_retries: this call's retry budget.
            extra_headers: more headers for this call.
        """
        call = CallOverrides(timeout, max_retries, extra_headers)
        result: ListResult[ChatThread] = parse_response(
            self.request(rq.list_threads_options(chat_id, limit, call)), ListResult[ChatThread]
        )
        return result
