"""Layouts: one page-object factory per CMS family, looked up by name from site profiles."""

from __future__ import annotations

from collections.abc import Mapping

from crawler.extraction.layouts.aspnet_office import AspNetOffice
from crawler.extraction.layouts.base import Layout, Links

LAYOUTS: dict[str, type[Layout]] = {cls.name: cls for cls in (AspNetOffice,)}


def get_layout(name: str, overrides: Mapping[str, str] | None = None) -> Layout:
    """Instantiate the layout called ``name`` with optional selector overrides."""
    try:
        cls = LAYOUTS[name]
    except KeyError:
        known = ", ".join(sorted(LAYOUTS))
        raise ValueError(f"unknown layout {name!r} (known: {known})") from None
    return cls(overrides)


__all__ = ["LAYOUTS", "Layout", "Links", "get_layout"]
