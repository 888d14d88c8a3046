"""The Zaia chat-messages API: clients, wire models and input checks.

`ZaiaClient` / `AsyncZaiaClient` list a chat's messages (filtered by thread or ticket,
with related objects joined), append messages (with an opt-in splitter for text over the
4000-character limit), start an export of a period's messages to a public ``https://``
callback, and list chats and chat threads so you can find their ids. Zaia is a data API
for conversations, not a text-generation API.

Seed 004 (the vendor's reference) documents the three chat-message endpoints; the chats
and chat-threads endpoints and ``pagination.limit`` come from API-NOTES, without field
lists. What the clients infer beyond that (role and join names, list encodings, the
undocumented ``pagination.offset``, list wrappers) is said where it is used, and the
emulator's ``documented`` dialect serves none of it.

For the adapters' history stores: `PageWalk` / `PageRequest` / `item_key` walk a list
page by page (`MAX_LIMIT` items at most per page), and `message_bodies` checks and
splits a message into the bodies to post.
"""

from typing import TYPE_CHECKING

from .._lazy_imports import lazy_exports

if TYPE_CHECKING:
    from ._async_client import AsyncZaiaClient
    from ._client import ZaiaClient, message_bodies
    from ._paging import PageRequest, PageWalk, item_key
    from ._requests import DEFAULT_BASE_URL, MAX_LIMIT
    from ._types import Chat, ChatMessage, ChatRole, ChatThread, ExportStarted, Language, ListResult
    from ._validation import MAX_CONTENT_LENGTH, check_callback_url, split_content, system_resolver

__all__ = [
    "DEFAULT_BASE_URL",
    "MAX_CONTENT_LENGTH",
    "MAX_LIMIT",
    "AsyncZaiaClient",
    "Chat",
    "ChatMessage",
    "ChatRole",
    "ChatThread",
    "ExportStarted",
    "Language",
    "ListResult",
    "PageRequest",
    "PageWalk",
    "ZaiaClient",
    "check_callback_url",
    "item_key",
    "message_bodies",
    "split_content",
    "system_resolver",
]

if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        globals(),
        {
            "._async_client": ("AsyncZaiaClient",),
            "._validation": (
                "MAX_CONTENT_LENGTH",
                "check_callback_url",
                "split_content",
                "system_resolver",
            ),
            "._client": (
                "ZaiaClient",
                "message_bodies",
            ),
            "._paging": (
                "PageRequest",
                "PageWalk",
                "item_key",
            ),
            "._requests": (
                "DEFAULT_BASE_URL",
                "MAX_LIMIT",
            ),
            "._types": (
                "Chat",
                "ChatMessage",
                "ChatRole",
                "ChatThread",
                "ExportStarted",
                "Language",
                "ListResult",
            ),
        },
    )
