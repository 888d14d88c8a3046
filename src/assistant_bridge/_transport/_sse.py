r"""Incremental decoders for the event streams the vendors send.

Each decoder takes the body's bytes as they arrive (``feed``) and returns the events that
became complete, never waiting for the whole body; ``flush`` returns what is left when
the body ends. Bytes are decoded as UTF-8 incrementally, so a character split across
network chunks is joined, and a line end split across chunks (``\r`` | ``\n``) is one.

- `SSEDecoder`: standard server-sent events (``data:`` lines, multi-line data, ``:``
  comments, ``event:``/``id:``/``retry:`` fields, CRLF, CR or LF line ends).
- `UnleashV1Decoder`: the framing of Unleash chat v1, as the vendor's JS SDK reads it: a
  line starting ``data: `` opens an event, any other non-empty line continues its JSON.
  An event is yielded as soon as its JSON value is complete.
- `JSONSequenceDecoder`: a whole JSON body, newline-delimited JSON, or concatenated JSON
  values; each top-level value is one event.
- `AutoDecoder`: looks at the first non-blank character of the body: ``{`` or ``[``
  means JSON, anything else the decoder the caller expected. Servers that ignore
  ``Accept`` or label a stream wrongly are read correctly either way.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol

from ._exceptions import StreamError

__all__ = [
    "AutoDecoder",
    "EventDecoder",
    "JSONSequenceDecoder",
    "SSEDecoder",
    "ServerSentEvent",
    "UnleashV1Decoder",
]

_MAX_QUOTED = 200
_BOM = b"\xef\xbb\xbf"
_LINE_END = re.compile(r"\r\n|\r|\n")
_IN_STRING = re.compile(r'["\\]')
_OUTSIDE_STRING = re.compile(r'["{}\[\]]')
_RAW_JSON = json.JSONDecoder()
_SSE_FIELD = re.compile(r"(?:event|id|retry)(?::|$)")


def _quote(text: str) -> str:
    return text if len(text) <= _MAX_QUOTED else text[: _MAX_QUOTED - 1] + "…"


class ServerSentEvent(NamedTuple):
    """One decoded event: its data and, for SSE, its ``event``, ``id`` and ``retry`` fields.

    A named tuple, immutable and cheap to make (streams make one per event).
    """

    data: str
    event: str | None = None
    id: str | None = None
    retry: int | None = None

    def json(self) -> Any:
        """The data as JSON, or a `StreamError` that quotes the offending text (truncated)."""
        try:
            return json.loads(self.data)
        except ValueError as exc:
            quoted = _quote(self.data)
            raise StreamError(
                f"malformed event in the stream ({exc.msg} at character {exc.pos}): {quoted!r}"
                if isinstance(exc, json.JSONDecodeError)
                else f"malformed event in the stream: {quoted!r}",
                text=quoted,
            ) from None


class EventDecoder(Protocol):
    """What every decoder does: bytes in, complete events out."""

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Take the next bytes of the body; return the events they completed."""
        ...

    def flush(self) -> list[ServerSentEvent]:
        """The body ended: return the last events (an unterminated final one included)."""
        ...


class _Lines:
    """Bytes in, complete text lines out (UTF-8 and line ends split across chunks joined)."""

    def __init__(self) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending: list[str] = []
        self._after_cr = False
        self._started = False

    def _text(self, text: str) -> str:
        if not self._started and text:
            self._started = True
            text = text.removeprefix("\ufeff")
        if text:
            if self._after_cr and text[0] == "\n":
                text = text[1:]  # the second half of a CRLF split across chunks
            self._after_cr = text.endswith("\r")
        return text

    def feed(self, chunk: bytes) -> list[str]:
        text = self._text(self._utf8.decode(chunk))
        if not text:
            return []
        pieces = text.split("\n") if "\r" not in text else _LINE_END.split(text)
        if len(pieces) == 1:
            self._pending.append(text)
            return []
        pieces[0] = "".join(self._pending) + pieces[0]
        tail = pieces.pop()
        self._pending = [tail] if tail else []
        return pieces

    def flush(self) -> list[str]:
        tail = self._text(self._utf8.decode(b"", final=True))
        rest = "".join(self._pending) + tail
        self._pending = []
        return [line for line in _LINE_END.split(rest) if line] if rest else []


