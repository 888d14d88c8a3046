"""The Unleash wire models: tolerant responses, strict requests."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from assistant_bridge.unleash._types_search import (
    AskRequest,
    AskResponse,
    FilterOptionsRequest,
    FilterOptionsResponse,
    FilterStatsRequest,
    FilterStatsResponse,
    ResourceContentResponse,
    SearchPaging,
    SearchRequest,
    SearchResponse,
    SearchSort,
    SortBy,
    SortOrder,
)
from assistant_bridge.unleash._types_v1 import (
    ChatEnterpriseSearchRequest,
    ChatEvent,
    ChatEventType,
    ChatMessageRequest,
    ChatRequest,
    MessagePart,
    MessagePartType,
    MessageRole,
    ProgressCode,
    Reference,
    Resource,
)
from assistant_bridge.unleash._types_v2 import (
    ChatV2Chunk,
    ChatV2Request,
    ToolStatus,
    WebSource,
)

RESOURCE_V1: dict[str, Any] = {
    "id": "res-1",
    "appId": "confluence",
    "type": "Page",
    "externalId": "12345",
    "name": "Onboarding guide",
    "data": {"space": "HR", "lastModified": "2025-01-02T03:04:05Z"},
}

FULL_V1: dict[str, Any] = {
    "type": "Full",
    "requestId": "req-1",
    "message": {
        "role": "Assistant",
        "parts": [
            {"type": "Text", "format": "markdown", "text": "See the guide"},
            {"type": "InlineReference", "indices": [0]},
            {"type": "Text", "format": "markdown", "text": "."},
        ],
    },
    "resources": [RESOURCE_V1],
    "references": [{"resourceId": "res-1"}],
    "threadId": "thr-1",
}

CHUNK_V2: dict[str, Any] = {
    "text": "Hello",
    "toolCalls": [
        {
            "id": "tc-1",
            "name": "enterprise_search",
            "type": "function",
            "callId": "call-1",
            "arguments": '{"query": "vacation policy"}',
        }
    ],
    "reference": {"referenceIds": ["res-1", "web-1"], "position": 5},
    "sources": {"sourcesIds": ["res-1"]},
    "tool": {
        "toolCallStatus": {"toolCallId": "tc-1", "status": "End"},
        "toolStep": {"stepDescription": "Searching Confluence", "toolId": "enterprise"},
        "response": {
            "name": "enterprise_search",
            "toolId": "enterprise",
            "resources": {
                "enterprise": {
                    "results": [
                        {**RESOURCE_V1, "title": "Guide", "subtitle": "HR", "url": "https://x/1"}
                    ]
                },
                "webSearch": {
                    "sources": [
                        {
                            "id": "web-1",
                            "url": "https://example.com/a",
                            "icon": "https://example.com/favicon.ico",
                            "title": "A page",
                            "siteName": "Example",
                            "description": "About things",
                        }
                    ]
                },
                "custom": {"tickets": [{"key": "HR-1"}]},
            },
        },
    },
    "requestId": "req-2",
}


# --- chat v1 responses -------------------------------------------------------------


def test_full_v1_event_parses_every_field() -> None:
    event = ChatEvent.model_validate(FULL_V1)
    assert event.type is ChatEventType.FULL
    assert event.request_id == "req-1"
    assert event.thread_id == "thr-1"
    assert event.role_value is MessageRole.ASSISTANT
    text, ref, dot = event.parts_list
    assert (text.type, text.format, text.text) == (
        MessagePartType.TEXT,
        "markdown",
        "See the guide",
    )
    assert ref.is_inline_reference
    assert ref.indices == [0]
    assert dot.is_text
    assert not dot.is_inline_reference
    resource = event.resources[0]
    assert resource.id == "res-1"
    assert resource.app_id == "confluence"
    assert resource.external_id == "12345"
    assert resource.data == {"space": "HR", "lastModified": "2025-01-02T03:04:05Z"}
    assert event.references == [Reference(resource_id="res-1")]


def test_v1_event_dumps_back_to_wire_form() -> None:
    event = ChatEvent.model_validate(FULL_V1)
    assert event.model_dump(by_alias=True, exclude_unset=True, mode="json") == FULL_V1


def test_message_event_with_top_level_role_and_parts() -> None:
    event = ChatEvent.model_validate(
        {"type": "Message", "role": "assistant", "parts": [{"type": "text", "text": "Hi"}]}
    )
    assert event.message is None
    assert event.role_value is MessageRole.ASSISTANT
    assert [p.text for p in event.parts_list] == ["Hi"]
    assert event.has_message


def test_nested_message_wins_over_top_level() -> None:
    event = ChatEvent.model_validate(
        {
            "type": "Message",
            "role": "User",
            "parts": [{"type": "Text", "text": "top"}],
            "message": {"role": "Assistant", "parts": [{"type": "Text", "text": "nested"}]},
        }
    )
    assert event.role_value is MessageRole.ASSISTANT
    assert [p.text for p in event.parts_list] == ["nested"]


def test_progress_codes_parse_case_insensitively_and_unknown_kept() -> None:
    assert ChatEvent.model_validate({"type": "Progress", "code": "WEB_SEARCH"}).code is (
        ProgressCode.WEB_SEARCH
    )
    event = ChatEvent.model_validate({"type": "progress", "code": "reading_files"})
    assert event.type is ChatEventType.PROGRESS
    assert event.code == "reading_files"
    assert not isinstance(event.code, ProgressCode)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("text", MessagePartType.TEXT),
        ("TEXT", MessagePartType.TEXT),
        ("Text", MessagePartType.TEXT),
        ("inlinereference", MessagePartType.INLINE_REFERENCE),
    ],
)
def test_part_type_is_case_insensitive(raw: str, expected: MessagePartType) -> None:
    part = MessagePart.model_validate({"type": raw})
    assert part.type is expected
    assert part.type == expected.value


def test_unknown_enum_values_are_kept_as_strings() -> None:
    event = ChatEvent.model_validate(
        {
            "type": "Thinking",
            "message": {"role": "Tool", "parts": [{"type": "Image", "url": "https://x/i.png"}]},
        }
    )
    assert event.type == "Thinking"
    assert not isinstance(event.type, ChatEventType)
    assert event.role_value == "Tool"
    assert not isinstance(event.role_value, MessageRole)
    part = event.parts_list[0]
    assert part.type == "Image"
    assert not part.is_text
    assert not part.is_inline_reference
    assert part.model_extra == {"url": "https://x/i.png"}


def test_unknown_fields_kept_and_dumped_by_alias() -> None:
    event = ChatEvent.model_validate(
        {"type": "Request", "requestId": "r", "traceId": "t-1", "serverTiming": {"ms": 3}}
    )
    assert event.model_extra == {"traceId": "t-1", "serverTiming": {"ms": 3}}
    assert getattr(event, "traceId") == "t-1"  # noqa: B009  (an extra field, read as an attribute)
    dumped = event.model_dump(by_alias=True, exclude_unset=True, mode="json")
    assert dumped == {
        "type": "Request",
        "requestId": "r",
        "traceId": "t-1",
        "serverTiming": {"ms": 3},
    }


def test_nulls_are_tolerated() -> None:
    event = ChatEvent.model_validate(
        {
            "type": None,
            "requestId": None,
            "message": {"role": None, "parts": None},
            "parts": None,
            "resources": None,
            "references": None,
            "threadId": None,
            "code": None,
        }
    )
    assert event.parts_list == []
    assert event.resources == []
    assert event.references == []
    assert event.role_value is None
    part = MessagePart.model_validate({"type": "InlineReference", "indices": None})
    assert part.indices == []
    assert Resource.model_validate({"id": None, "data": None}).data is None


def test_numbers_sent_as_strings_are_coerced() -> None:
    part = MessagePart.model_validate({"type": "InlineReference", "indices": ["0", 2]})
    assert part.indices == [0, 2]
    chunk = ChatV2Chunk.model_validate({"reference": {"referenceIds": ["a"], "position": "12"}})
    assert chunk.reference is not None
    assert chunk.reference.position == 12
    assert SearchResponse.model_validate({"totalResults": "42"}).total_results == 42


def test_typeless_part_is_classified_by_content() -> None:
    assert MessagePart.model_validate({"text": "x"}).is_text
    assert MessagePart.model_validate({"indices": [1]}).is_inline_reference
    assert not MessagePart.model_validate({}).is_text


# --- chat v1 requests --------------------------------------------------------------


def test_chat_request_serialises_camel_case_without_none() -> None:
    request = ChatRequest(
        messages=[ChatMessageRequest(role=MessageRole.USER, text="What is our vacation policy?")],
        assistant_id="asst-1",
        enterprise_search=ChatEnterpriseSearchRequest(filters={"appId": ["confluence"]}),
        stream=True,
    )
    assert request.to_wire() == {
        "messages": [{"role": "User", "text": "What is our vacation policy?"}],
        "assistantId": "asst-1",
        "enterpriseSearch": {"filters": {"appId": ["confluence"]}},
        "stream": True,
    }


def test_chat_request_accepts_wire_names_and_any_case_role() -> None:
    request = ChatRequest.model_validate(
        {
            "messages": [{"role": "user", "text": "hi"}, {"role": "ASSISTANT", "text": "yo"}],
            "threadId": "t",
        }
    )
    assert [m.role for m in request.messages] == [MessageRole.USER, MessageRole.ASSISTANT]
    assert request.to_wire()["messages"][0] == {"role": "User", "text": "hi"}
    assert request.to_wire()["threadId"] == "t"


def test_chat_request_rejects_bad_role_unknown_field_and_no_messages() -> None:
    with pytest.raises(ValidationError, match="role"):
        ChatMessageRequest.model_validate({"role": "bot", "text": "hi"})
    with pytest.raises(ValidationError, match="extra"):
        ChatMessageRequest.model_validate({"role": "User", "text": "hi", "content": "x"})
    with pytest.raises(ValidationError, match=r"assistant_?[iI]dd"):
        ChatRequest.model_validate(
            {"messages": [{"role": "User", "text": "x"}], "assistantIdd": "a"}
        )
    with pytest.raises(ValidationError, match="at least 1"):
        ChatRequest(messages=[])
    with pytest.raises(ValidationError):
        ChatRequest.model_validate({})


def test_chat_v2_request() -> None:
    request = ChatV2Request.model_validate(
        {
            "messages": [{"role": "system", "text": "Be brief"}, {"role": "User", "text": "Hi"}],
            "assistantId": "a",
        }
    )
    assert request.to_wire() == {
        "messages": [{"role": "System", "text": "Be brief"}, {"role": "User", "text": "Hi"}],
        "assistantId": "a",
    }
    with pytest.raises(ValidationError):
        ChatV2Request.model_validate({"messages": [{"role": "User", "text": "x"}], "stream": True})


# --- chat v2 -----------------------------------------------------------------------


def test_v2_chunk_parses_every_field() -> None:
    chunk = ChatV2Chunk.model_validate(CHUNK_V2)
    assert chunk.text == "Hello"
    assert chunk.request_id == "req-2"
    call = chunk.tool_calls[0]
    assert (call.id, call.name, call.type, call.call_id) == (
        "tc-1",
        "enterprise_search",
        "function",
        "call-1",
    )
    assert call.arguments == '{"query": "vacation policy"}'
    assert chunk.reference is not None
    assert chunk.reference.reference_ids == ["res-1", "web-1"]
    assert chunk.sources is not None
    assert chunk.sources.sources_ids == ["res-1"]
    tool = chunk.tool
    assert tool is not None
    assert tool.tool_call_status is not None
    assert tool.tool_call_status.status is ToolStatus.END
    assert tool.tool_step is not None
    assert tool.tool_step.step_description == "Searching Confluence"
    assert tool.response is not None
    assert tool.response.resources is not None
    resources = tool.response.resources
    assert resources.enterprise is not None
    result = resources.enterprise.results[0]
    assert (result.title, result.subtitle, result.url) == ("Guide", "HR", "https://x/1")
    assert resources.web_search is not None
    assert resources.web_search.sources[0] == WebSource(
        id="web-1",
        url="https://example.com/a",
        icon="https://example.com/favicon.ico",
        title="A page",
        site_name="Example",
        description="About things",
    )
    assert resources.custom == {"tickets": [{"key": "HR-1"}]}
    assert chunk.model_dump(by_alias=True, exclude_unset=True) == CHUNK_V2


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("start", ToolStatus.START), ("END", ToolStatus.END), ("Failed", ToolStatus.FAILED)],
)
def test_tool_status_case_insensitive(raw: str, expected: ToolStatus) -> None:
    chunk = ChatV2Chunk.model_validate({"tool": {"toolCallStatus": {"status": raw}}})
    assert chunk.tool is not None
    assert chunk.tool.tool_call_status is not None
    assert chunk.tool.tool_call_status.status is expected


def test_v2_unknown_status_and_fields_kept() -> None:
    chunk = ChatV2Chunk.model_validate(
        {
            "tool": {"toolCallStatus": {"toolCallId": "x", "status": "Cancelled"}, "elapsed": 3},
            "threadId": "thr-9",
            "usage": {"tokens": 10},
        }
    )
    assert chunk.tool is not None
    assert chunk.tool.tool_call_status is not None
    assert chunk.tool.tool_call_status.status == "Cancelled"
    assert chunk.tool.model_extra == {"elapsed": 3}
    assert chunk.thread_id == "thr-9"
    assert chunk.model_dump(by_alias=True, exclude_unset=True)["usage"] == {"tokens": 10}


def test_v2_nulls_and_empty_chunk() -> None:
    chunk = ChatV2Chunk.model_validate(
        {
            "text": None,
            "toolCalls": None,
            "reference": {"referenceIds": None, "position": None},
            "sources": {"sourcesIds": None},
            "tool": {
                "response": {
                    "resources": {
                        "enterprise": {"results": None},
                        "webSearch": {"sources": None},
                        "custom": None,
                    }
                }
            },
        }
    )
    assert chunk.tool_calls == []
    assert chunk.thread_id is None
    assert chunk.reference is not None
    assert chunk.reference.reference_ids == []
    assert chunk.sources is not None
    assert chunk.sources.sources_ids == []
    assert ChatV2Chunk.model_validate({}).text is None


# --- search ------------------------------------------------------------------------


def test_search_request_serialises_per_openapi() -> None:
    request = SearchRequest(
        query="vacation",
        filters={"appId": ["confluence"], "class": ["Page"]},
        content_search=True,
        semantic_search=False,
        sort=SearchSort.model_validate({"by": "recency", "order": "DESCENDING"}),
        paging=SearchPaging(size=10, next_token="tok"),
    )
    assert request.to_wire() == {
        "query": "vacation",
        "filters": {"appId": ["confluence"], "class": ["Page"]},
        "contentSearch": True,
        "semanticSearch": False,
        "sort": {"by": "Recency", "order": "Descending"},
        "paging": {"size": 10, "nextToken": "tok"},
    }
    assert SearchSort(by=SortBy.RELEVANCY, order=SortOrder.ASCENDING).to_wire() == {
        "by": "Relevancy",
        "order": "Ascending",
    }


def test_search_request_is_strict() -> None:
    with pytest.raises(ValidationError):
        SearchRequest.model_validate({"query": "x", "paging": {"pageSize": 10}})
    with pytest.raises(ValidationError):
        SearchSort.model_validate({"by": "Popularity"})
    with pytest.raises(ValidationError):
        SearchPaging(size=0)


def test_search_response_parses_and_pages() -> None:
    body = {
        "totalResults": 2,
        "results": [
            {"resource": RESOURCE_V1, "snippet": "...vacation...", "highlights": ["vacation"]},
            {"resource": {"id": "res-2"}, "snippet": None, "highlights": None, "score": 0.3},
        ],
        "paging": {"next": "page-2"},
        "requestId": "req-s",
    }
    response = SearchResponse.model_validate(body)
    assert response.total_results == 2
    assert response.request_id == "req-s"
    assert response.results[0].resource == Resource.model_validate(RESOURCE_V1)
    assert response.results[0].highlights == ["vacation"]
    assert response.results[1].highlights == []
    assert response.results[1].model_extra == {"score": 0.3}
    assert response.next_token == "page-2"
    assert SearchResponse.model_validate({"paging": {"next": None}}).next_token is None
    assert SearchResponse.model_validate({"results": None}).results == []


def test_filter_stats() -> None:
    body = {
        "availableFilters": {
            "appId": {"values": ["confluence", "slack"]},
            "type": None,
            "odd": ["not", "a", "map"],
        },
        "requestId": "req-f",
    }
    response = FilterStatsResponse.model_validate(body)
    assert response.filter_names == ["appId", "type", "odd"]
    assert response.available_filters["appId"] == {"values": ["confluence", "slack"]}
    assert response.available_filters["odd"] == ["not", "a", "map"]
    assert FilterStatsResponse.model_validate({"availableFilters": None}).available_filters == {}
    assert FilterStatsRequest(assistant_id="a").to_wire() == {"assistantId": "a"}


def test_filter_options_and_answers() -> None:
    assert FilterOptionsRequest(name="appId", limit=5).to_wire() == {"name": "appId", "limit": 5}
    with pytest.raises(ValidationError):
        FilterOptionsRequest(name="")
    options = FilterOptionsResponse.model_validate(
        {"options": [{"value": "slack", "data": {"count": 3}}]}
    )
    assert options.options[0].value == "slack"
    assert options.options[0].data == {"count": 3}
    assert AskRequest(query="q", filters={"appId": ["x"]}).to_wire() == {
        "query": "q",
        "filters": {"appId": ["x"]},
    }
    answer = AskResponse.model_validate(
        {"answer": "42", "references": [{"resource": {"id": "r"}}], "requestId": "q1"}
    )
    assert answer.references[0].resource == Resource(id="r")


def test_resource_content_text_joins_parts() -> None:
    response = ResourceContentResponse.model_validate(
        {"parts": [{"content": "First"}, {"content": None}, {"content": "Second"}], "x": 1}
    )
    assert response.text == "First\nSecond"
    assert ResourceContentResponse.model_validate({"parts": None}).text == ""
    assert ResourceContentResponse.model_validate({}).text == ""
