"""The framework-free core of the LangChain and LlamaIndex adapters.

It imports neither LangChain nor LlamaIndex (nor httpx): only the vendor packages and the
shared vendor-neutral modules (`assistant_bridge.sources`, ``_text_buffer``). What both
frameworks need lives here once, and the adapters are thin mappers to their types:

- per-call options (`_options`): unknown keywords rejected with the nearest names,
  filter merging, the Unleash v1/v2 choice (`UnleashChatCall`), `RetrievalOptions`;
- one answer stream (`_answers`), in the shape of anthropic's ``MessageStream``: text
  deltas and tool events as they come, the final `Answer` (text, sources with citation
  spans, ids, finish/incomplete reason, tool steps) at the end, also built from a whole
  response; the same for a Jylo reply (`_jylo_answers`: `JyloAnswerStream`, `JyloAnswer`);
  client-side stop sequences (`_stop`);
- the lazily made clients (`_clients`): one `Connection` per vendor, `Once` for the sync
  client, `PerLoop` (`_loops`) for one async client per event loop; `OwnLazyState`
  (`_lazy_state`) so copies of an adapter make their own;
- scores and stable ids of retrieved sources (`_ranking`: `ranked`);
- fetching resources' full text (`_content`); Jylo/Zaia history reads and uploads
  (`_conversations`), file bytes given inline as base64 or ``data:`` URLs
  (`_file_data`), resumable writes (`_resumable_jylo`, `_resumable_zaia`), unseen Jylo
  turns (`_turns`, `_outgoing`), `UnsupportedOperationError` (`_unsupported`);
- the agent tools' shared parts: the search arguments, their descriptions, checks and
  `SearchFilters` mapping (`_tool_arguments`: `SearchToolArguments`), and the text the
  tools return (`_tool_text`: `cited_answer_text`, `search_hits_text`);
- strict constructors (`_strict`): `StrictFields` rejects unknown fields with the nearest
  names, `spread_search_kwargs`, and `FiltersField` (mapping-typed ``filters=``).

The way of an Unleash v2 citation to a framework block, one line per representation:

1. the event's text (``data: {"reference": {...}}``), streamed or in a read body;
2. `ChatV2Reference`: validated straight from that text inside its `ChatV2Chunk`, and the
   same object kept by the assembler in the folded `ChatV2Response` (``Answer.response``);
3. `CitationSpan` in its `Source` (``Answer.sources``), read straight from the
   references, once per answer;
4. LlamaIndex: the ``CitationBlock``, built from the `Source`. LangChain: the
   ``additional_kwargs["sources"]`` item (public output, and the only form a message
   carries to LangChain's block translator);
5. LangChain: the ``Citation`` annotation, built from that item in one step.

(A whole body that lists its references under a plural ``references`` key, an inferred
variant, adds one step: that list's JSON dicts.)

Tool steps are folded once, by the assembler, into one `ToolStepRecord` per call: a whole
answer maps each record to one ``tool_steps`` item (LlamaIndex: the record's own dump); a
LangChain stream emits each tool event as it comes (chunk merging concatenates lists),
and LangChain's block translator folds those items per step id.
"""

from typing import TYPE_CHECKING

from .._lazy_imports import lazy_exports