class SSEDecoder:
    """Standard server-sent events, decoded incrementally (WHATWG event-stream rules)."""

    def __init__(self) -> None:
        self._lines = _Lines()
        self._data: list[str] = []
        self._event: str | None = None
        self._id: str | None = None
        self._retry: int | None = None

    def _dispatch(self) -> ServerSentEvent | None:
        if not self._data:
            self._event = None
            return None
        event = ServerSentEvent(
            data="\n".join(self._data), event=self._event, id=self._id, retry=self._retry
        )
        self._data = []
        self._event = None
        return event

    def _line(self, line: str, out: list[ServerSentEvent]) -> None:
        if not line:
            event = self._dispatch()
            if event is not None:
                out.append(event)
            return
        if line.startswith(":"):
            return  # a comment or heartbeat
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value or None
        elif name == "id":
            if "\0" not in value:
                self._id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Take the next bytes; return the events whose blank line arrived."""
        out: list[ServerSentEvent] = []
        data = self._data
        for line in self._lines.feed(chunk):
            if line.startswith("data: "):  # the common line, handled without the general rules
                data.append(line[6:])
            elif line:  # other fields and comments (never the end of an event)
                self._line(line, out)
            elif data:  # a blank line ends an event: the inlined `_dispatch`
                out.append(ServerSentEvent("\n".join(data), self._event, self._id, self._retry))
                data = self._data = []
                self._event = None
            else:
                self._event = None
        return out

    def flush(self) -> list[ServerSentEvent]:
        """The body ended: a final event without its blank line is still returned."""
        out: list[ServerSentEvent] = []
        for line in self._lines.flush():
            self._line(line, out)
        self._line("", out)
        return out


class _JSONDepth:
    """Tracks where top-level JSON values end in text seen piece by piece.

    Only brackets and strings are followed; a scalar outside any bracket is not a value
    here (the callers end those at line ends).
    """

    def __init__(self) -> None:
        self.depth = 0
        self.in_string = False
        self.escaped = False

    def end(self, text: str, pos: int = 0) -> int:
        """The offset just past the first bracketed value to close in ``text[pos:]``, or -1.

        The scan stops there, so the next call goes on from that offset.
        """
        size = len(text)
        while pos < size:
            if self.escaped:
                self.escaped = False
                pos += 1
                continue
            match = (_IN_STRING if self.in_string else _OUTSIDE_STRING).search(text, pos)
            if match is None:
                return -1
            char = match.group()
            pos = match.end()
            if self.in_string:
                if char == "\\":
                    self.escaped = True
                else:
                    self.in_string = False
            elif char == '"':
                self.in_string = True
            elif char in "{[":
                self.depth += 1
            elif self.depth > 0:
                self.depth -= 1
                if self.depth == 0:
                    return pos
        return -1

    def reset(self) -> None:
        self.depth = 0
        self.in_string = False
        self.escaped = False


def _whole_value(text: str) -> bool:
    """Whether ``text`` (starting with a bracket) begins with one whole JSON value.

    Then the bracket scanner would find that value closed too; checking with the C parser
    spares a Python loop over every quote and bracket. Anything else is left to the scanner.
    """
    try:
        _RAW_JSON.raw_decode(text)
    except ValueError:
        return False
    return True


class UnleashV1Decoder:
    """Unleash chat v1 framing: ``data: `` opens an event; other non-empty lines continue it.

    There are no event names and no ``[DONE]``: an event ends when its JSON value is
    complete, when the next ``data: `` line opens, or when the body ends.
    """

    def __init__(self) -> None:
        self._lines = _Lines()
        self._buffer: list[str] = []
        self._scan = _JSONDepth()
        self._bracketed = False

    def _emit(self, out: list[ServerSentEvent]) -> None:
        buffer = self._buffer
        text = (buffer[0] if len(buffer) == 1 else "\n".join(buffer)).strip()
        self._buffer = []
        self._scan.reset()
        self._bracketed = False
        if text:
            out.append(ServerSentEvent(data=text))

    def _append(self, text: str, out: list[ServerSentEvent]) -> None:
        self._buffer.append(text)
        if not self._bracketed:
            stripped = text.lstrip()
            if not stripped:
                return
            self._bracketed = stripped[0] in "{["
            if not self._bracketed:  # a bare scalar such as [DONE]-less ``data: 1``
                self._emit(out)
                return
            if _whole_value(stripped):  # the usual event: one line, one value (C parser)
                self._emit(out)
                return
        if self._scan.end(text) >= 0:
            self._emit(out)

    def _line(self, line: str, out: list[ServerSentEvent]) -> None:
        if line.startswith("data:"):  # the usual line, first
            if self._buffer:
                self._emit(out)
            self._append(line[5:].removeprefix(" "), out)
        elif not self._buffer and _SSE_FIELD.match(line):
            return  # a gateway's standard SSE framing (event:, id:, retry:) between events
        elif line.strip() and not (line.startswith(":") and not self._buffer):
            self._append(line, out)

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Take the next bytes; return the events whose JSON became complete."""
        out: list[ServerSentEvent] = []
        for line in self._lines.feed(chunk):
            self._line(line, out)
        return out

    def flush(self) -> list[ServerSentEvent]:
        """The body ended: whatever is left is the last event (malformed if incomplete)."""
        out: list[ServerSentEvent] = []
        for line in self._lines.flush():
            self._line(line, out)
        if self._buffer:
            self._emit(out)
        return out


