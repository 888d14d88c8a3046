"""Lazy package exports (PEP 562): a public name's defining module is imported on first use.

A package ``__init__`` lists its exports by defining module and installs the returned
``__getattr__`` and ``__dir__``; it keeps the real imports under ``if TYPE_CHECKING:`` so
type checkers and IDEs see the same names::

    if TYPE_CHECKING:
        from ._client import Client

    __all__ = ["Client"]

    if not TYPE_CHECKING:
        __getattr__, __dir__ = lazy_exports(__name__, globals(), {"._client": ("Client",)})

The first access imports the module, reads the name and stores it in the package's
globals, so later accesses (and ``from package import name``) are ordinary lookups.
``from package import *`` works through ``__all__``; an unknown name raises the usual
``AttributeError``. Type checkers never see the hooks, so a misspelt name is still an
error to them.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str,
    namespace: dict[str, Any],
    exports: Mapping[str, Iterable[str]],
    *,
    submodules: Iterable[str] = (),
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a package that exports names lazily.

    Args:
        package: the package's ``__name__``.
        namespace: the package's ``globals()``; loaded names are cached there.
        exports: defining module (relative to ``package``, e.g. ``"._client"``, or
            absolute) to the names it exports.
        submodules: subpackages that stay reachable as attributes (``package.sub``)
            without being imported first, as when the package imported them eagerly.
    """
    where: dict[str, str] = {}
    for module, names in exports.items():
        for name in names:
            if name in where:
                raise ValueError(f"{package}: {name!r} is exported twice")
            where[name] = module
    subpackages = frozenset(submodules)
    for name in subpackages:
        where[name] = f".{name}"

    def __getattr__(name: str) -> Any:  # noqa: N807 - the PEP 562 hook
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        # ``__import__`` rather than ``importlib.import_module``: the same import, but one
        # that ``python -X importtime`` reports.
        qualified = importlib.util.resolve_name(module, package)
        __import__(qualified)
        imported = sys.modules[qualified]
        value = imported if name in subpackages else getattr(imported, name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:  # noqa: N807 - the PEP 562 hook
        return sorted({*namespace, *where})

    return __getattr__, __dir__
