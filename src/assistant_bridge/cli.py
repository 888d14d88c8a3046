"""The ``assistant-bridge`` command.

- ``assistant-bridge ask "question"`` streams an Unleash answer to the terminal with
  numbered citations and a list of sources. With ``UNLEASH_API_KEY`` set it asks the real
  Unleash; otherwise it starts the embedded emulator (offline, fictional data) and says so.
- ``assistant-bridge emulator --port 8765 [--dialect extended] [--variant ...]`` serves
  the emulator of all three APIs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from typing import TextIO

from . import __version__
from ._transport import AssistantBridgeError
from .unleash import ChatAssembler, ChatV2Assembler, UnleashClient

__all__ = ["main"]


class _Numbering:
    """Numbers sources in the order the answer first cites them."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}

    def __call__(self, key: str) -> int:
        return self.numbers.setdefault(key, len(self.numbers) + 1)


def _print_sources(out: TextIO, numbering: _Numbering, titles: dict[str, tuple[str, str]]) -> None:
    if not numbering.numbers:
        out.write("\n\n(no sources cited)\n")
        return
    out.write("\n\nSources:\n")
    for key, number in numbering.numbers.items():
        title, url = titles.get(key, (key, ""))
        out.write(f"  [{number}] {title}" + (f" — {url}" if url else "") + "\n")


def _ask_v2(client: UnleashClient, question: str, out: TextIO, err: TextIO) -> None:
    assembler = ChatV2Assembler()
    numbering = _Numbering()
    with client.stream_chat_v2([{"role": "User", "text": question}]) as stream:
        for chunk in stream:
            assembler.add(chunk)
            tool = chunk.tool
            if tool and tool.tool_call_status and str(tool.tool_call_status.status) == "Start":
                step = tool.tool_step.step_description if tool.tool_step else None
                err.write(f"[{step or 'working'}…]\n")
            if chunk.text:
                out.write(chunk.text)
                out.flush()
            if chunk.reference:
                marks = "".join(f"[{numbering(i)}]" for i in chunk.reference.reference_ids)
                out.write(marks)
    result = assembler.result()
    titles = {r.id: (r.title or r.name or r.id, r.url or "") for r in result.resources if r.id}
    for web in result.web_sources:
        key = web.id or web.url
        if key:
            titles[key] = (web.title or web.url or key, web.url or "")
    _print_sources(out, numbering, titles)


def _ask_v1(client: UnleashClient, question: str, out: TextIO) -> None:
    assembler = ChatAssembler()
    numbering = _Numbering()
    with client.stream_chat([{"role": "User", "text": question}]) as stream:
        for event in stream:
            assembler.add(event)
            if str(event.type) != "Message":
                continue
            for part in event.parts_list:
                if part.is_text and part.text:
                    out.write(part.text)
                elif part.is_inline_reference:
                    out.write("".join(f"[{numbering(str(i))}]" for i in part.indices))
            out.flush()
    result = assembler.result()
    by_id = {r.id: r for r in result.resources if r.id}
    titles: dict[str, tuple[str, str]] = {}
    for index, reference in enumerate(result.references):
        resource = by_id.get(reference.resource_id or "")
        if resource is not None:
            titles[str(index)] = (
                resource.title or resource.name or str(resource.id),
                resource.url or "",
            )
    _print_sources(out, numbering, titles)


@contextlib.contextmanager
def _unleash_client(err: TextIO) -> Iterator[UnleashClient]:
    if os.environ.get("UNLEASH_API_KEY", "").strip():
        with UnleashClient() as client:
            yield client
        return
    from .emulator import EMULATOR_KEYS, run_emulator

    err.write(
        "No UNLEASH_API_KEY set: answering from the built-in emulator (offline, fictional data).\n"
    )
    with (
        run_emulator() as base_url,
        UnleashClient(EMULATOR_KEYS["unleash"], base_url=base_url.unleash) as client,
    ):
        yield client


def _ask(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with _unleash_client(err) as client:
        if args.api == "v1":
            _ask_v1(client, args.question, out)
        else:
            _ask_v2(client, args.question, out, err)
    return 0


def _emulator(args: argparse.Namespace, out: TextIO) -> int:
    from .emulator import emulator_env, serve

    url = f"http://127.0.0.1:{args.port}"
    out.write(f"assistant-bridge emulator on {url} (Ctrl-C to stop). Point the clients at it:\n")
    for name, value in emulator_env(url).items():
        out.write(f"  export {name}={value}\n")
    out.flush()
    serve(port=args.port, faults=args.fault, dialect=args.dialect, variants=args.variant)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant-bridge", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--version", action="version", version=f"assistant-bridge {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    ask = commands.add_parser(
        "ask", help="ask Unleash (or the offline emulator) and stream the answer"
    )
    ask.add_argument("question")
    ask.add_argument(
        "--api", choices=("v2", "v1"), default="v2", help="chat API version (default v2)"
    )
    emulator = commands.add_parser(
        "emulator", help="serve the emulator of all three APIs on loopback"
    )
    emulator.add_argument("--port", type=int, default=8765)
    emulator.add_argument(
        "--fault", default=None, help="a fault set applied to every request, e.g. '503;times=1'"
    )
    emulator.add_argument(
        "--dialect",
        choices=("documented", "extended"),
        default=None,
        help="documented (the default): only what the vendors document; extended: plus "
        "the fields the package infers",
    )
    emulator.add_argument(
        "--variant",
        default=None,
        help="shapes the documents leave open, e.g. 'v2-text=snapshot,jylo-stream=ndjson'",
    )
    return parser


def main(
    argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run the command line; returns the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    args = _parser().parse_args(argv)
    try:
        if args.command == "ask":
            return _ask(args, out, err)
        return _emulator(args, out)
    except ImportError as exc:  # the emulator extra is missing
        err.write(f"error: {exc}\n")
        return 1
    except AssistantBridgeError as exc:
        err.write(f"error: {exc}\n")
        return 1
    except ValueError as exc:  # an unknown emulator dialect or variant
        err.write(f"error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
