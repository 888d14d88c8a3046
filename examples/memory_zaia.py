"""Conversation memory on a Zaia chat thread, through ``RunnableWithMessageHistory``.

Zaia stores conversations (it is a data API, not a model): `ZaiaChatMessageHistory` reads
a chat thread as LangChain messages and appends each new turn to it. The model that
answers is `ChatUnleash` here; any LangChain chat model fits the same place.

Offline by default: vendors whose variables are not set (``ZAIA_API_KEY``,
``UNLEASH_API_KEY``) are served by the embedded emulator. Against the real Zaia, set
``ZAIA_CHAT_ID`` (see ``ZaiaClient().list_chats()``), ``ZAIA_SENDER_ID`` (the UUID that
sends the appended messages) and optionally ``ZAIA_CHAT_THREAD_ID``.

    python examples/memory_zaia.py
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder
from langchain_core.runnables.history import RunnableWithMessageHistory

from assistant_bridge import ZaiaClient
from assistant_bridge.langchain import ChatUnleash, ZaiaChatMessageHistory

EXAMPLE_SENDER = "8d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09"  # any UUID works on the emulator


@contextlib.contextmanager
def vendors_or_emulator(*vendors: str) -> Iterator[None]:
    """Use each vendor whose API key is set; serve the others from the embedded emulator."""
    missing = [v for v in vendors if not os.environ.get(f"{v}_API_KEY")]
    if not missing:
        yield
        return
    from assistant_bridge.emulator import emulator_env, run_emulator

    with run_emulator() as url:
        env = emulator_env(url).items()
        os.environ.update({k: v for k, v in env if k.split("_")[0] in missing})
        print(f"No {', '.join(missing)} keys: using the embedded emulator.", file=sys.stderr)
        yield


def chat_and_thread() -> tuple[str, str | None]:
    """``ZAIA_CHAT_ID`` / ``ZAIA_CHAT_THREAD_ID``, else the first chat and its first thread."""
    chat_id = os.environ.get("ZAIA_CHAT_ID")
    if chat_id:
        return chat_id, os.environ.get("ZAIA_CHAT_THREAD_ID")
    with ZaiaClient() as zaia:
        chat = zaia.list_chats().items[0]
        threads = zaia.list_chat_threads(chat.id).items
    print(f"Using chat {chat.name or chat.id!r}")  # a chat's name is not in Zaia's documents
    return chat.id, threads[0].id if threads else None


def main() -> None:
    """Two turns in one session; the second relies on the first, read back from Zaia."""
    chat_id, thread_id = chat_and_thread()
    sender = os.environ.get("ZAIA_SENDER_ID", EXAMPLE_SENDER)

    def history(session_id: str) -> ZaiaChatMessageHistory:
        """The session id is a thread id ("" for the whole chat)."""
        thread = session_id or None
        return ZaiaChatMessageHistory(chat_id, chat_thread_id=thread, sender_id=sender)

    prompt = ChatPromptTemplate.from_messages(
        [MessagesPlaceholder("history"), ("human", "{question}")]
    )
    # langchain-core 1.x marks RunnableWithMessageHistory deprecated in favour of LangGraph
    # persistence; it still works, and the history below suits any BaseChatMessageHistory user.
    chain = RunnableWithMessageHistory(
        prompt | ChatUnleash(),
        history,
        input_messages_key="question",
        history_messages_key="history",
    )
    session = {"configurable": {"session_id": thread_id or ""}}
    before = len(history(thread_id or "").messages)
    print(f"The thread holds {before} message(s) before we start.\n")

    for question in ("Who owns the billing service?", "What should on-call check first?"):
        answer = chain.invoke({"question": question}, config=session)
        print(f"Q: {question}\nA: {answer.text}\n")

    stored = history(thread_id or "").messages
    print(f"The thread now holds {len(stored)} message(s); the last four:")
    for message in stored[-4:]:
        print(f"  {message.type:>5}: {message.text[:70]}")


if __name__ == "__main__":
    with vendors_or_emulator("ZAIA", "UNLEASH"):
        main()
