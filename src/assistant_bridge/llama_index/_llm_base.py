"""What the LlamaIndex LLMs share: typed callback decorators."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback

__all__ = ["chat_callback", "completion_callback"]

_F = TypeVar("_F", bound=Callable[..., Any])


def chat_callback(f: _F) -> _F:
    """LlamaIndex's ``llm_chat_callback`` (instrumentation, callbacks), keeping the type."""
    return cast("_F", llm_chat_callback()(f))


def completion_callback(f: _F) -> _F:
    """LlamaIndex's ``llm_completion_callback``, keeping the type."""
    return cast("_F", llm_completion_callback()(f))
