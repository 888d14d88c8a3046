"""assistant-bridge: the Unleash, Jylo and Zaia assistant APIs for LangChain and LlamaIndex.

This top-level package holds the vendor clients and the error tree only; it imports
neither LangChain nor LlamaIndex. The framework adapters live in
``assistant_bridge.langchain`` and ``assistant_bridge.llama_index`` (extras
``langchain`` and ``llama-index``). Importing the package loads the error tree only; each
client (with httpx and pydantic) loads on first use.
"""

from typing import TYPE_CHECKING

from ._lazy_imports import lazy_exports
from ._transport import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AssistantBridgeError,
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
from ._version import __version__

if TYPE_CHECKING:
    from .jylo import AsyncJyloClient, JyloAuth, JyloClient
    from .unleash import AsyncUnleashClient, SearchFilters, UnleashClient
    from .zaia import AsyncZaiaClient, ZaiaClient

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AssistantBridgeError",
    "AsyncJyloClient",
    "AsyncUnleashClient",
    "AsyncZaiaClient",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "EmptyAnswerError",
    "IncompleteAnswerError",
    "InternalServerError",
    "InvalidRequestError",
    "JyloAuth",
    "JyloClient",
    "NotFoundError",
    "PartialWriteError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedirectError",
    "SearchFilters",
    "StreamError",
    "StreamValidationError",
    "UnleashClient",
    "UnprocessableEntityError",
    "ZaiaClient",
    "__version__",
]

if not TYPE_CHECKING:
    # The vendor clients (and pydantic, which their models need) load on first use.
    __getattr__, __dir__ = lazy_exports(
        __name__,
        globals(),
        {
            ".jylo": ("AsyncJyloClient", "JyloAuth", "JyloClient"),
            ".unleash": ("AsyncUnleashClient", "SearchFilters", "UnleashClient"),
            ".zaia": ("AsyncZaiaClient", "ZaiaClient"),
        },
        submodules=("jylo", "unleash", "zaia"),
    )
