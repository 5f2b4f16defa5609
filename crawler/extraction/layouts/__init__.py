"""Layouts: one page-object factory per CMS family, looked up by name from site profiles.

Every module in this package that defines a :class:`Layout` subclass with its own ``name``
is registered; a new family is a new module, nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping

from crawler.extraction.layouts.base import Layout, Links


def _discover() -> dict[str, type[Layout]]:
    found: dict[str, type[Layout]] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, Layout) and value is not Layout
                    and value.__module__ == module.__name__):
                found[value.name] = value
    return found


LAYOUTS: dict[str, type[Layout]] = _discover()


def get_layout(name: str, overrides: Mapping[str, str] | None = None) -> Layout:
    """Instantiate the layout called ``name`` with optional selector overrides."""
    try:
        cls = LAYOUTS[name]
    except KeyError:
        known = ", ".join(sorted(LAYOUTS))
        raise ValueError(f"unknown layout {name!r} (known: {known})") from None
    return cls(overrides)


__all__ = ["LAYOUTS", "Layout", "Links", "get_layout"]
