"""The public packages load their modules on first use (issue 14), with nothing else changed.

``import assistant_bridge`` loads the error tree only; a vendor client, an adapter or a
model loads what it needs when first used. The import checks run in fresh interpreters
(the test process has long imported everything); the export checks run here, against the
``TYPE_CHECKING`` imports of each ``__init__``, which are what type checkers and IDEs see.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

PACKAGES = (
    "assistant_bridge",
    "assistant_bridge.unleash",
    "assistant_bridge.jylo",
    "assistant_bridge.zaia",
    "assistant_bridge.langchain",
    "assistant_bridge.llama_index",
    "assistant_bridge._adapter_core",
)

_PRELUDE = "import json, sys\n"
_MODULES = "sorted(m for m in sys.modules if m.split('.')[0] in ('assistant_bridge', 'langchain_core', 'llama_index', 'langchain_openai'))"


def _run(code: str) -> Any:
    """Run ``code`` in a fresh interpreter; what it printed last, read as JSON."""
    done = subprocess.run(
        [sys.executable, "-c", _PRELUDE + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _loaded(modules: list[str], *prefixes: str) -> list[str]:
    return [m for m in modules if m.startswith(prefixes)]


def test_bare_import_loads_no_client_and_no_framework() -> None:
    out = _run(
        f"""
        import assistant_bridge
        before = {_MODULES}
        version = assistant_bridge.__version__
        error = assistant_bridge.APIError.__module__
        sys.modules["langchain_core"] = None  # as if the extra were not installed
        try:
            import assistant_bridge.langchain
        except ImportError as exc:
            guard = str(exc)
        else:
            guard = None
        print(json.dumps({{"modules": before, "version": version, "error": error, "guard": guard}}))
        """
    )
    modules = out["modules"]
    assert _loaded(modules, "langchain_core", "llama_index") == []
    for vendor in ("unleash", "jylo", "zaia"):
        assert _loaded(modules, f"assistant_bridge.{vendor}") == [], vendor
    assert "assistant_bridge._transport._client" not in modules
    assert out["version"] == importlib.import_module("assistant_bridge._version").__version__
    assert out["error"] == "assistant_bridge._transport._exceptions"
    assert out["guard"] is not None
    assert "pip install 'assistant-bridge[langchain]'" in out["guard"]


def test_chat_unleash_loads_neither_jylo_zaia_nor_llama_index() -> None:
    out = _run(
        f"""
        from assistant_bridge.langchain import ChatUnleash
        print(json.dumps({_MODULES}))
        """
    )
    assert "assistant_bridge.langchain._chat_unleash" in out
    assert _loaded(out, "assistant_bridge.jylo", "assistant_bridge.zaia") == []
    assert (
        _loaded(
            out,
            "assistant_bridge._adapter_core._conversations",
            "assistant_bridge._adapter_core._resumable",
        )
        == []
    )
    assert _loaded(out, "assistant_bridge.langchain._chat_jylo", "llama_index") == []
    assert _loaded(out, "langchain_openai") == []
    # chatting needs neither the search models nor LangChain's tools and documents
    assert "assistant_bridge.unleash._types_search" not in out
    assert _loaded(out, "langchain_core.tools", "langchain_core.documents") == []


def test_search_models_load_on_first_search() -> None:
    out = _run(
        f"""
        import httpx
        from assistant_bridge import UnleashClient
        from assistant_bridge.langchain import documents_from_message
        from langchain_core.messages import AIMessage
        before = {_MODULES}
        body = {{"results": [], "totalResults": 0}}
        handler = lambda request: httpx.Response(200, json=body)
        http = httpx.Client(transport=httpx.MockTransport(handler))
        page = UnleashClient("k", http_client=http).search("q")
        docs = documents_from_message(AIMessage("a", additional_kwargs={{"sources": [
            {{"text": "t", "metadata": {{"id": "d1"}}}}]}}))
        print(json.dumps({{"before": before, "after": {_MODULES},
                          "page": type(page).__name__, "doc": [type(docs[0]).__name__, docs[0].id]}}))
        """
    )
    assert "assistant_bridge.unleash._types_search" not in out["before"]
    assert _loaded(out["before"], "langchain_core.documents") == []
    assert "assistant_bridge.unleash._types_search" in out["after"]
    assert out["page"] == "SearchResponse"
    assert out["doc"] == ["Document", "d1"]


def test_the_langchain_chat_models_build_their_schema_on_first_use() -> None:
    out = _run(
        """
        from assistant_bridge.langchain import ChatJylo, ChatUnleash
        at_import = [ChatUnleash.__pydantic_complete__, ChatJylo.__pydantic_complete__]
        model = ChatUnleash(api_key="k", timeout=3)
        print(json.dumps({"at_import": at_import, "after": ChatUnleash.__pydantic_complete__,
                          "timeout": model.timeout}))
        """
    )
    assert out == {"at_import": [False, False], "after": True, "timeout": 3.0}


def test_deferred_models_build_once_and_streams_use_the_real_validator() -> None:
    out = _run(
        """
        import inspect
        import httpx
        from pydantic_core import SchemaValidator
        from assistant_bridge.unleash import ChatEvent, SearchResponse

        def real(model):
            return isinstance(model.__dict__.get("__pydantic_validator__"), SchemaValidator)

        facts = {"search_deferred": not real(SearchResponse), "event_deferred": not real(ChatEvent)}
        from assistant_bridge._transport import ServerSentEvent
        from assistant_bridge.unleash._reading import v1_body
        from assistant_bridge.unleash._requests import parse_v1_event

        facts["event_deferred_after_import"] = not real(ChatEvent)
        events = [*parse_v1_event(ServerSentEvent('{"type": "Message", "threadId": "t1"}'))]
        validator = ChatEvent.__pydantic_validator__
        captured = inspect.getclosurevars(parse_v1_event).nonlocals["validate_json"]
        facts["event_real"] = real(ChatEvent)
        facts["stream_uses_it"] = captured.__self__ is validator
        events += [
            *parse_v1_event(ServerSentEvent('{"type": "Message", "threadId": "t2"}')),
            *v1_body(httpx.Response(200, content=b'{"type": "Message", "threadId": "t3"}')),
        ]
        facts["threads"] = [e.thread_id for e in events]
        facts["types"] = sorted({type(e).__name__ for e in events})
        facts["event_same"] = ChatEvent.__pydantic_validator__ is validator

        first = SearchResponse.model_validate_json(b'{"results": [{"title": "a"}]}')
        built = SearchResponse.__pydantic_validator__
        second = SearchResponse.model_validate({"results": [{"title": "b"}]})
        facts["search_real"] = real(SearchResponse)
        facts["search_same"] = SearchResponse.__pydantic_validator__ is built
        facts["titles"] = [first.results[0].title, second.results[0].title]
        print(json.dumps(facts))
        """
    )
    assert out["search_deferred"], "response models should build on first use"
    assert out["event_deferred_after_import"], "importing the parsers builds no model"
    assert out["event_real"]
    assert out["stream_uses_it"], "the stream parser holds the built validator"
    assert out["event_same"], "and it is not rebuilt"
    assert out["threads"] == ["t1", "t2", "t3"]
    assert out["types"] == ["ChatEvent"]
    assert out["search_real"]
    assert out["search_same"], "built once, on first use"
    assert out["titles"] == ["a", "b"]


def _declared_exports(package: str) -> dict[str, str]:
    """Name -> defining module, from the ``__init__``'s eager and ``TYPE_CHECKING`` imports."""
    module = importlib.import_module(package)
    assert module.__file__ is not None
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    nodes: list[ast.stmt] = []
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            nodes.extend(node.body)
        else:
            nodes.append(node)
    found: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            where = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            for alias in node.names:
                found[alias.asname or alias.name] = where
    found.pop("lazy_exports", None)
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_every_export_resolves_to_its_defining_object(package: str) -> None:
    module = importlib.import_module(package)
    declared = _declared_exports(package)
    assert sorted(declared) == sorted(module.__all__)
    for name in module.__all__:
        value = getattr(module, name)
        assert value is getattr(importlib.import_module(declared[name]), name), name
        assert name in dir(module)
    namespace: dict[str, Any] = {}
    exec(f"from {package} import *", namespace)
    assert {n: namespace[n] for n in module.__all__} == {
        n: getattr(module, n) for n in module.__all__
    }


