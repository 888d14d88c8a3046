"""Every public name (the ``__all__`` of the public modules) has a docstring, for help() and IDEs.

Classes are checked with the package's own base classes (their public methods show in
``help()`` too); functions, methods, static and class methods and properties are checked.
A docstring must open with a one-line summary that ends a sentence (Google style).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest

PUBLIC_MODULES = (
    "assistant_bridge",
    "assistant_bridge.unleash",
    "assistant_bridge.jylo",
    "assistant_bridge.zaia",
    "assistant_bridge.langchain",
    "assistant_bridge.llama_index",
    "assistant_bridge.emulator",
)


def _own_classes(cls: type) -> Iterator[type]:
    for klass in cls.__mro__:
        if klass.__module__.startswith("assistant_bridge"):
            yield klass


def _function(value: Any) -> Callable[..., Any] | None:
    if isinstance(value, (staticmethod, classmethod)):
        value = value.__func__
    if isinstance(value, property):
        value = value.fget
    return value if inspect.isfunction(value) else None


def public_objects() -> list[tuple[str, Any]]:
    """(qualified name, object) of every public class, function and method to document."""
    found: dict[str, Any] = {}
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
            elif inspect.isclass(obj):
                for klass in _own_classes(obj):
                    if not klass.__name__.startswith("_"):
                        found[f"{klass.__module__}.{klass.__qualname__}"] = klass
                    for attr, value in vars(klass).items():
                        function = _function(value)
                        if function is not None and not attr.startswith("_"):
                            found[f"{klass.__module__}.{klass.__qualname__}.{attr}"] = function
    return sorted(found.items())


def test_the_walk_finds_the_main_classes_and_methods() -> None:
    names = {
        name.rsplit(".", 2)[-2] + "." + name.rsplit(".", 1)[-1] for name, _ in public_objects()
    }
    for expected in (
        "UnleashClient.search",
        "ChatUnleash.lc_secrets",
        "UnleashRetriever.with_filters",
        "ZaiaChatMessageHistory.clear",
    ):
        assert expected in names


@pytest.mark.parametrize(
    ("name", "obj"), public_objects(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_public_object_has_a_docstring(name: str, obj: Any) -> None:
    doc = obj.__dict__.get("__doc__") if inspect.isclass(obj) else obj.__doc__
    assert doc, f"{name} has no docstring"
    summary = inspect.cleandoc(doc).split("\n\n", 1)[0].strip()
    assert summary, f"{name} has an empty docstring"
    # A dataclass without a docstring gets its signature as __doc__: that is not one.
    assert not summary.startswith(f"{getattr(obj, '__name__', '')}("), f"{name} has no docstring"
    assert summary.endswith((".", ":", ")")), f"{name}: the summary line should end a sentence"
