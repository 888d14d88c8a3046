"""Vendor errors reaching LangChain (``langchain/_errors.py``): each is also the framework's error type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from langchain_core.exceptions import ModelError

import assistant_bridge
from assistant_bridge import UnleashClient
from assistant_bridge.langchain._errors import to_model_error


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
