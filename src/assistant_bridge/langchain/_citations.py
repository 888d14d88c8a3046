"""`format_citations`: an answer of `ChatUnleash` or `ChatJylo` as text with numbered sources.

Both chat models put the sources they used in ``additional_kwargs["sources"]``
(``[{"text", "metadata"}]``, the metadata of `assistant_bridge.sources`), each with the
spans of the answer that cite it (``metadata["citations"]``: ``start_index``,
``end_index``, ``cited_text``). The rendering (a ``[n]`` marker after each cited span,
then a numbered ``Sources:`` list) is the adapter core's, the same text the LlamaIndex
``ask`` tools give.
"""

from __future__ import annotations

from langchain_core.messages import BaseMessage

from .._adapter_core import cited_answer_text

__all__ = ["format_citations"]


def format_citations(message: BaseMessage, *, include_uncited: bool = False) -> str:
    """The answer text with a ``[n]`` after each cited span, then its numbered sources.

    Sources are numbered in the order they are first cited in the text; a span cited by
    several sources gets every number (``[1][2]``), and a source cited twice keeps one
    number. The list follows a blank line:

    ```text
    The billing service is owned by the Payments team.[1]

    Sources:
      [1] Billing service: ownership and runbook - https://wiki.example/billing
    ```

    Args:
        message: an ``AIMessage`` (or merged stream chunk) from `ChatUnleash` or
            `ChatJylo`; any message with ``additional_kwargs["sources"]`` in that shape.
        include_uncited: also list the sources the answer used but cites nowhere, under
            ``Also consulted (not cited):`` (numbered after the cited ones, without
            markers in the text).

    Returns:
        The text alone when no source is listed (a message without sources, or one
        whose sources are all uncited while ``include_uncited`` is False).
    """
    return cited_answer_text(
        str(message.text),
        message.additional_kwargs.get("sources"),
        include_uncited=include_uncited,
    )
