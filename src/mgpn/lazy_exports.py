"""Package attributes imported on first use (PEP 562), so importing a package is cheap.

A package's ``__init__`` lists which sub-module defines each public name; importing
the package (or any of its sub-modules, which always runs the package's ``__init__``
first) then costs nothing until a name is used. Type checkers see the names through
``if TYPE_CHECKING:`` imports beside the table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_exports(
    package: str, namespace: dict[str, Any], sources: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: ``sources`` maps name -> module."""

    def __getattr__(name: str) -> Any:
        module = sources.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module), name)
        namespace[name] = value  # once: later lookups are plain attribute reads
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(sources))

    return __getattr__, __dir__
