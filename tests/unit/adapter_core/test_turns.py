"""No turn is dropped without the caller choosing it; every answer's text can be sent back.

Over the mock Jylo API (what is posted) and the converters directly: which messages
`ChatJylo` / LlamaIndex `Jylo` count as unseen, the folded form, ``unseen_turns="raise"``
and ``"ignore"``, and that answer blocks (citations, server tools, reasoning) are left out
while other blocks stay errors.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from langchain_core.exceptions import ModelInvalidRequestError
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from llama_index.core.base.llms.types import ChatMessage as LIMessage
from llama_index.core.base.llms.types import (
    CitationBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
)

from assistant_bridge import InvalidRequestError
from assistant_bridge._adapter_core import Turn, UnsupportedOperationError, fold_turns
from assistant_bridge.langchain._chat_jylo import ChatJylo
from assistant_bridge.langchain._messages import (
    message_text,
    to_unleash_messages,
    zaia_role,
    zaia_text,
)
from assistant_bridge.llama_index._jylo_llm import Jylo
from assistant_bridge.llama_index._messages import to_unleash_messages as li_to_unleash

from .._jylo_mock import ASSISTANT, MODEL, JyloServer

V1_ANSWER: list[str | dict[Any, Any]] = [
    {"type": "server_tool_call", "id": "s1", "name": "Enterprise search", "args": {}},
    {"type": "server_tool_result", "tool_call_id": "s1", "status": "success", "output": []},
    {"type": "reasoning", "reasoning": "thinking it over"},
    {
        "type": "text",
        "text": "Hotels: 180 EUR.",
        "annotations": [{"type": "citation", "title": "Policy"}],
    },
    {"type": "citation", "title": "Policy", "start_index": 0, "end_index": 6},
]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("JYLO_ASSISTANT_ID", "JYLO_MODEL_IDENTIFIER", "JYLO_TOKEN", "JYLO_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> JyloServer:
    return JyloServer()


def lc(server: JyloServer, **kw: Any) -> ChatJylo:
    return ChatJylo(
        client=server.client(),
        async_client=server.async_client(),
        assistant_id=ASSISTANT,
        model=MODEL,
        **kw,
    )


def li(server: JyloServer, **kw: Any) -> Jylo:
    return Jylo(
        client=server.client(),
        async_client=server.async_client(),
        assistant_id=ASSISTANT,
        model_identifier=MODEL,
        **kw,
    )


def stored_ai(text: str, message_id: str = "r1") -> AIMessage:
    meta = {"model_provider": "jylo", "assistant_id": ASSISTANT, "message_id": message_id}
    return AIMessage(text, id=message_id, response_metadata=meta)


def stored_human(text: str, message_id: str = "q1") -> HumanMessage:
    meta = {"vendor": "jylo", "assistant_id": ASSISTANT, "message_id": message_id}
    return HumanMessage(text, id=message_id, response_metadata=meta)


def texts(server: JyloServer) -> list[str]:
    return [b["text"] for b in server.bodies()]


# -- the folded form -----------------------------------------------------------------------


def test_fold_is_the_question_alone_without_instructions_or_turns() -> None:
    assert fold_turns([], "Q?") == "Q?"
    assert fold_turns(
        [Turn("System", "A.", "m0", "x"), Turn("System", "B.\n", "m1", "x")], "Q?"
    ) == ("System instructions:\nA.\n\nB.\n\nQuestion:\nQ?")
    assert fold_turns(
        [Turn("User", "Hi", "m0", "x"), Turn("Assistant", "Hello", "m1", "x")], "Q?"
    ) == ("Earlier conversation:\nUser: Hi\nAssistant: Hello\n\nQuestion:\nQ?")


# -- which messages are unseen (ChatJylo) ------------------------------------------------------


def test_a_single_question_is_posted_unchanged(server: JyloServer) -> None:
    lc(server).invoke("Hotel caps?")
    assert texts(server) == ["Hotel caps?"]


def test_turns_before_a_stored_message_are_seen_but_system_messages_are_sent_each_time(
    server: JyloServer,
) -> None:
    history = [
        SystemMessage("Be brief."),
        HumanMessage("Old question, folded before"),
        stored_human("Q1"),
        stored_ai("A1"),
        HumanMessage("Q2"),
    ]
    lc(server).invoke(history)
    assert texts(server) == ["System instructions:\nBe brief.\n\nQuestion:\nQ2"]


def test_turns_after_the_newest_stored_message_are_folded(server: JyloServer) -> None:
    history = [
        stored_human("Q1"),
        stored_ai("A1"),
        HumanMessage("Q2"),
        AIMessage("A2 elsewhere"),
        HumanMessage("Q3"),
    ]
    lc(server).invoke(history)
    assert texts(server) == [
        "Earlier conversation:\nUser: Q2\nAssistant: A2 elsewhere\n\nQuestion:\nQ3"
    ]


def test_a_reply_of_another_assistant_is_not_seen(server: JyloServer) -> None:
    other = AIMessage(
        "A1", id="r9", response_metadata={"model_provider": "jylo", "assistant_id": "other"}
    )
    lc(server).invoke([HumanMessage("Q1"), other, HumanMessage("Q2")])
    assert texts(server) == ["Earlier conversation:\nUser: Q1\nAssistant: A1\n\nQuestion:\nQ2"]


def test_an_unleash_v1_answer_folds_as_its_text_only(server: JyloServer) -> None:
    lc(server).invoke(
        [ChatMessage(content="Q1", role="user"), AIMessage(V1_ANSWER), HumanMessage("Q2")]
    )
    assert texts(server) == [
        "Earlier conversation:\nUser: Q1\nAssistant: Hotels: 180 EUR.\n\nQuestion:\nQ2"
    ]


async def test_async_and_stream_fold_the_same(server: JyloServer) -> None:
    history = [SystemMessage("Be brief."), HumanMessage("Q2")]
    await lc(server).ainvoke(history)
    list(lc(server).stream(history))
    [c async for c in lc(server).astream(history)]
    assert texts(server) == ["System instructions:\nBe brief.\n\nQuestion:\nQ2"] * 3


def test_files_of_an_unseen_human_turn_are_uploaded_and_attached(server: JyloServer) -> None:
    earlier = HumanMessage(
        [
            {"type": "text", "text": "Read this."},
            {
                "type": "file",
                "base64": base64.b64encode(b"hi").decode(),
                "mime_type": "text/plain",
                "filename": "a.txt",
            },
        ]
    )
    lc(server).invoke([earlier, AIMessage("Done."), HumanMessage("Summarise it.")])
    assert len(server.posts("/messages/document")) == 1
    (body,) = server.bodies()
    assert body["text"].startswith("Earlier conversation:\nUser: Read this.\n")
    assert len(body["messageDocumentIdentifiers"]) == 1


@pytest.mark.parametrize(
    ("message", "match"),
    [
        (
            ToolMessage("x", tool_call_id="t1"),
            r"messages\[0\]: a ToolMessage cannot be sent to Jylo",
        ),
        (
            AIMessage("", tool_calls=[{"name": "f", "args": {}, "id": "t1"}]),
            r"messages\[0\]: an AI message with tool calls",
        ),
        (
            AIMessage([{"type": "image", "base64": "aGk=", "mime_type": "image/png"}]),
            r"messages\[0\]\.content\[0\]: a 'image' block cannot be sent to Jylo",
        ),
    ],
)
def test_an_unseen_message_that_cannot_be_sent_is_an_error(
    server: JyloServer, message: Any, match: str
) -> None:
    with pytest.raises(ModelInvalidRequestError, match=match):
        lc(server).invoke([message, HumanMessage("Q")])
    assert server.posts() == []


def test_raise_names_every_unseen_message_and_posts_nothing(server: JyloServer) -> None:
    history = [SystemMessage("S"), HumanMessage("Q1"), AIMessage("A1"), HumanMessage("Q2")]
    with pytest.raises(ModelInvalidRequestError) as caught:
        lc(server, unseen_turns="raise").invoke(history)
    message = str(caught.value)
    assert (
        "messages[0] (SystemMessage), messages[1] (HumanMessage), messages[2] (AIMessage)"
        in message
    )
    assert "unseen_turns='fold'" in message
    assert server.posts() == []
    lc(server, unseen_turns="raise").invoke(
        [stored_human("Q1"), stored_ai("A1"), HumanMessage("Q2")]
    )
    assert texts(server) == ["Q2"]  # nothing unseen: no error


def test_ignore_posts_the_newest_message_alone(server: JyloServer) -> None:
    lc(server, unseen_turns="ignore").invoke(
        [SystemMessage("S"), HumanMessage("Q1"), AIMessage("A1"), HumanMessage("Q2")]
    )
    assert texts(server) == ["Q2"]


def test_an_unknown_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="unseen_turns"):
        ChatJylo(assistant_id=ASSISTANT, model=MODEL, unseen_turns="drop")


# -- LlamaIndex Jylo ---------------------------------------------------------------------------


def li_user(text: str) -> LIMessage:
    return LIMessage(role=MessageRole.USER, content=text)


def li_stored(role: MessageRole, text: str, message_id: str) -> LIMessage:
    ids = {"vendor": "jylo", "assistant_id": ASSISTANT, "message_id": message_id}
    return LIMessage(role=role, content=text, additional_kwargs=ids)


def test_li_answer_blocks_are_left_out_of_a_folded_turn(server: JyloServer) -> None:
    answer = LIMessage(
        role=MessageRole.ASSISTANT,
        blocks=[
            ThinkingBlock(content="hmm"),
            TextBlock(text="Hotels: 180 EUR."),
            CitationBlock(
                cited_content=TextBlock(text="Hotels"),
                source="s",
                title="t",
                additional_location_info={},
            ),
        ],
    )
    li(server).chat(
        [LIMessage(role=MessageRole.SYSTEM, content="S"), li_user("Q1"), answer, li_user("Q2")]
    )
    assert texts(server) == [
        "System instructions:\nS\n\nEarlier conversation:\nUser: Q1\nAssistant: Hotels: 180 EUR.\n\nQuestion:\nQ2"
    ]


def test_li_turns_before_a_stored_message_are_seen(server: JyloServer) -> None:
    history = [
        li_user("old"),
        li_stored(MessageRole.USER, "Q1", "q1"),
        li_stored(MessageRole.ASSISTANT, "A1", "r1"),
        li_user("Q2"),
    ]
    li(server).chat(history)
    assert texts(server) == ["Q2"]


def test_li_raise_and_ignore(server: JyloServer) -> None:
    history = [li_user("Q1"), LIMessage(role=MessageRole.ASSISTANT, content="A1"), li_user("Q2")]
    with pytest.raises(InvalidRequestError, match=r"messages\[0\] \(user message\), messages\[1\]"):
        li(server, unseen_turns="raise").chat(history)
    li(server, unseen_turns="ignore").chat(history)
    assert texts(server) == ["Q2"]


def test_li_a_tool_message_cannot_be_folded(server: JyloServer) -> None:
    with pytest.raises(InvalidRequestError, match=r"messages\[0\]: a 'tool' message"):
        li(server).chat([LIMessage(role=MessageRole.TOOL, content="x"), li_user("Q")])
    assert server.posts() == []


def test_li_system_messages_before_a_reply_a_store_already_got_are_an_error(
    server: JyloServer,
) -> None:
    question = li_stored(MessageRole.USER, "Q1", "q1")
    reply = li_stored(MessageRole.ASSISTANT, "A1", "r1")
    system = LIMessage(role=MessageRole.SYSTEM, content="Use this context: ...")
    with pytest.raises(InvalidRequestError, match=r"messages\[0\] \(system message\) cannot reach"):
        li(server).chat([system, question, reply])
    response = li(server, unseen_turns="ignore").chat([system, question, reply])
    assert response.message.content == "A1"
    assert server.posts() == []


# -- answers go back: the converters -----------------------------------------------------------


def test_answer_blocks_are_left_out_for_unleash_and_zaia() -> None:
    answer = AIMessage(V1_ANSWER)
    assert to_unleash_messages([HumanMessage("Q"), answer])[1] == {
        "role": "Assistant",
        "text": "Hotels: 180 EUR.",
    }
    assert message_text(answer, "m") == "Hotels: 180 EUR."
    assert zaia_text(answer, "m") == "Hotels: 180 EUR."


def test_other_blocks_are_still_errors() -> None:
    image = AIMessage(
        [{"type": "text", "text": "x"}, {"type": "image", "url": "https://x.test/a.png"}]
    )
    with pytest.raises(InvalidRequestError, match=r"messages\[1\]\.content\[1\]: a 'image' block"):
        to_unleash_messages([HumanMessage("Q"), image])
    with pytest.raises(UnsupportedOperationError, match=r"m\.content\[1\] is a 'image' block"):
        zaia_text(image, "m")


def test_zaia_roles_of_chunks_and_chat_messages() -> None:
    assert zaia_role(AIMessageChunk(content="x"), "m") == "assistant"
    assert zaia_role(ChatMessage(content="x", role="AI"), "m") == "assistant"
    assert zaia_role(ChatMessage(content="x", role="developer"), "m") == "system"
    with pytest.raises(UnsupportedOperationError, match="ToolMessage"):
        zaia_role(ToolMessage("x", tool_call_id="t"), "m")


def test_li_thinking_blocks_are_left_out_for_unleash() -> None:
    answer = LIMessage(
        role=MessageRole.ASSISTANT, blocks=[ThinkingBlock(content="hmm"), TextBlock(text="A")]
    )
    assert li_to_unleash([li_user("Q"), answer])[1] == {"role": "Assistant", "text": "A"}
    image = LIMessage(role=MessageRole.ASSISTANT, blocks=[ImageBlock(url="https://x.test/a.png")])
    with pytest.raises(InvalidRequestError, match=r"messages\[0\]\.blocks\[0\]: a 'image' block"):
        li_to_unleash([image])