if TYPE_CHECKING:
    from ._answers import (
        Answer,
        AnswerBuilder,
        AnswerEvent,
        AnswerStream,
        AsyncAnswerStream,
        TextDelta,
        ToolEvent,
        VendorResponse,
        clip_sources,
        source_item_parts,
        source_items,
    )
    from ._clients import (
        Connection,
        Once,
        UnleashConnection,
        limits,
        secret,
    )
    from ._content import (
        awith_content,
        with_content,
    )
    from ._conversations import (
        JYLO_PAGE_SIZE,
        ZAIA_MAX_LIMIT,
        Attachment,
        JyloConnection,
        ZaiaConnection,
        aread_jylo,
        aread_zaia,
        aread_zaia_chats,
        aupload_all,
        check_prefix,
        in_order,
        read_jylo,
        read_zaia,
        read_zaia_chats,
        split_key,
        stored_zaia_role,
        upload_all,
        zaia_metadata,
    )
    from ._file_data import (
        check_media_type,
        decode_base64,
        default_filename,
        is_data_url,
        parse_data_url,
    )
    from ._jylo_answers import (
        AsyncJyloAnswerStream,
        JyloAnswer,
        JyloAnswerStream,
        plain_text,
    )
    from ._lazy_state import (
        OwnLazyState,
    )
    from ._loops import (
        PerLoop,
    )
    from ._options import (
        FILTER_KEYWORDS,
        TIME_BOUNDS,
        ApiVersion,
        RetrievalOptions,
        UnleashChatCall,
        check_flag,
        check_k,
        check_v2_filters,
        filter_name,
        filter_text,
        jylo_call,
        merge_filters,
        reject_unknown,
        unknown_name,
    )
    from ._outgoing import (
        Outgoing,
        with_unseen,
    )
    from ._ranking import RANK_SCORE, ranked, stable_id
    from ._repeat_safety import (
        may_have_acted,
        nothing_posted,
        retryable_status,
    )
    from ._resumable_jylo import (
        NEWEST,
        JyloItem,
        JyloWrite,
        apost_jylo,
        post_jylo,
        post_mark,
        posted,
        resume_start,
    )
    from ._resumable_zaia import (
        ZaiaItem,
        ZaiaWrite,
        awrite_zaia,
        external_id_for,
        sender_for,
        write_zaia,
    )
    from ._stop import (
        StopGuard,
    )
    from ._strict import (
        NO_FILTERS,
        FiltersField,
        StrictFields,
        check_connection,
        constructor_names,
        reject_unknown_fields,
        spread_search_kwargs,
    )
    from ._tool_arguments import (
        MAX_SEARCH_RESULTS,
        SEARCH_ARGUMENT_DESCRIPTIONS,
        SEARCH_ARGUMENTS,
        SEARCH_TOOL_FILTERS,
        SearchToolArguments,
        search_tool_arguments,
    )
    from ._tool_text import (
        DEFAULT_SNIPPET_CHARS,
        cited_answer_text,
        search_hits_text,
    )
    from ._turns import (
        Turn,
        UnseenTurns,
        fold_turns,
        seen_until,
        unseen,
        unseen_error,
    )
    from ._unsupported import (
        UnsupportedOperationError,
        unsupported,
    )
    from ._wire import (
        unleash_wire,
    )

__all__ = [
    "DEFAULT_SNIPPET_CHARS",
    "FILTER_KEYWORDS",
    "JYLO_PAGE_SIZE",
    "MAX_SEARCH_RESULTS",
    "NEWEST",
    "NO_FILTERS",
    "RANK_SCORE",
    "SEARCH_ARGUMENTS",
    "SEARCH_ARGUMENT_DESCRIPTIONS",
    "SEARCH_TOOL_FILTERS",
    "TIME_BOUNDS",
    "ZAIA_MAX_LIMIT",
    "Answer",
    "AnswerBuilder",
    "AnswerEvent",
    "AnswerStream",
    "ApiVersion",
    "AsyncAnswerStream",
    "AsyncJyloAnswerStream",
    "Attachment",
    "Connection",
    "FiltersField",
    "JyloAnswer",
    "JyloAnswerStream",
    "JyloConnection",
    "JyloItem",
    "JyloWrite",
    "Once",
    "Outgoing",
    "OwnLazyState",
    "PerLoop",
    "RetrievalOptions",
    "SearchToolArguments",
    "StopGuard",
    "StrictFields",
    "TextDelta",
    "ToolEvent",
    "Turn",
    "UnleashChatCall",
    "UnleashConnection",
    "UnseenTurns",
    "UnsupportedOperationError",
    "VendorResponse",
    "ZaiaConnection",
    "ZaiaItem",
    "ZaiaWrite",
    "apost_jylo",
    "aread_jylo",
    "aread_zaia",
    "aread_zaia_chats",
    "aupload_all",
    "awith_content",
    "awrite_zaia",
    "check_flag",
    "check_connection",
    "check_media_type",
    "default_filename",
    "check_k",
    "check_prefix",
    "check_v2_filters",
    "cited_answer_text",
    "clip_sources",
    "constructor_names",
    "decode_base64",
    "external_id_for",
    "filter_name",
    "filter_text",
    "fold_turns",
    "in_order",
    "is_data_url",
    "jylo_call",
    "limits",
    "ranked",
    "stable_id",
    "may_have_acted",
    "merge_filters",
    "nothing_posted",
    "parse_data_url",
    "post_jylo",
    "plain_text",
    "post_mark",
    "posted",
    "read_jylo",
    "read_zaia",
    "read_zaia_chats",
    "reject_unknown",
    "reject_unknown_fields",
    "resume_start",
    "retryable_status",
    "search_hits_text",
    "search_tool_arguments",
    "secret",
    "seen_until",
    "sender_for",
    "source_item_parts",
    "source_items",
    "split_key",
    "spread_search_kwargs",
    "stored_zaia_role",
    "unknown_name",
    "unleash_wire",
    "unseen",
    "unseen_error",
    "unsupported",
    "upload_all",
    "with_content",
    "with_unseen",
    "write_zaia",
    "zaia_metadata",
]

