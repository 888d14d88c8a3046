"""The adapter core's per-call options: keyword checks, filter merging, the v1/v2 choice."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from assistant_bridge import InvalidRequestError
from assistant_bridge._adapter_core import (
    TIME_BOUNDS,
    RetrievalOptions,
    UnleashChatCall,
    check_v2_filters,
    filter_name,
    filter_text,
    jylo_call,
    merge_filters,
    reject_unknown,
)
from assistant_bridge.unleash import SearchFilters

KNOWN = ("thread_id", "assistant_id", "filters", "timeout", "max_retries", "allow_partial")


class Chat(SimpleNamespace):
    """Stands for a chat model: `UnleashChatCall.of` reads its settings and class name."""


def chat(**settings: Any) -> Chat:
    defaults: dict[str, Any] = {
        "api_version": "v1",
        "assistant_id": "a-default",
        "filters": None,
        "allow_partial": False,
        "text_mode": "delta",
    }
    return Chat(**{**defaults, **settings})


# -- unknown keywords --------------------------------------------------------------------


def test_an_unknown_keyword_names_the_nearest_and_every_known_one() -> None:
    with pytest.raises(InvalidRequestError) as info:
        reject_unknown({"thread": "t1"}, KNOWN, "ChatUnleash")
    assert info.value.message == (
        "thread: not an argument of ChatUnleash calls; did you mean thread_id? (known: "
        "thread_id, assistant_id, filters, timeout, max_retries, allow_partial)"
    )
    assert info.value.field == "thread"
    assert info.value.suggestions == ["thread_id"]


def test_known_keywords_pass() -> None:
    reject_unknown({"thread_id": "t", "timeout": 3}, KNOWN, "ChatUnleash")


def test_a_keyword_far_from_every_name_has_no_hint() -> None:
    with pytest.raises(InvalidRequestError) as info:
        reject_unknown({"zzzz": 1}, KNOWN, "Unleash")
    assert info.value.message.startswith("zzzz: not an argument of Unleash calls (known: ")
    assert info.value.suggestions == []


# -- filters -----------------------------------------------------------------------------


def test_filters_merge_in_order_the_later_winning_and_none_skipped() -> None:
    base = SearchFilters(app_id=["jira"], type=["ticket"])
    merged = merge_filters(base, None, SearchFilters(app_id=["confluence"]))
    assert merged is not None
    assert merged.to_wire() == {"appId": ["confluence"], "type": ["ticket"]}
    assert merge_filters(None, None) is None
    only = SearchFilters(type=["page"])
    assert merge_filters(None, only) is only


def test_filters_on_a_v2_adapter_are_refused_with_the_alternative() -> None:
    with pytest.raises(InvalidRequestError) as info:
        check_v2_filters("v2", {"app_id": ["jira"]}, "UnleashSearchRetriever")
    assert info.value.message == (
        "filters: Unleash chat v2 takes no filters; use api_version='v1' for filtered chat, "
        "or UnleashSearchRetriever"
    )
    check_v2_filters("v1", {"app_id": ["jira"]}, "UnleashSearchRetriever")
    check_v2_filters("v2", None, "UnleashSearchRetriever")


# -- one Unleash chat call ---------------------------------------------------------------


def test_a_v1_call_merges_its_filters_over_the_adapters() -> None:
    adapter = chat(filters=SearchFilters(app_id=["jira"], type=["ticket"]))
    call = UnleashChatCall.of(
        {"filters": {"app_id": ["confluence"]}, "thread_id": "t1", "timeout": 5}, adapter, KNOWN
    )
    assert call.api_version == "v1"
    assert dict(call.args) == {
        "assistant_id": "a-default",
        "thread_id": "t1",
        "timeout": 5,
        "filters": SearchFilters(app_id=["confluence"], type=["ticket"]),
    }
    assert (call.allow_partial, call.text_mode) == (False, "delta")


def test_a_v2_call_takes_no_filters_and_sends_none() -> None:
    adapter = chat(api_version="v2")
    with pytest.raises(InvalidRequestError, match="chat v2 takes no filters") as info:
        UnleashChatCall.of({"filters": {"app_id": ["jira"]}}, adapter, KNOWN)
    assert info.value.field == "filters"
    call = UnleashChatCall.of({"allow_partial": True, "assistant_id": None}, adapter, KNOWN)
    assert dict(call.args) == {"assistant_id": None, "thread_id": None}
    assert call.allow_partial is True


def test_a_call_with_an_unknown_keyword_names_the_adapter_class() -> None:
    with pytest.raises(InvalidRequestError, match="not an argument of Chat calls; did you mean"):
        UnleashChatCall.of({"assistant": "x"}, chat(), KNOWN)


def test_empty_call_filters_parsed_to_none_are_no_filters_even_on_v2() -> None:
    call = UnleashChatCall.of(
        {"filters": {}}, chat(api_version="v2"), KNOWN, parse_filters=lambda _: None
    )
    assert "filters" not in call.args


def test_a_plain_call_is_a_retrievers_question_with_the_clients_defaults() -> None:
    filters = SearchFilters(app_id=["jira"])
    v1 = UnleashChatCall.plain("v1", assistant_id="a", filters=filters, thread_id="t")
    assert dict(v1.args) == {"assistant_id": "a", "thread_id": "t", "filters": filters}
    assert v1._whole() == {"allow_partial": False}  # text_mode left to the client
    v2 = UnleashChatCall.plain("v2", assistant_id="a", filters=filters)
    assert dict(v2.args) == {"assistant_id": "a", "thread_id": None}


# -- retrieval options -------------------------------------------------------------------


def _retrieval(kwargs: dict[str, Any], **defaults: Any) -> RetrievalOptions:
    def parse(value: Any) -> SearchFilters | None:
        parsed = SearchFilters.from_any(value)
        return None if parsed is None or parsed.is_empty() else parsed

    return RetrievalOptions.of(
        kwargs,
        owner="UnleashSearchRetriever",
        options=frozenset({"k", "filters", "fetch_content", "assistant_id", "sort"}),
        ignored=frozenset({"verbose"}),
        defaults={
            "k": 4,
            "filters": None,
            "fetch_content": False,
            "assistant_id": None,
            **defaults,
        },
        k_allows_none=False,
        parse_filters=parse,
    )


def test_retrieval_filters_merge_instance_then_filters_then_single_keywords() -> None:
    options = _retrieval(
        {
            "filters": {"app_id": ["confluence"], "type": ["page"]},
            "appId": ["jira"],
            "sort": "recency",
        },
        filters=SearchFilters(app_id=["slack"], label=["me"]),
    )
    assert options.filters is not None
    assert options.filters.to_wire() == {"appId": ["jira"], "type": ["page"], "label": ["me"]}
    assert (options.k, options.fetch_content, options.assistant_id) == (4, False, None)
    assert dict(options.extra) == {"sort": "recency"}


def test_retrieval_options_check_k_and_flags_and_names() -> None:
    with pytest.raises(InvalidRequestError, match=r"k: must be a whole number >= 1, got 0"):
        _retrieval({"k": 0})
    with pytest.raises(InvalidRequestError, match="fetch_content: must be True or False"):
        _retrieval({"fetch_content": "yes"})
    with pytest.raises(InvalidRequestError) as info:
        _retrieval({"app": ["jira"]})
    assert info.value.message.startswith(
        "app: is not an option of UnleashSearchRetriever nor a search filter; did you mean"
    )
    assert info.value.message.endswith(
        "(options: assistant_id, fetch_content, filters, k, sort; filters: any SearchFilters "
        "field name)"
    )
    assert _retrieval({"verbose": True}).k == 4  # read by the framework, left alone


# -- Jylo --------------------------------------------------------------------------------


def test_a_jylo_call_takes_the_calls_values_over_the_adapters() -> None:
    adapter = SimpleNamespace(assistant_id="a1", model_identifier="m1", allow_partial=False)
    known = ("assistant_id", "model", "model_identifier", "document_ids", "timeout")
    call = jylo_call({"model": "m2", "document_ids": ("d1",), "timeout": 9}, adapter, known)
    assert call == {
        "assistant_id": "a1",
        "model": "m2",
        "document_ids": ["d1"],
        "options": {"timeout": 9},
        "allow_partial": False,
    }


def test_a_jylo_call_without_a_model_says_where_to_set_one() -> None:
    adapter = SimpleNamespace(assistant_id="a1", model_identifier=None, allow_partial=False)
    with pytest.raises(InvalidRequestError) as info:
        jylo_call({}, adapter, ("assistant_id",))
    assert info.value.message == (
        "model_identifier: no Jylo model_identifier was given; pass model_identifier=... or "
        "set the JYLO_MODEL_IDENTIFIER environment variable"
    )


# -- filter names and values -------------------------------------------------------------


def test_filter_names_in_either_case_and_the_hint_for_others() -> None:
    assert filter_name("appId", "x") == filter_name("app_id", "x") == "app_id"
    with pytest.raises(InvalidRequestError) as info:
        filter_name("app", "MetadataFilters: key 'app' is not an Unleash filter", " (more)")
    assert info.value.message.startswith("MetadataFilters: key 'app' is not an Unleash filter; did")
    assert info.value.message.endswith(" (more)")
    assert all(isinstance(lower, bool) for _, lower in TIME_BOUNDS.values())


def test_filter_text_values() -> None:
    assert filter_text("x", "app_id", "p: ") == "x"
    assert filter_text(3, "app_id", "p: ") == "3"
    with pytest.raises(InvalidRequestError, match=r"^p: app_id: expected a text value, got True$"):
        filter_text(True, "app_id", "p: ")
