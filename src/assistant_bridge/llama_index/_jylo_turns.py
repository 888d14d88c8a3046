"""What the LlamaIndex `Jylo` posts: the newest user message, plus what the assistant has not seen.

The same rule and folded form as `ChatJylo` (see `assistant_bridge._adapter_core._turns` and
`assistant_bridge.langchain._jylo_turns`): every system message is sent with every call;
a message carrying the id of a message this assistant stores (a `Jylo` reply, a message
read from `JyloChatStore`) has been seen, and so has every message before the newest
such one; every other user or assistant message before the newest user message is
unseen, and is folded into the posted text, raised, or left out by ``unseen_turns``.
"""

from __future__ import annotations

from collections.abc import Sequence

from llama_index.core.base.llms.types import ChatMessage, MessageRole

from .. import InvalidRequestError
from .._adapter_core import (
    Outgoing,
    Turn,
    with_unseen,
)
from ._jylo_blocks import is_stored, user_parts
from ._messages import message_text, role_of

__all__ = ["outgoing"]


def _question(messages: Sequence[ChatMessage], assistant_id: str) -> Outgoing[ChatMessage]:
    if not messages:
        raise InvalidRequestError("messages: must hold at least one message", field="messages")
    where = f"messages[{len(messages) - 1}]"
    last = messages[-1]
    if last.role != MessageRole.USER:
        raise InvalidRequestError(
            f"{where}: Jylo answers the newest user message (the assistant keeps the "
            f"conversation), but the conversation ends with a {last.role.value!r} message",
            field=where,
        )
    if is_stored(last, assistant_id):
        raise InvalidRequestError(
            f"{where}: this user message is already stored by the assistant (it was posted "
            "before), so posting it again would repeat it; its reply is in the conversation",
            field=where,
        )
    parts = user_parts(last, where)
    if not parts.text.strip():
        raise InvalidRequestError(f"{where}: has no text to send", field=where)
    return parts


def _answered(messages: Sequence[ChatMessage], assistant_id: str) -> ChatMessage | None:
    """The stored reply the conversation ends with, right after its question, if any."""
    if len(messages) < 2:
        return None
    last, previous = messages[-1], messages[-2]
    if (
        last.role == MessageRole.ASSISTANT
        and is_stored(last, assistant_id)
        and previous.role == MessageRole.USER
    ):
        return last
    return None


def _turn(message: ChatMessage, where: str) -> tuple[Turn, Outgoing[ChatMessage]]:
    kind = f"{message.role.value} message"
    role = role_of(message)
    if role is None:
        raise InvalidRequestError(
            f"{where}: a {message.role.value!r} message cannot be sent to Jylo, which takes "
            "system, user and assistant messages only (earlier messages are folded into the "
            "posted text)",
            field=f"{where}.role",
        )
    if role == "User":
        parts = user_parts(message, where)
        return Turn(role, parts.text, where, kind), parts
    return Turn(role, message_text(message, where, vendor="Jylo"), where, kind), Outgoing()


def _too_late(turns: Sequence[Turn], question: int) -> InvalidRequestError:
    named = ", ".join(f"{t.where} ({t.kind})" for t in turns)
    return InvalidRequestError(
        f"{turns[0].where}: {named} cannot reach the Jylo assistant: the question "
        f"(messages[{question}]) was already posted, by a chat store, and answered without "
        "them; keep the history in a memory that does not post (so Jylo folds them into "
        "the question) or pass unseen_turns='ignore' to accept the stored answer",
        field=turns[0].where,
    )


def outgoing(
    messages: Sequence[ChatMessage], assistant_id: str, unseen_turns: str = "fold"
) -> Outgoing[ChatMessage]:
    """What a call posts: the newest user message with the messages not yet seen.

    Or, when the conversation ends with a stored reply to its question, that reply.

    Raises:
        InvalidRequestError: no messages, a conversation that ends with neither a user
            message nor a stored reply to its question, a user message without text, an
            unseen message that cannot be sent, or, with ``unseen_turns="raise"``, any
            unseen message.
    """
    reply = _answered(messages, assistant_id)
    if reply is not None:  # the question was posted (e.g. by a chat store) and answered
        late = [
            Turn("System", "", f"messages[{i}]", "system message")
            for i, m in enumerate(messages[:-2])
            if role_of(m) == "System"
        ]
        if late and unseen_turns != "ignore":
            raise _too_late(late, len(messages) - 2)
        return Outgoing(reply=reply)
    return with_unseen(
        _question(messages, assistant_id),
        messages[:-1],
        unseen_turns=unseen_turns,
        owner="Jylo",
        stored=lambda m: is_stored(m, assistant_id),
        is_system=lambda m: role_of(m) == "System",
        turn=_turn,
    )