@pytest.mark.parametrize("package", PACKAGES)
def test_unknown_attribute_is_an_attribute_error(package: str) -> None:
    module = importlib.import_module(package)
    with pytest.raises(
        AttributeError, match=rf"^module '{package}' has no attribute 'NoSuchName'$"
    ):
        module.NoSuchName  # noqa: B018
    assert not hasattr(module, "NoSuchName")
    with pytest.raises(ImportError, match="cannot import name 'NoSuchName'"):
        exec(f"from {package} import NoSuchName", {})


def test_vendor_subpackages_stay_reachable_from_the_top_package() -> None:
    import assistant_bridge

    for vendor in ("unleash", "jylo", "zaia"):
        assert getattr(assistant_bridge, vendor) is importlib.import_module(
            f"assistant_bridge.{vendor}"
        )
        assert vendor in dir(assistant_bridge)


def test_the_adapter_core_loads_no_framework() -> None:
    out = _run(
        f"""
        import pkgutil, importlib
        import assistant_bridge._adapter_core as core
        for info in pkgutil.iter_modules(core.__path__):
            importlib.import_module(f"assistant_bridge._adapter_core.{{info.name}}")
        print(json.dumps({_MODULES}))
        """
    )
    assert "assistant_bridge._adapter_core._answers" in out
    assert _loaded(out, "langchain_core", "llama_index", "assistant_bridge.langchain") == []
    assert _loaded(out, "assistant_bridge.llama_index") == []
