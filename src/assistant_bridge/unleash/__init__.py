"""The Unleash enterprise-search assistant API: clients, wire models, filters, assembly.

`UnleashClient` / `AsyncUnleashClient` call chat v1 (``POST /chats``), chat v2
(``POST /chats/v2``), search, one-shot answers (``POST /answers``), filter stats, filter
values (``POST /filters``) and resource content. `SearchFilters` is the
typed filter model; `assemble_chat` / `assemble_chat_v2` turn streamed events into the
same final objects the non-streaming calls return. Text pieces are joined exactly
(``text_mode="delta"``) unless the caller says they are cumulative
(``text_mode="snapshot"``); an answer known to be unfinished raises
`IncompleteAnswerError` (an empty one `EmptyAnswerError`) unless ``allow_partial=True``.
"""

from typing import TYPE_CHECKING

from .._lazy_imports import lazy_exports

if TYPE_CHECKING:
    from ._assemble import ChatAssembler, ChatV2Assembler, assemble_chat, assemble_chat_v2
    from ._async_client import AsyncUnleashClient
    from ._client import UnleashClient
    from ._completeness import TEXT_MODES, TextMode
    from ._filters import FILTER_FIELDS, TIME_FIELD_PAIRS, FilterField, SearchFilters
    from ._messages import ROLES, normalize_messages
    from ._requests import DEFAULT_BASE_URL
    from ._types_search import (
        AnswerReference,
        AskResponse,
        FilterOption,
        FilterOptionsResponse,
        FilterStatsResponse,
        ResourceContentPart,
        ResourceContentResponse,
        SearchResponse,
        SearchResult,
        SortBy,
        SortOrder,
    )
    from ._types_v1 import (
        ChatEvent,
        ChatEventType,
        ChatMessageRequest,
        ChatResponse,
        Citation,
        MessagePart,
        MessagePartType,
        MessageRole,
        ProgressCode,
        Reference,
        Resource,
    )
    from ._types_v2 import (
        ChatV2Chunk,
        ChatV2Citation,
        ChatV2Reference,
        ChatV2Response,
        Sources,
        Tool,
        ToolCall,
        ToolCallStatus,
        ToolResources,
        ToolStatus,
        ToolStep,
        ToolStepRecord,
        WebSource,
    )

__all__ = [
    "DEFAULT_BASE_URL",
    "FILTER_FIELDS",
    "ROLES",
    "TEXT_MODES",
    "TIME_FIELD_PAIRS",
    "AnswerReference",
    "AskResponse",
    "AsyncUnleashClient",
    "ChatAssembler",
    "ChatEvent",
    "ChatEventType",
    "ChatMessageRequest",
    "ChatResponse",
    "ChatV2Assembler",
    "ChatV2Chunk",
    "ChatV2Citation",
    "ChatV2Reference",
    "ChatV2Response",
    "Citation",
    "FilterField",
    "FilterOption",
    "FilterOptionsResponse",
    "FilterStatsResponse",
    "MessagePart",
    "MessagePartType",
    "MessageRole",
    "ProgressCode",
    "Reference",
    "Resource",
    "ResourceContentPart",
    "ResourceContentResponse",
    "SearchFilters",
    "SearchResponse",
    "SearchResult",
    "SortBy",
    "SortOrder",
    "Sources",
    "TextMode",
    "Tool",
    "ToolCall",
    "ToolCallStatus",
    "ToolResources",
    "ToolStatus",
    "ToolStep",
    "ToolStepRecord",
    "UnleashClient",
    "WebSource",
    "assemble_chat",
    "assemble_chat_v2",
    "normalize_messages",
]

if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        globals(),
        {
            "._assemble": (
                "ChatAssembler",
                "ChatV2Assembler",
                "assemble_chat",
                "assemble_chat_v2",
            ),
            "._async_client": ("AsyncUnleashClient",),
            "._client": ("UnleashClient",),
            "._completeness": (
                "TEXT_MODES",
                "TextMode",
            ),
            "._filters": (
                "FILTER_FIELDS",
                "TIME_FIELD_PAIRS",
                "FilterField",
                "SearchFilters",
            ),
            "._messages": (
                "ROLES",
                "normalize_messages",
            ),
            "._requests": ("DEFAULT_BASE_URL",),
            "._types_search": (
                "AnswerReference",
                "AskResponse",
                "FilterOption",
                "FilterOptionsResponse",
                "FilterStatsResponse",
                "ResourceContentPart",
                "ResourceContentResponse",
                "SearchResponse",
                "SearchResult",
                "SortBy",
                "SortOrder",
            ),
            "._types_v1": (
                "ChatEvent",
                "ChatEventType",
                "ChatMessageRequest",
                "ChatResponse",
                "Citation",
                "MessagePart",
                "MessagePartType",
                "MessageRole",
                "ProgressCode",
                "Reference",
                "Resource",
            ),
            "._types_v2": (
                "ChatV2Chunk",
                "ChatV2Citation",
                "ChatV2Reference",
                "ChatV2Response",
                "Sources",
                "Tool",
                "ToolCall",
                "ToolCallStatus",
                "ToolResources",
                "ToolStatus",
                "ToolStep",
                "ToolStepRecord",
                "WebSource",
            ),
        },
    )
