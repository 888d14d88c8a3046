"""LangChain integration (extra ``langchain``): chat models, retrievers, message histories.

`ChatUnleash` and `ChatJylo` (chat models with citations in ``content_blocks``),
`UnleashSearchRetriever` / `UnleashChatRetriever` and the self-query `UnleashTranslator`,
`JyloChatMessageHistory` / `ZaiaChatMessageHistory` for ``RunnableWithMessageHistory``,
agent tools (`UnleashSearchTool`, `UnleashAssistantTool`, `JyloAssistantTool`) and
`format_citations` (an answer as text with numbered sources).

Nothing here speaks HTTP: every class goes through the vendor clients, and client errors
reach LangChain as classes that are also langchain-core ``ModelError`` s.
"""

from typing import TYPE_CHECKING

try:
    import langchain_core  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "assistant_bridge.langchain needs langchain-core: pip install 'assistant-bridge[langchain]'"
    ) from exc

from .._lazy_imports import lazy_exports

if TYPE_CHECKING:
    from .._adapter_core import UnsupportedOperationError
    from ._assistant_tools import AssistantQuestion, JyloAssistantTool, UnleashAssistantTool
    from ._chat_jylo import ChatJylo
    from ._chat_unleash import ChatUnleash
    from ._citations import format_citations
    from ._content import documents_from_message
    from ._errors import (
        APIConnectionError,
        APIError,
        APIResponseValidationError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ConflictError,
        EmptyAnswerError,
        IncompleteAnswerError,
        InternalServerError,
        InvalidRequestError,
        NotFoundError,
        PartialWriteError,
        PermissionDeniedError,
        RateLimitError,
        RedirectError,
        StreamError,
        StreamValidationError,
        UnprocessableEntityError,
    )
    from ._histories import JyloChatMessageHistory, ZaiaChatMessageHistory
    from ._retrievers import UnleashChatRetriever, UnleashSearchRetriever
    from ._search_tool import UnleashSearchInput, UnleashSearchTool
    from ._self_query import UnleashTranslator

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AssistantQuestion",
    "AuthenticationError",
    "BadRequestError",
    "ChatJylo",
    "ChatUnleash",
    "ConflictError",
    "EmptyAnswerError",
    "IncompleteAnswerError",
    "InternalServerError",
    "InvalidRequestError",
    "JyloAssistantTool",
    "JyloChatMessageHistory",
    "NotFoundError",
    "PartialWriteError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedirectError",
    "StreamError",
    "StreamValidationError",
    "UnleashAssistantTool",
    "UnleashChatRetriever",
    "UnleashSearchInput",
    "UnleashSearchRetriever",
    "UnleashSearchTool",
    "UnleashTranslator",
    "UnprocessableEntityError",
    "UnsupportedOperationError",
    "ZaiaChatMessageHistory",
    "documents_from_message",
    "format_citations",
]

if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        globals(),
        {
            "assistant_bridge._adapter_core": ("UnsupportedOperationError",),
            "._assistant_tools": (
                "AssistantQuestion",
                "JyloAssistantTool",
                "UnleashAssistantTool",
            ),
            "._chat_jylo": ("ChatJylo",),
            "._chat_unleash": ("ChatUnleash",),
            "._citations": ("format_citations",),
            "._content": ("documents_from_message",),
            "._errors": (
                "APIConnectionError",
                "APIError",
                "APIResponseValidationError",
                "APIStatusError",
                "APITimeoutError",
                "AuthenticationError",
                "BadRequestError",
                "ConflictError",
                "EmptyAnswerError",
                "IncompleteAnswerError",
                "InternalServerError",
                "InvalidRequestError",
                "NotFoundError",
                "PartialWriteError",
                "PermissionDeniedError",
                "RateLimitError",
                "RedirectError",
                "StreamError",
                "StreamValidationError",
                "UnprocessableEntityError",
            ),
            "._histories": (
                "JyloChatMessageHistory",
                "ZaiaChatMessageHistory",
            ),
            "._retrievers": (
                "UnleashChatRetriever",
                "UnleashSearchRetriever",
            ),
            "._search_tool": (
                "UnleashSearchInput",
                "UnleashSearchTool",
            ),
            "._self_query": ("UnleashTranslator",),
        },
    )
