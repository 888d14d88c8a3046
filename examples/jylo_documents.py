"""A Jylo assistant answering about a document you attach, through LangChain's ``ChatJylo``.

The question is a ``HumanMessage`` with a file block: `ChatJylo` uploads the file to the
assistant, attaches it to the message, and returns Jylo's reply with its citations as
standard ``content_blocks``. A follow-up question reuses the uploaded document by id.

Offline by default (the embedded emulator). Against the real Jylo set ``JYLO_CLIENT_ID``,
``JYLO_CLIENT_SECRET``, ``JYLO_TENANT``, ``JYLO_REGION`` and ``JYLO_PROJECT_ID``, and
preferably ``JYLO_ASSISTANT_ID`` and ``JYLO_MODEL_IDENTIFIER`` (otherwise the first
assistant and model listed are used; note that the document is uploaded to that assistant).

    python examples/jylo_documents.py
"""

from __future__ import annotations

import base64
import contextlib
import os
import sys
from collections.abc import Iterator

from langchain_core.messages import BaseMessage, HumanMessage

from assistant_bridge import JyloClient
from assistant_bridge.langchain import ChatJylo

BRIEF = """Q3 planning offsite: brief for attendees

The offsite takes place in Lisbon from 16 to 18 September at the Alfama Conference House.
Flights are booked centrally by the People team; do not book your own.

Each team presents its Q3 plan on the first day, in twenty minutes at most.
The dinner on 17 September is at Taberna do Rio; dietary needs go to Priya Nair by 1 September.
"""


@contextlib.contextmanager
def jylo_or_emulator() -> Iterator[None]:
    """Use the real Jylo when its credentials are set, else the embedded emulator."""
    if os.environ.get("JYLO_CLIENT_ID") or os.environ.get("JYLO_TOKEN"):
        yield
        return
    from assistant_bridge.emulator import emulator_env, run_emulator

    with run_emulator() as url:
        env = {k: v for k, v in emulator_env(url).items() if k.startswith("JYLO_")}
        os.environ.update(env)
        print("No JYLO_CLIENT_ID set: using the embedded emulator (offline).", file=sys.stderr)
        yield


def assistant_and_model() -> tuple[str, str]:
    """``JYLO_ASSISTANT_ID`` / ``JYLO_MODEL_IDENTIFIER``, else the first ones listed."""
    assistant = os.environ.get("JYLO_ASSISTANT_ID")
    model = os.environ.get("JYLO_MODEL_IDENTIFIER")
    with JyloClient() as jylo:
        assistant = assistant or jylo.list_assistants().items[0].object_identifier
        model = model or jylo.list_models()[0].object_identifier
    return str(assistant), str(model)


def sources(message: BaseMessage) -> list[str]:
    """One line per citation of the reply: the cited text and the document it comes from."""
    lines = []
    for block in message.content_blocks:
        for number, note in enumerate(
            block.get("annotations", []) if block["type"] == "text" else [], 1
        ):
            cited = (note.get("cited_text") or "").strip().replace("\n", " ")
            lines.append(f"  [{number}] {note.get('title')}: {cited[:80]!r}")
    return lines


def main() -> None:
    """Ask about the attached brief, then ask again about the same uploaded document."""
    assistant, model = assistant_and_model()
    llm = ChatJylo(assistant_id=assistant, model=model)

    question = HumanMessage(
        content_blocks=[
            {"type": "text", "text": "Where is the offsite and who books the flights?"},
            {
                "type": "file",
                "base64": base64.b64encode(BRIEF.encode()).decode(),
                "mime_type": "text/plain",
                "filename": "offsite-brief.txt",
            },
        ]
    )
    answer = llm.invoke([question])
    print(f"Q: {question.text}\nA: {answer.text}\nCitations:", *sources(answer), sep="\n")

    document_ids = answer.additional_kwargs["document_ids"]
    print(f"\nThe brief was uploaded as document {document_ids[0]}; asking about it again.")
    follow_up = "When must dietary needs for the dinner be sent?"
    print(f"Q: {follow_up}\nA: ", end="")
    full = None
    for chunk in llm.stream(follow_up, document_ids=document_ids):
        print(chunk.text, end="", flush=True)
        full = chunk if full is None else full + chunk
    assert full is not None
    print("\nCitations:", *sources(full), sep="\n")


if __name__ == "__main__":
    with jylo_or_emulator():
        main()
