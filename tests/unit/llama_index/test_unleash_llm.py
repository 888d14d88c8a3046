"""The Unleash LlamaIndex LLM over mock transports: chat, complete, streams, async, errors."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CitationBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
)
from llama_index.core.callbacks import CallbackManager, CBEventType, LlamaDebugHandler
from llama_index.core.prompts import PromptTemplate
from llama_index.core.vector_stores.types import FilterOperator, MetadataFilter, MetadataFilters

from assistant_bridge import (
    AuthenticationError,
    InvalidRequestError,
    RateLimitError,
    SearchFilters,
)
from assistant_bridge.llama_index import Unleash, nodes_from_response
from assistant_bridge.unleash import ChatResponse as V1Response
from assistant_bridge.unleash import ChatV2Response

from ._unleash_mock import ANSWER, TEXT_1, TEXT_2, V1_TEXT, V2_CHUNKS, Server, sse_events

USER = ChatMessage(role=MessageRole.USER, content="Travel?")


def llm_for(server: Server, **kwargs: Any) -> Unleash:
    return Unleash(client=server.sync(), async_client=server.asyncio(), **kwargs)


def failing_server() -> Server:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError("the sync client must not be used by async methods")

    return Server(refuse)


def async_only(server: Server, **kwargs: Any) -> Unleash:
    return Unleash(client=failing_server().sync(), async_client=server.asyncio(), **kwargs)


def citations(response: ChatResponse) -> list[CitationBlock]:
    return [b for b in response.message.blocks if isinstance(b, CitationBlock)]


def check_v2_answer(response: ChatResponse) -> None:
    assert response.message.role == MessageRole.ASSISTANT
    assert response.message.content == ANSWER
    first, *rest = response.message.blocks
    assert isinstance(first, TextBlock)
    assert first.text == ANSWER
    assert all(isinstance(b, CitationBlock) for b in rest)
    blocks = citations(response)
    assert [(b.source, b.title, b.additional_location_info) for b in blocks] == [
        (
            "https://wiki.example/travel",
            "Travel policy",
            {"start_index": 0, "end_index": len(TEXT_1), "source_index": 0},
        ),
        (
            "https://wiki.example/travel",
            "Travel policy",
            {"start_index": len(TEXT_1) + 1, "end_index": len(ANSWER), "source_index": 0},
        ),
        (
            "https://example.org/fares",
            "Fare classes",
            {"start_index": len(TEXT_1) + 1, "end_index": len(ANSWER), "source_index": 1},
        ),
    ]
    for block in blocks:
        info = block.additional_location_info
        assert isinstance(block.cited_content, TextBlock)
        assert block.cited_content.text == ANSWER[info["start_index"] : info["end_index"]]
    sources = response.additional_kwargs["sources"]
    assert [s["metadata"]["id"] for s in sources] == ["r1", "w1", "r2"]
    assert response.message.additional_kwargs == {"request_id": "req-2"}, "no thread id is invented"
    kwargs = response.additional_kwargs
    assert "thread_id" not in kwargs
    assert (kwargs["request_id"], kwargs["model"], kwargs["api_version"]) == (
        "req-2",
        "unleash-assistant",
        "v2",
    )
    assert kwargs["tool_steps"][0]["status"] == "End"
    assert isinstance(response.raw, ChatV2Response)
    assert response.raw.thread_id is None


# -- construction ---------------------------------------------------------------------------


def test_construction_needs_no_key_and_the_first_call_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("UNLEASH_API_KEY", raising=False)
    llm = Unleash()
    with pytest.raises(InvalidRequestError, match="UNLEASH_API_KEY"):
        llm.chat([USER])


def test_connection_fields_default_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNLEASH_API_KEY", "env-key-1234")
    monkeypatch.setenv("UNLEASH_BASE_URL", "https://tenant.example")
    monkeypatch.setenv("UNLEASH_ACCOUNT", "alice@example.com")
    monkeypatch.setenv("UNLEASH_ASSISTANT_ID", "asst-9")
    llm = Unleash()
    assert llm.api_key is not None
    assert llm.api_key.get_secret_value() == "env-key-1234"
    assert (llm.base_url, llm.account, llm.assistant_id) == (
        "https://tenant.example",
        "alice@example.com",
        "asst-9",
    )
    assert "env-key-1234" not in repr(llm)
    assert "api_key" not in llm.to_dict()


def test_metadata_is_a_chat_model_with_the_documented_context_window() -> None:
    meta = Unleash(api_key="k-123456").metadata
    assert meta.is_chat_model is True
    assert meta.is_function_calling_model is False
    assert (meta.context_window, meta.num_output, meta.model_name) == (
        8192,
        1024,
        "unleash-assistant",
    )
    assert (
        Unleash(api_key="k-123456", model="kb-bot", context_window=32000).metadata.context_window
        == 32000
    )
    assert Unleash.class_name() == "Unleash_LLM"


def test_filters_with_v2_are_refused_at_construction() -> None:
    with pytest.raises(InvalidRequestError, match="chat v2 takes no filters") as info:
        Unleash(api_key="k-123456", filters={"app_id": "jira"})
    assert info.value.field == "filters"


def test_filters_are_parsed_and_metadata_filters_translated() -> None:
    meta = MetadataFilters(
        filters=[MetadataFilter(key="app_id", value=["jira", "slack"], operator=FilterOperator.IN)]
    )
    llm = Unleash(api_key="k-123456", api_version="v1", filters=meta)
    assert llm.filters == SearchFilters(app_id=["jira", "slack"])
    with pytest.raises(InvalidRequestError, match="app_idx"):
        Unleash(api_key="k-123456", api_version="v1", filters={"app_idx": "jira"})


# -- chat -------------------------------------------------------------------------------------


def test_chat_maps_roles_and_returns_text_with_citation_blocks() -> None:
    server = Server()
    messages = [
        ChatMessage(role=MessageRole.SYSTEM, content="Be brief"),
        ChatMessage(role=MessageRole.USER, content="Travel?"),
        ChatMessage(role=MessageRole.ASSISTANT, content="Which part?"),
        ChatMessage(role=MessageRole.DEVELOPER, content="Cite sources"),
        ChatMessage(role=MessageRole.CHATBOT, content="Ok"),
        ChatMessage(
            role=MessageRole.USER, blocks=[TextBlock(text="Class"), TextBlock(text="and fares")]
        ),
    ]
    response = llm_for(server, assistant_id="asst-1").chat(messages)
    assert server.paths() == ["/chats/v2"]
    assert server.requests[0].headers["accept"] == "text/event-stream, application/json;q=0.9"
    assert server.bodies[0] == {
        "messages": [
            {"role": "System", "text": "Be brief"},
            {"role": "User", "text": "Travel?"},
            {"role": "Assistant", "text": "Which part?"},
            {"role": "System", "text": "Cite sources"},
            {"role": "Assistant", "text": "Ok"},
            {"role": "User", "text": "Class\nand fares"},
        ],
        "assistantId": "asst-1",
    }
    check_v2_answer(response)


def test_thread_id_per_call_continues_a_thread_without_changing_the_instance() -> None:
    server = Server()
    llm = llm_for(server)
    first = llm.chat([USER])
    llm.chat([USER, first.message, USER], thread_id="th-mine", assistant_id="asst-2")
    llm.chat([USER])
    assert [b.get("threadId") for b in server.bodies] == [None, "th-mine", None]
    assert [len(b["messages"]) for b in server.bodies] == [1, 3, 1], "the history is sent"
    assert [b.get("assistantId") for b in server.bodies] == [None, "asst-2", None]
    assert llm.assistant_id is None


def test_an_answer_kept_in_memory_can_be_sent_back() -> None:
    server = Server()
    llm = llm_for(server)
    answer = llm.chat([USER]).message
    llm.chat([USER, answer, ChatMessage(role=MessageRole.USER, content="More?")])
    assert server.bodies[1]["messages"][1] == {"role": "Assistant", "text": ANSWER}


def test_v1_chat_sends_filters_and_gives_citations_from_resources() -> None:
    server = Server()
    llm = llm_for(server, api_version="v1", filters={"app_id": "jira"})
    meta = MetadataFilters(
        filters=[MetadataFilter(key="created", value="2025-01-01", operator=FilterOperator.GTE)]
    )
    response = llm.chat([USER], filters=meta, timeout=5, max_retries=0)
    assert server.paths() == ["/chats"]
    body = server.bodies[0]
    assert body["enterpriseSearch"] == {
        "filters": {"appId": ["jira"], "createAfterTime": "2025-01-01T00:00:00Z"}
    }
    assert body["stream"] is False
    assert response.message.content == V1_TEXT
    [block] = citations(response)
    assert (block.source, block.title) == ("https://jira.example/TRAVEL-1", "TRAVEL-1")
    assert block.additional_location_info == {
        "start_index": 0,
        "end_index": len(V1_TEXT),
        "source_index": 0,
    }
    assert response.message.additional_kwargs == {"thread_id": "th-1", "request_id": "req-1"}
    assert response.additional_kwargs["api_version"] == "v1"
    assert isinstance(response.raw, V1Response)
    llm.chat([USER], filters={"app_id": "slack"})
    assert server.bodies[1]["enterpriseSearch"]["filters"] == {"appId": ["slack"]}


# -- bad input: errors before any request ----------------------------------------------------


@pytest.mark.parametrize("role", [MessageRole.TOOL, MessageRole.FUNCTION])
def test_tool_and_function_messages_are_refused_before_any_request(role: MessageRole) -> None:
    server = Server()
    with pytest.raises(InvalidRequestError, match="cannot be sent to Unleash") as info:
        llm_for(server).chat([USER, ChatMessage(role=role, content="42")])
    assert info.value.field == "messages[1].role"
    assert server.requests == []


def test_non_text_blocks_are_refused_before_any_request() -> None:
    server = Server()
    message = ChatMessage(
        role=MessageRole.USER,
        blocks=[TextBlock(text="Look"), ImageBlock(url="https://x.test/a.png")],
    )
    with pytest.raises(InvalidRequestError, match="'image' block cannot be sent") as info:
        list(llm_for(server).stream_chat([message]))
    assert info.value.field == "messages[0].blocks[1]"
    assert server.requests == []


def test_empty_conversations_and_empty_messages_are_refused() -> None:
    server = Server()
    llm = llm_for(server)
    with pytest.raises(InvalidRequestError, match="at least one message"):
        llm.chat([])
    with pytest.raises(InvalidRequestError, match="no text"):
        llm.chat([ChatMessage(role=MessageRole.USER, content="  ")])
    with pytest.raises(InvalidRequestError, match="ChatMessage"):
        llm.chat([{"role": "user", "content": "hi"}])  # type: ignore[list-item]
    assert server.requests == []


def test_unknown_keywords_and_v2_filters_are_refused() -> None:
    server = Server()
    llm = llm_for(server)
    with pytest.raises(InvalidRequestError, match="did you mean thread_id") as info:
        llm.chat([USER], thread="th-1")
    assert info.value.suggestions == ["thread_id"]
    with pytest.raises(InvalidRequestError, match="v2 takes no filters"):
        llm.chat([USER], filters={"app_id": "jira"})
    assert server.requests == []


# -- vendor errors pass through ------------------------------------------------------------------


def test_vendor_errors_pass_through_unchanged() -> None:
    server = Server(lambda r: httpx.Response(401, json={"title": "Unauthorized", "status": 401}))
    llm = llm_for(server)
    with pytest.raises(AuthenticationError) as info:
        llm.chat([USER])
    assert type(info.value) is AuthenticationError
    with pytest.raises(AuthenticationError):
        list(llm.stream_chat([USER]))


async def test_async_vendor_errors_pass_through_unchanged() -> None:
    server = Server(lambda r: httpx.Response(429, json={"title": "Too many", "status": 429}))
    llm = async_only(server, max_retries=0)
    with pytest.raises(RateLimitError):
        await llm.achat([USER], max_retries=0)
    stream = await llm.astream_complete("Travel?", max_retries=0)
    with pytest.raises(RateLimitError):
        [r async for r in stream]


# -- complete -------------------------------------------------------------------------------------


def test_complete_asks_one_user_message_and_puts_citations_in_kwargs() -> None:
    server = Server()
    llm = llm_for(server, completion_to_prompt=lambda p: f"Q: {p}")
    response = llm.complete("Travel?")
    assert server.bodies[0]["messages"] == [{"role": "User", "text": "Q: Travel?"}]
    assert response.text == ANSWER
    assert response.additional_kwargs["request_id"] == "req-2"
    assert [c["end_index"] for c in response.additional_kwargs["citations"]] == [
        len(TEXT_1),
        len(ANSWER),
        len(ANSWER),
    ]
    assert response.additional_kwargs["citations"][0] == {
        "source": "https://wiki.example/travel",
        "title": "Travel policy",
        "cited_text": TEXT_1,
        "start_index": 0,
        "end_index": len(TEXT_1),
        "source_index": 0,
    }
    assert isinstance(response.raw, ChatV2Response)
    llm.complete("raw", formatted=True)
    assert server.bodies[1]["messages"] == [{"role": "User", "text": "raw"}]


def test_predict_goes_through_chat() -> None:
    server = Server()
    output = llm_for(server).predict(PromptTemplate("Tell me about {topic}"), topic="travel")
    assert output == ANSWER
    assert server.bodies[0]["messages"] == [{"role": "User", "text": "Tell me about travel"}]


# -- streaming -------------------------------------------------------------------------------------


def test_stream_chat_yields_deltas_as_events_arrive_then_the_whole_answer() -> None:
    server = Server()
    stream = llm_for(server).stream_chat([USER])
    assert server.requests == []  # sent when iteration starts
    first = next(stream)
    assert first.delta == "Book economy"
    assert first.message.content == "Book economy"
    assert len(server.sent) < len(V2_CHUNKS)  # later events were not produced yet
    rest = list(stream)
    deltas = [first.delta, *(r.delta for r in rest)]
    assert deltas == ["Book economy", " for short trips.", TEXT_2, ""]
    assert "".join(d or "" for d in deltas) == ANSWER
    assert rest[1].message.content == ANSWER
    assert server.requests[0].headers["accept"].startswith("text/event-stream")
    check_v2_answer(rest[-1])


def test_stream_of_cumulative_text_gives_deltas() -> None:
    # With an inferred (extended-dialect) threadId: read when the vendor sends one.
    chunks = [
        {"threadId": "th-c"},
        {"text": "Hello"},
        {"text": "Hello wor"},
        {"text": "Hello world."},
    ]
    server = Server(lambda r: server.stream(sse_events(chunks)))
    responses = list(llm_for(server, text_mode="snapshot").stream_chat([USER]))
    assert [r.delta for r in responses] == ["Hello", " wor", "ld.", ""]
    assert responses[-1].message.additional_kwargs["thread_id"] == "th-c"


def test_v1_stream_and_a_full_event_without_streamed_text() -> None:
    server = Server()
    responses = list(llm_for(server, api_version="v1").stream_chat([USER]))
    assert [r.delta for r in responses] == [V1_TEXT, ""]
    assert len(citations(responses[-1])) == 1
    full_only = [
        {
            "type": "Full",
            "threadId": "th-f",
            "message": {"role": "Assistant", "parts": [{"type": "Text", "text": "All at once."}]},
        }
    ]
    body = "".join(f"data: {json.dumps(e)}\n" for e in full_only).encode()
    other = Server(
        lambda r: httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})
    )
    [last] = list(llm_for(other, api_version="v1").stream_chat([USER]))
    assert (last.delta, last.message.content) == ("All at once.", "All at once.")


def test_stream_complete_yields_text_so_far_and_deltas() -> None:
    server = Server()
    responses = list(llm_for(server).stream_complete("Travel?"))
    assert [r.delta for r in responses] == ["Book economy", " for short trips.", TEXT_2, ""]
    assert [r.text for r in responses][1] == TEXT_1
    assert responses[-1].text == ANSWER
    assert len(responses[-1].additional_kwargs["citations"]) == 3


def test_closing_a_stream_early_closes_the_response() -> None:
    server = Server()
    stream = llm_for(server).stream_chat([USER])
    next(stream)
    stream.close()
    assert len(server.sent) < len(V2_CHUNKS)


# -- async ------------------------------------------------------------------------------------------


async def test_achat_uses_the_async_client() -> None:
    server = Server()
    response = await async_only(server).achat([USER], thread_id="th-2")
    assert server.bodies[0]["threadId"] == "th-2"
    check_v2_answer(response)


async def test_astream_chat_yields_deltas_then_the_whole_answer() -> None:
    server = Server()
    stream = await async_only(server).astream_chat([USER])
    responses = [r async for r in stream]
    assert [r.delta for r in responses] == ["Book economy", " for short trips.", TEXT_2, ""]
    check_v2_answer(responses[-1])


async def test_acomplete_and_astream_complete_use_the_async_client() -> None:
    server = Server()
    llm = async_only(server, api_version="v1")
    response = await llm.acomplete("Travel?")
    assert response.text == V1_TEXT
    assert response.additional_kwargs["thread_id"] == "th-1"
    stream = await llm.astream_complete("Travel?")
    deltas = [r.delta async for r in stream]
    assert deltas == [V1_TEXT, ""]
    assert server.paths() == ["/chats", "/chats"]


async def test_async_calls_without_an_async_client_say_what_to_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("UNLEASH_API_KEY", raising=False)
    llm = Unleash(client=Server().sync())
    with pytest.raises(InvalidRequestError, match="async_client="):
        await llm.achat([USER])


# -- instrumentation and nodes ----------------------------------------------------------------------


def test_callback_handlers_see_chat_stream_and_completion() -> None:
    handler = LlamaDebugHandler()
    server = Server()
    llm = llm_for(server, callback_manager=CallbackManager([handler]))
    llm.chat([USER])
    list(llm.stream_chat([USER]))
    llm.complete("Travel?")
    pairs = handler.get_event_pairs(CBEventType.LLM)
    assert len(pairs) == 3
    end = pairs[0][1].payload
    assert end is not None
    assert any(isinstance(v, ChatResponse) and v.message.content == ANSWER for v in end.values())


def test_nodes_from_response_have_the_sources_and_shared_metadata() -> None:
    response = llm_for(Server()).chat([USER])
    nodes = nodes_from_response(response)
    assert [n.node.node_id for n in nodes] == ["r1", "w1", "r2"]
    first = nodes[0].node
    assert first.metadata["citations"][0] == {
        "start_index": 0,
        "end_index": len(TEXT_1),
        "cited_text": TEXT_1,
    }
    assert first.metadata == response.additional_kwargs["sources"][0]["metadata"]
    assert "citations" not in first.get_content(metadata_mode="llm")  # type: ignore[arg-type]
    assert "Travel policy" in first.get_content(metadata_mode="llm")  # type: ignore[arg-type]


# -- packaging ------------------------------------------------------------------------------------------


def test_a_missing_llama_index_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib
    import sys

    for name in [m for m in sys.modules if m.startswith("assistant_bridge.llama_index")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "llama_index.core", None)
    with pytest.raises(ImportError, match=r"assistant-bridge\[llama-index\]"):
        importlib.import_module("assistant_bridge.llama_index")


def test_the_adapter_imports_neither_langchain_nor_httpx_directly() -> None:
    import subprocess
    import sys
    from pathlib import Path

    code = "import sys, assistant_bridge.llama_index; print(sorted({m.split('.')[0] for m in sys.modules if m.startswith('langchain')}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    package = Path(__file__).parents[3] / "src" / "assistant_bridge" / "llama_index"
    for module in package.glob("*.py"):
        assert "import httpx" not in module.read_text(), module.name
