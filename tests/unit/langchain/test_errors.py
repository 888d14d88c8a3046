"""Vendor errors reaching LangChain (``langchain/_errors.py``): each is also the framework's error type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from langchain_core.exceptions import ModelError

import assistant_bridge
import assistant_bridge.langchain
from assistant_bridge import UnleashClient
from assistant_bridge.langchain._errors import may_have_acted, retry_safe, to_model_error


def client(handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any) -> UnleashClient:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return UnleashClient(
        "key-123456", base_url="https://u.test", http_client=http, _sleep=lambda s: None, **kwargs
    )


@pytest.mark.parametrize(("status", "retryable"), [(408, True), (409, False), (413, False)])
def test_every_status_error_reaches_langchain_as_a_model_error(
    status: int, retryable: bool
) -> None:
    failing = client(lambda r: httpx.Response(status, json={"title": "x"}), max_retries=0)
    with pytest.raises(assistant_bridge.APIStatusError) as info:
        failing.search("q")
    twin = to_model_error(info.value)
    assert isinstance(twin, ModelError)
    assert isinstance(twin, assistant_bridge.APIStatusError)
    assert twin.is_retryable is retryable


BAD_SHAPE_STREAM = b'data: {"text": "Hello"}\n\ndata: {"text": ["not", "text"]}\n\n'


def test_a_body_of_the_wrong_shape_reaches_langchain_as_a_never_retried_model_error() -> None:
    failing = client(lambda r: httpx.Response(200, json={"totalResults": "many"}), max_retries=0)
    with pytest.raises(assistant_bridge.APIResponseValidationError) as info:
        failing.search("q")
    twin = to_model_error(info.value)
    assert type(twin) is assistant_bridge.langchain.APIResponseValidationError
    assert isinstance(twin, ModelError)
    assert isinstance(twin, assistant_bridge.APIResponseValidationError)
    assert "totalResults" in str(twin)
    assert twin.is_retryable is False
    assert retry_safe(info.value) is False


def test_a_malformed_event_of_a_posted_chat_may_have_acted_so_it_is_never_repeated() -> None:
    headers = {"content-type": "text/event-stream"}
    answering = client(lambda r: httpx.Response(200, content=BAD_SHAPE_STREAM, headers=headers))
    with pytest.raises(assistant_bridge.APIResponseValidationError) as info:
        list(answering.stream_chat_v2([{"role": "user", "content": "hi"}]))
    assert may_have_acted(info.value) is True
    twin = to_model_error(info.value)
    assert isinstance(twin, assistant_bridge.langchain.StreamValidationError)
    assert isinstance(twin, assistant_bridge.langchain.StreamError)  # as before the typed error
    assert isinstance(twin, assistant_bridge.APIResponseValidationError)
    assert isinstance(twin, ModelError)
    assert "text" in str(twin)
    assert twin.may_have_acted is True
    assert twin.is_retryable is False
    assert retry_safe(info.value) is False
