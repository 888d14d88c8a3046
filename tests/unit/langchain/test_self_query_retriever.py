"""unleash_attribute_info and UnleashSelfQueryRetriever.from_llm, on the in-process emulator."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from langchain_core.exceptions import OutputParserException
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.structured_query import Comparator, Comparison, StructuredQuery

from assistant_bridge.emulator import EMULATOR_KEYS, create_app
from assistant_bridge.langchain import (
    InvalidRequestError,
    UnleashAttributeInfo,
    UnleashSearchRetriever,
    UnleashSelfQueryRetriever,
    UnleashTranslator,
    unleash_attribute_info,
)
from assistant_bridge.langchain._self_query_prompt import StructuredQueryOutputParser
from assistant_bridge.unleash import (
    FILTER_FIELDS,
    TIME_FIELD_PAIRS,
    AsyncUnleashClient,
    UnleashClient,
)

from .._vendor_emu import BASE, RecordingASGITransport, SyncASGITransport

T = UnleashTranslator()
JIRA_SINCE_MAY = """Here is the search:
```json
{"query": "billing", "filter": {"operator": "and", "arguments": [
  {"comparator": "eq", "attribute": "app_id", "value": "jira"},
  {"comparator": "gte", "attribute": "created", "value": "2025-05-01"}]}, "limit": 3}
```"""


@pytest.fixture
def emu() -> tuple[SyncASGITransport, RecordingASGITransport]:
    app = create_app()
    return SyncASGITransport(app), RecordingASGITransport(app)


def search_retriever(
    emu: tuple[SyncASGITransport, RecordingASGITransport],
) -> UnleashSearchRetriever:
    sync, async_ = emu
    kw: dict[str, Any] = {"base_url": f"{BASE}/e-api", "max_retries": 0}
    return UnleashSearchRetriever(
        client=UnleashClient(
            EMULATOR_KEYS["unleash"], http_client=httpx.Client(transport=sync), **kw
        ),
        async_client=AsyncUnleashClient(
            EMULATOR_KEYS["unleash"], http_client=httpx.AsyncClient(transport=async_), **kw
        ),
    )


def search_bodies(emu: tuple[SyncASGITransport, RecordingASGITransport]) -> list[dict[str, Any]]:
    every = [*emu[0].requests, *emu[1].requests]
    return [json.loads(r.content) for r in every if r.url.path.endswith("/search")]


def scripted(*answers: str) -> FakeListChatModel:
    """A chat model that answers each prompt with the next scripted text."""
    return FakeListChatModel(responses=list(answers))


# -- attribute info ---------------------------------------------------------------------


def test_attribute_info_covers_every_filter_field_once() -> None:
    infos = unleash_attribute_info()
    names = [i.name for i in infos]
    assert len(names) == len(set(names))
    bound_fields = {name for pair in TIME_FIELD_PAIRS.values() for name in pair}
    covered = {n for n in names if n not in TIME_FIELD_PAIRS} | bound_fields
    assert {f.name.rstrip("_") for f in FILTER_FIELDS} == covered
    assert set(TIME_FIELD_PAIRS) <= set(names)
    by_name = {i.name: i for i in infos}
    assert by_name["app_id"].type == "string"
    assert "appId" in by_name["app_id"].description
    assert by_name["is_starred"].type == "boolean"
    assert by_name["created"].type == "date"
    assert "createAfterTime" in by_name["created"].description
    assert by_name["class"].type == "string"


def test_every_described_attribute_is_accepted_by_the_translator() -> None:
    samples = {"string": "x", "boolean": True, "date": "2025-01-02"}
    names = [*TIME_FIELD_PAIRS, *(f.name for f in FILTER_FIELDS)]
    for info in unleash_attribute_info(names):
        comparator = "gte" if info.name.endswith(("after_time", "_start")) else "eq"
        if info.name in ("from_time",):
            comparator = "gte"
        if info.name.endswith(("before_time", "_end")) or info.name == "until_time":
            comparator = "lte"
        comparison = Comparison(
            comparator=Comparator(comparator), attribute=info.name, value=samples[info.type]
        )
        _query, kwargs = T.visit_structured_query(StructuredQuery(query="q", filter=comparison))
        assert not kwargs["filters"].is_empty(), info.name


def test_attribute_info_subset_descriptions_and_errors() -> None:
    infos = unleash_attribute_info(["appId", "created"], descriptions={"app_id": "e.g. jira"})
    assert [i.name for i in infos] == ["app_id", "created"]
    assert infos[0].description.endswith("e.g. jira")
    assert infos[0].to_dict().keys() == {"name", "description", "type"}
    assert isinstance(infos[0], UnleashAttributeInfo)
    with pytest.raises(InvalidRequestError, match=r"'app_idd'.*did you mean app_id"):
        unleash_attribute_info(["app_idd"])
    with pytest.raises(InvalidRequestError, match="descriptions: 'type'"):
        unleash_attribute_info(["app_id"], descriptions={"type": "x"})


# -- parser -----------------------------------------------------------------------------


def test_parser_reads_fenced_and_bare_json() -> None:
    parsed = StructuredQueryOutputParser().parse(JIRA_SINCE_MAY)
    assert parsed.query == "billing"
    assert parsed.limit == 3
    bare = StructuredQueryOutputParser().parse('{"query": "x", "filter": "NO_FILTER"}')
    assert bare.filter is None
    assert bare.limit is None


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("I cannot help with that.", "no JSON object"),
        ('{"query": "x", "filters": null}', r"unknown keys \['filters'\]"),
        ('{"query": 3}', "query: expected a string"),
        ('{"query": "x", "limit": 0}', "limit: expected a positive"),
        (
            '{"query": "x", "filter": {"comparator": "equals", "attribute": "a", "value": 1}}',
            r"filter.comparator: 'equals' is not one of",
        ),
        ('{"query": "x", "filter": {"operator": "and", "arguments": []}}', "non-empty list"),
        ('{"query": "x", "filter": {"attribute": "a"}}', "expected {comparator"),
    ],
)
def test_malformed_model_output_is_a_clear_parser_error(text: str, match: str) -> None:
    with pytest.raises(OutputParserException, match=match):
        StructuredQueryOutputParser().parse(text)


# -- retriever on the emulator ----------------------------------------------------------


def test_from_llm_sends_the_translated_filters_and_limit(emu: Any) -> None:
    llm = scripted(JIRA_SINCE_MAY)
    retriever = UnleashSelfQueryRetriever.from_llm(llm, search_retriever(emu))
    docs = retriever.invoke("jira tickets about billing created since May 2025, three")
    assert search_bodies(emu) == [
        {
            "query": "billing",
            "filters": {"appId": ["jira"], "createAfterTime": "2025-05-01T00:00:00Z"},
            "paging": {"size": 3},
        }
    ]
    assert docs
    assert len(docs) <= 3
    for doc in docs:
        assert doc.metadata["app_id"] == "jira"
        assert doc.metadata["data"]["createdTime"] >= "2025-05-01"


def test_the_prompt_shows_the_question_and_the_attributes(emu: Any) -> None:
    seen: list[str] = []

    class Recording(FakeListChatModel):
        def _call(self, messages: Any, *args: Any, **kwargs: Any) -> str:
            seen.append("\n".join(str(m.content) for m in messages))
            return super()._call(messages, *args, **kwargs)

    infos = unleash_attribute_info(["app_id", "created"])
    retriever = UnleashSelfQueryRetriever.from_llm(
        Recording(responses=['{"query": "hotel caps"}']),
        search_retriever(emu),
        attribute_info=infos,
        document_contents="the travel policy",
    )
    retriever.invoke("hotel caps?")
    assert "hotel caps?" in seen[0]
    assert "the travel policy" in seen[0]
    assert '"name": "app_id"' in seen[0]
    assert '"name": "type"' not in seen[0]
    assert search_bodies(emu) == [{"query": "hotel caps", "paging": {"size": 4}}]


def test_an_inexpressible_filter_raises_before_any_search(emu: Any) -> None:
    answer = (
        '{"query": "x", "filter": {"comparator": "ne", "attribute": "app_id", "value": "jira"}}'
    )
    retriever = UnleashSelfQueryRetriever.from_llm(scripted(answer), search_retriever(emu))
    with pytest.raises(InvalidRequestError, match="comparator 'ne'"):
        retriever.invoke("anything but jira")
    unknown = '{"query": "x", "filter": {"comparator": "eq", "attribute": "app", "value": "j"}}'
    retriever = UnleashSelfQueryRetriever.from_llm(scripted(unknown), search_retriever(emu))
    with pytest.raises(InvalidRequestError, match="'app' is not an Unleash filter"):
        retriever.invoke("jira things")
    assert search_bodies(emu) == []


def test_drop_unsupported_filters_searches_without_them(
    emu: Any, caplog: pytest.LogCaptureFixture
) -> None:
    answer = '{"query": "", "filter": {"comparator": "ne", "attribute": "app_id", "value": "jira"}, "limit": 2}'
    retriever = UnleashSelfQueryRetriever.from_llm(
        scripted(answer), search_retriever(emu), drop_unsupported_filters=True
    )
    with caplog.at_level(logging.WARNING):
        docs = retriever.invoke("billing")
    assert "searching without the model's filter" in caplog.text
    # A blank rewritten query falls back to the question.
    assert search_bodies(emu) == [{"query": "billing", "paging": {"size": 2}}]
    assert len(docs) == 2


def test_malformed_output_raises_before_any_search(emu: Any) -> None:
    retriever = UnleashSelfQueryRetriever.from_llm(scripted("no idea"), search_retriever(emu))
    with pytest.raises(OutputParserException, match="no JSON object"):
        retriever.invoke("q")
    assert search_bodies(emu) == []


def test_use_original_query(emu: Any) -> None:
    retriever = UnleashSelfQueryRetriever.from_llm(
        scripted(
            '{"query": "rewritten", "filter": {"comparator": "in", "attribute": "type", '
            '"value": ["page", "ticket"]}}'
        ),
        search_retriever(emu),
        use_original_query=True,
    )
    retriever.invoke("the question")
    assert search_bodies(emu) == [
        {"query": "the question", "filters": {"type": ["page", "ticket"]}, "paging": {"size": 4}}
    ]


async def test_async_sends_the_same_search(emu: Any) -> None:
    retriever = UnleashSelfQueryRetriever.from_llm(scripted(JIRA_SINCE_MAY), search_retriever(emu))
    docs = await retriever.ainvoke("jira tickets about billing created since May 2025")
    assert emu[0].requests == []  # only the async client was used
    assert search_bodies(emu)[0]["filters"] == {
        "appId": ["jira"],
        "createAfterTime": "2025-05-01T00:00:00Z",
    }
    assert docs
    assert all(d.metadata["app_id"] == "jira" for d in docs)


def test_default_retriever_and_unknown_constructor_fields() -> None:
    retriever = UnleashSelfQueryRetriever.from_llm(scripted("{}"))
    assert isinstance(retriever.retriever, UnleashSearchRetriever)
    with pytest.raises(InvalidRequestError, match="did you mean drop_unsupported_filters"):
        UnleashSelfQueryRetriever(
            query_constructor=retriever.query_constructor,
            retriever=retriever.retriever,
            drop_unsuported_filters=True,  # type: ignore[call-arg]
        )
