"""Quickstart: ask Unleash through LangChain's ``ChatUnleash``, with numbered citations.

Run it as it is and it answers from the embedded emulator (offline, fictional data).
Set ``UNLEASH_API_KEY`` (and ``UNLEASH_BASE_URL`` for a tenant host) and the same code
asks your real Unleash assistant.

    python examples/quickstart.py
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

from assistant_bridge.langchain import ChatUnleash, format_citations


@contextlib.contextmanager
def unleash_or_emulator() -> Iterator[None]:
    """Use the real Unleash when ``UNLEASH_API_KEY`` is set, else the embedded emulator."""
    if os.environ.get("UNLEASH_API_KEY"):
        yield
        return
    from assistant_bridge.emulator import emulator_env, run_emulator

    with run_emulator() as url:
        env = {k: v for k, v in emulator_env(url).items() if k.startswith("UNLEASH_")}
        os.environ.update(env)
        print("No UNLEASH_API_KEY set: using the embedded emulator (offline).", file=sys.stderr)
        yield


def main() -> None:
    """Invoke once, follow up in the same conversation, then stream an answer."""
    llm = ChatUnleash()

    question = "Who owns the billing service?"
    answer = llm.invoke(question)
    print(format_citations(answer))

    # A follow-up sends the conversation so far, as with any LangChain chat model. (Unleash
    # documents no thread id in v2 answers; when one comes, it is in response_metadata and
    # can be passed on as thread_id=...)
    follow_up = llm.invoke(
        [("human", question), answer, ("human", "What should on-call check first?")]
    )
    print("\nFollow-up in the same conversation:", format_citations(follow_up), sep="\n\n")

    print("\nStreaming:")
    full = None
    for chunk in llm.stream("What is our travel policy?"):
        print(chunk.text, end="", flush=True)
        full = chunk if full is None else full + chunk
    assert full is not None
    steps = [b for b in full.content_blocks if b["type"] == "server_tool_call"]
    print(f"\n\n({len(steps)} search step(s) by the assistant; citations arrive at the end)")
    print("The streamed answer with its numbered citations:\n")
    print(format_citations(full))


if __name__ == "__main__":
    with unleash_or_emulator():
        main()