if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        globals(),
        {
            "._answers": (
                "Answer",
                "AnswerBuilder",
                "AnswerEvent",
                "AnswerStream",
                "AsyncAnswerStream",
                "TextDelta",
                "ToolEvent",
                "VendorResponse",
                "clip_sources",
                "source_item_parts",
                "source_items",
            ),
            "._clients": (
                "Connection",
                "Once",
                "UnleashConnection",
                "limits",
                "secret",
            ),
            "._content": (
                "awith_content",
                "with_content",
            ),
            "._conversations": (
                "JYLO_PAGE_SIZE",
                "ZAIA_MAX_LIMIT",
                "Attachment",
                "JyloConnection",
                "ZaiaConnection",
                "aread_jylo",
                "aread_zaia",
                "aread_zaia_chats",
                "aupload_all",
                "check_prefix",
                "in_order",
                "read_jylo",
                "read_zaia",
                "read_zaia_chats",
                "split_key",
                "stored_zaia_role",
                "upload_all",
                "zaia_metadata",
            ),
            "._file_data": (
                "check_media_type",
                "decode_base64",
                "default_filename",
                "is_data_url",
                "parse_data_url",
            ),
            "._jylo_answers": (
                "AsyncJyloAnswerStream",
                "JyloAnswer",
                "JyloAnswerStream",
                "plain_text",
            ),
            "._lazy_state": ("OwnLazyState",),
            "._loops": ("PerLoop",),
            "._options": (
                "FILTER_KEYWORDS",
                "TIME_BOUNDS",
                "ApiVersion",
                "RetrievalOptions",
                "UnleashChatCall",
                "check_flag",
                "check_k",
                "check_v2_filters",
                "filter_name",
                "filter_text",
                "jylo_call",
                "merge_filters",
                "reject_unknown",
                "unknown_name",
            ),
            "._outgoing": (
                "Outgoing",
                "with_unseen",
            ),
            "._ranking": ("RANK_SCORE", "ranked", "stable_id"),
            "._repeat_safety": (
                "may_have_acted",
                "nothing_posted",
                "retryable_status",
            ),
            "._resumable_jylo": (
                "NEWEST",
                "JyloItem",
                "JyloWrite",
                "apost_jylo",
                "post_jylo",
                "post_mark",
                "posted",
                "resume_start",
            ),
            "._resumable_zaia": (
                "ZaiaItem",
                "ZaiaWrite",
                "awrite_zaia",
                "external_id_for",
                "sender_for",
                "write_zaia",
            ),
            "._stop": ("StopGuard",),
            "._strict": (
                "NO_FILTERS",
                "FiltersField",
                "StrictFields",
                "check_connection",
                "constructor_names",
                "reject_unknown_fields",
                "spread_search_kwargs",
            ),
            "._tool_arguments": (
                "MAX_SEARCH_RESULTS",
                "SEARCH_ARGUMENTS",
                "SEARCH_ARGUMENT_DESCRIPTIONS",
                "SEARCH_TOOL_FILTERS",
                "SearchToolArguments",
                "search_tool_arguments",
            ),
            "._tool_text": (
                "DEFAULT_SNIPPET_CHARS",
                "cited_answer_text",
                "search_hits_text",
            ),
            "._turns": (
                "Turn",
                "UnseenTurns",
                "fold_turns",
                "seen_until",
                "unseen",
                "unseen_error",
            ),
            "._unsupported": (
                "UnsupportedOperationError",
                "unsupported",
            ),
            "._wire": ("unleash_wire",),
        },
    )