class JSONSequenceDecoder:
    """A whole JSON body, NDJSON, or concatenated JSON: each top-level value is one event."""

    def __init__(self) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending: list[str] = []
        self._scan = _JSONDepth()
        self._started = False

    def _take(self, text: str) -> list[ServerSentEvent]:
        if not self._started and text:
            self._started = True
            text = text.removeprefix("\ufeff")
        out: list[ServerSentEvent] = []
        start = 0
        if self._scan.depth == 0 and not self._scan.in_string:
            # Between values, a bare scalar (NDJSON of numbers, say) ends at its line end.
            start = self._bare_lines(text, out)
            start = self._whole_values(text, out, start)
        while start < len(text):
            end = self._scan.end(text, start)
            if end < 0:
                self._pending.append(text[start:])
                break
            value = ("".join(self._pending) + text[start:end]).strip()
            self._pending = []
            out.append(ServerSentEvent(data=value))
            start = self._bare_lines(text, out, end)
        return out

    def _whole_values(self, text: str, out: list[ServerSentEvent], start: int) -> int:
        """Emit the complete, valid values at ``start`` using the C JSON parser.

        A fast path for the common case (a whole JSON body or whole NDJSON lines in one
        chunk): scanning bracket by bracket in Python costs ten times more. It stops at
        the first value that is incomplete or invalid, which the scanner then takes.
        """
        while start < len(text) and not self._pending:
            try:
                _, end = _RAW_JSON.raw_decode(text, start)
            except ValueError:
                return start
            out.append(ServerSentEvent(data=text[start:end]))
            start = self._bare_lines(text, out, end)
        return start

    def _bare_lines(self, text: str, out: list[ServerSentEvent], start: int = 0) -> int:
        """Skip blank text and emit bare scalar lines (strings too) until the next bracket."""
        while start < len(text):
            if not self._pending:
                rest = text[start:]
                stripped = rest.lstrip()
                if not stripped:
                    return len(text)
                start += len(rest) - len(stripped)
                if stripped[0] in "{[":
                    return start
            newline = _LINE_END.search(text, start)
            if newline is None:
                self._pending.append(text[start:])
                return len(text)
            line = ("".join(self._pending) + text[start : newline.start()]).strip()
            self._pending = []
            if line:
                out.append(ServerSentEvent(data=line))
            start = newline.end()
        return start

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Take the next bytes; return the values that became complete."""
        return self._take(self._utf8.decode(chunk))

    def flush(self) -> list[ServerSentEvent]:
        """The body ended: what is left is one last value (malformed if incomplete)."""
        out = self._take(self._utf8.decode(b"", final=True))
        rest = "".join(self._pending).strip()
        self._pending = []
        self._scan.reset()
        if rest:
            out.append(ServerSentEvent(data=rest))
        return out


class AutoDecoder:
    """Chooses by the body's first non-blank character: JSON for ``{``/``[``, else ``expected``."""

    def __init__(self, expected: Callable[[], EventDecoder]) -> None:
        self._expected = expected
        self._chosen: EventDecoder | None = None
        self._head = b""

    def _choose(self, data: bytes) -> EventDecoder | None:
        stripped = data.lstrip().removeprefix(_BOM).lstrip()
        if not stripped or _BOM.startswith(stripped):
            return None  # only blanks, or a byte-order mark still arriving
        return JSONSequenceDecoder() if stripped[:1] in (b"{", b"[") else self._expected()

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Take the next bytes, choosing the decoder once a non-blank byte arrived."""
        if self._chosen is not None:
            return self._chosen.feed(chunk)
        self._head += chunk
        self._chosen = self._choose(self._head)
        if self._chosen is None:
            return []
        head, self._head = self._head, b""
        return self._chosen.feed(head)

    @property
    def chose_json(self) -> bool:
        """Whether the body turned out to be JSON (a whole body, NDJSON or concatenated)."""
        return isinstance(self._chosen, JSONSequenceDecoder)

    def flush(self) -> list[ServerSentEvent]:
        """The body ended."""
        if self._chosen is None:
            return []
        return self._chosen.flush()
