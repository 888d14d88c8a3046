"""An LCEL retrieval chain: Unleash search with filters chosen per call -> prompt -> model.

The retriever is `UnleashSearchRetriever`; its filters (``app_id``, ``type``,
``create_after_time``... any `SearchFilters` field) are passed with each ``invoke``. The
chat model is `ChatUnleash` here, but any LangChain chat model fits the same place.
Both are wrapped the LangChain way: ``with_retry`` retries the retriever on the typed
errors that are worth retrying, ``with_fallbacks`` switches to a second model when the
first fails. Offline, the emulator is asked for faults (``x-emulator-fault``) so you can
watch both happen; against the real Unleash (``UNLEASH_API_KEY`` set) no fault is injected.

    python examples/rag_chain.py
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from collections.abc import Iterator
from typing import Any

import httpx
from langchain_core.documents import Document
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda, RunnablePassthrough

from assistant_bridge import (
    APIConnectionError,
    APIError,
    InternalServerError,
    RateLimitError,
    UnleashClient,
)
from assistant_bridge.langchain import ChatUnleash, UnleashSearchRetriever

RETRYABLE = (RateLimitError, InternalServerError, APIConnectionError)


@contextlib.contextmanager
def unleash_or_emulator() -> Iterator[bool]:
    """Use the real Unleash when ``UNLEASH_API_KEY`` is set, else the emulator; yield offline."""
    if os.environ.get("UNLEASH_API_KEY"):
        yield False
        return
    from assistant_bridge.emulator import emulator_env, run_emulator

    with run_emulator() as url:
        env = {k: v for k, v in emulator_env(url).items() if k.startswith("UNLEASH_")}
        os.environ.update(env)
        print("No UNLEASH_API_KEY set: using the embedded emulator (offline).", file=sys.stderr)
        yield True


def client_with_fault(fault: str | None, label: str) -> UnleashClient:
    """A client that retries nothing itself and logs each answer; offline, asks for a fault."""
    headers = {"x-emulator-fault": fault} if fault else {}

    def log(response: httpx.Response) -> None:
        print(f"  [{label}] {response.request.url.path} -> HTTP {response.status_code}")

    http = httpx.Client(headers=headers, event_hooks={"response": [log]})
    return UnleashClient(max_retries=0, http_client=http)


def build_chain(offline: bool) -> Any:
    """Retrieve (with_retry) -> numbered context -> prompt -> model (with_fallbacks)."""
    retriever = UnleashSearchRetriever(
        k=3, client=client_with_fault("503;times=1" if offline else None, "search")
    )
    retrieve = retriever.with_retry(retry_if_exception_type=RETRYABLE, stop_after_attempt=3)

    def search(inputs: dict[str, Any]) -> list[Document]:
        return retrieve.invoke(inputs["question"], **inputs.get("filters", {}))

    def context(inputs: dict[str, Any]) -> str:
        docs = inputs["docs"]
        return "\n\n".join(
            f"[{i}] {d.metadata.get('title')}\n{d.page_content}" for i, d in enumerate(docs, 1)
        )

    prompt = ChatPromptTemplate.from_messages(
        [
            ("system", "Answer from these sources and cite them as [n].\n\n{context}"),
            ("human", "{question}"),
        ]
    )
    primary = ChatUnleash(client=client_with_fault("500" if offline else None, "chat v2"))
    model = primary.with_fallbacks(
        [ChatUnleash(api_version="v1")], exceptions_to_handle=(APIError,)
    )
    return (
        RunnablePassthrough.assign(docs=RunnableLambda(search))
        .assign(context=context)
        .assign(answer=prompt | model)
    )


def show(result: dict[str, Any]) -> None:
    """Print the answer and the retrieved sources, numbered as in the prompt."""
    answer = result["answer"]
    print(f"\nAnswer (chat {answer.response_metadata['api_version']}):\n{answer.text}\n")
    print("Sources:")
    for number, doc in enumerate(result["docs"], 1):
        meta = doc.metadata
        print(f"  [{number}] {meta.get('title')} ({meta.get('app_id')}) - {meta.get('source')}")


def main(offline: bool) -> None:
    """Ask twice: once filtered to Jira tickets, once to recent Confluence pages."""
    chain = build_chain(offline)
    print("Question 1, filters app_id=jira:")
    show(chain.invoke({"question": "billing 502 errors", "filters": {"app_id": "jira"}}))
    print("\nQuestion 2, filters app_id=confluence, created since 2025-01-01:")
    filters = {"app_id": ["confluence"], "create_after_time": dt.date(2025, 1, 1)}
    show(chain.invoke({"question": "billing outage postmortem", "filters": filters}))


if __name__ == "__main__":
    with unleash_or_emulator() as offline:
        main(offline)
