"""The one-line messages of bad configuration: what each setting accepts, and the closest name to a typo.

Pure text from the settings model's field declarations, so a new field or constraint is described without
anyone writing its message by hand.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from pydantic.fields import FieldInfo

_KINDS: Mapping[Any, str] = {int: "a whole number", float: "a number", str: "text", bool: "true or false"}


def _kind(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin is Literal:
        return "one of " + ", ".join(str(a) for a in get_args(annotation))
    if origin in (Union, types.UnionType):
        kinds = [_kind(a) for a in get_args(annotation) if a is not type(None)]
        return " or ".join(k for k in kinds if k)
    if annotation is Path:
        return "a path"
    return _KINDS.get(annotation, "")


def _bounds(info: FieldInfo) -> str:
    low = high = ""
    parts: list[str] = []
    for item in info.metadata:
        if getattr(item, "ge", None) is not None:
            low = f">= {item.ge}"
        if getattr(item, "gt", None) is not None:
            low = f"> {item.gt}"
        if getattr(item, "le", None) is not None:
            high = f"<= {item.le}"
        if getattr(item, "lt", None) is not None:
            high = f"< {item.lt}"
        if getattr(item, "min_length", None):
            parts.append("not empty")
        if getattr(item, "pattern", None):
            parts.append(f"matching {item.pattern}")
    if low.startswith(">=") and high.startswith("<="):
        parts.insert(0, f"from {low[3:]} to {high[3:]}")
    else:
        parts[:0] = [b for b in (low, high) if b]
    return " ".join(parts)


def accepted(info: FieldInfo) -> str:
    """``a whole number from 1 to 65535 (Kafka broker port on 127.0.0.1)``: the type, the bounds and what the
    setting is for."""
    form = " ".join(p for p in (_kind(info.annotation), _bounds(info)) if p)
    about = info.description or ""
    return f"{form} ({about})" if form and about else form or about


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The accepted name a typo most likely meant (difflib), compared in lower case; None if none is close."""
    names = {c.lower(): c for c in candidates}
    found = difflib.get_close_matches(name.strip().lower(), list(names), n=1, cutoff=0.6)
    return names[found[0]] if found else None


def short(value: Any) -> str:
    """A value as it appears in a message: its repr, cut to 80 characters."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
