"""What `ChatJylo` posts for a conversation: the newest human message, plus what the assistant has not seen.

A Jylo assistant keeps its own conversation, so a call posts one message. Messages that
this assistant has not seen would be lost; `outgoing` finds them and, by the caller's
choice (``unseen_turns``), folds them into the posted text (see `assistant_bridge._adapter_core._turns`
for the form), raises, or leaves them out.

The rule for "not seen", which needs no request:

- System messages are instructions for this call, not turns: every one is sent, with
  every call, wherever it stands (a prompt template renders them anew each time).
- A message that carries the id of a message this assistant stores (a `ChatJylo` reply,
  a message read from `JyloChatMessageHistory`) has been seen, and so has every message
  before the newest such one (that part of the conversation was posted to, or read
  from, the assistant).
- Every other human or AI message before the newest human message is unseen. Its text
  is sent (citation, server-tool and reasoning blocks are left out on purpose), and the
  files of an unseen human message are uploaded and attached to this post.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from .._adapter_core import (
    Outgoing,
    Turn,
    with_unseen,
)
from ._errors import InvalidRequestError
from ._jylo_parts import human_parts, is_stored
from ._messages import message_text, role_of

__all__ = ["outgoing"]

_HINT = " (earlier messages are folded into the posted text as text)"


def _question(messages: Sequence[BaseMessage]) -> Outgoing[None]:
    if not messages:
        raise InvalidRequestError("messages: must hold at least one message", field="messages")
    where = f"messages[{len(messages) - 1}]"
    last = messages[-1]
    if not isinstance(last, HumanMessage):
        raise InvalidRequestError(
            f"{where}: ChatJylo posts the newest human message to the assistant (which keeps "
            f"the conversation), but the conversation ends with a {type(last).__name__}",
            field=where,
        )
    parts = human_parts(last, where)
    if not parts.text.strip():
        raise InvalidRequestError(f"{where}: has no text to send", field=where)
    return parts


def _turn(message: BaseMessage, where: str) -> tuple[Turn, Outgoing[None]]:
    kind = type(message).__name__
    role = role_of(message)
    if role is None:
        raise InvalidRequestError(
            f"{where}: a {kind} cannot be sent to Jylo, which takes system, human and AI "
            "messages only (earlier messages are folded into the posted text)",
            field=where,
        )
    if isinstance(message, AIMessage) and message.tool_calls:
        raise InvalidRequestError(
            f"{where}: an AI message with tool calls cannot be sent to Jylo, which has no tools",
            field=where,
        )
    if role == "User" and isinstance(message, HumanMessage):
        parts = human_parts(message, where)
        return Turn(role, parts.text, where, kind), parts
    text = message_text(message, where, vendor="Jylo", hint=_HINT)
    return Turn(role, text, where, kind), Outgoing()


def outgoing(
    messages: Sequence[BaseMessage], assistant_id: str, unseen_turns: str = "fold"
) -> Outgoing[None]:
    """What to post: the newest human message, with the unseen messages before it.

    Args:
        messages: the conversation, oldest first; the newest must be a human message.
        assistant_id: the assistant posted to (its stored messages count as seen).
        unseen_turns: ``"fold"`` (send them folded into the text), ``"raise"`` or
            ``"ignore"`` (post the newest message alone).

    Raises:
        InvalidRequestError: no messages, a conversation that does not end with a human
            message with text, an unseen message that cannot be sent (a tool message, a
            non-text block in an AI message), or, with ``unseen_turns="raise"``, any
            unseen message.
    """
    return with_unseen(
        _question(messages),
        messages[:-1],
        unseen_turns=unseen_turns,
        owner="ChatJylo",
        stored=lambda m: is_stored(m, assistant_id),
        is_system=lambda m: role_of(m) == "System",
        turn=_turn,
    )
