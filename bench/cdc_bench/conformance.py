"""Does a generated event look exactly like one from the real connector? Structure, schemas and value types.

Values differ (keys, times, LSNs), so the comparison is on shape: the whole ``schema`` (as compact JSON, so
key order counts, with the topic prefix normalised), the payload's keys in order, and for each row and
``source`` field the JSON type of its value (null counts as its own type; a null where the other side has a
value is accepted only in ``source``, whose optional fields vary with the event).
"""

from __future__ import annotations

import json
from typing import Any

from cdc_bench.envelope import compact


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def _shape(value: Any) -> Any:
    """The JSON shape of a value: dicts keep key order, lists their item kinds."""
    if isinstance(value, dict):
        return [(k, _shape(v)) for k, v in value.items()]
    if isinstance(value, list):
        return sorted({json.dumps(_shape(v)) for v in value if v is not None})
    return _kind(value)


def differences(generated: bytes, captured: bytes, generated_prefix: str, captured_prefix: str) -> list[str]:
    """Every way ``generated`` differs in shape from ``captured`` (both full JSON envelopes or keys)."""
    ours, theirs = json.loads(generated), json.loads(captured)
    problems: list[str] = []
    schema_ours = compact(ours["schema"]).replace(f'"{generated_prefix}.', '"PREFIX.')
    schema_theirs = compact(theirs["schema"]).replace(f'"{captured_prefix}.', '"PREFIX.')
    if schema_ours != schema_theirs:
        problems.append(f"schema differs:\n  ours   {schema_ours}\n  theirs {schema_theirs}")
    p_ours, p_theirs = ours["payload"], theirs["payload"]
    if list(p_ours) != list(p_theirs):
        problems.append(f"payload keys differ: {list(p_ours)} vs {list(p_theirs)}")
    for part in ("before", "after", "source", "transaction"):
        a, b = p_ours.get(part), p_theirs.get(part)
        if isinstance(a, dict) and isinstance(b, dict):
            if list(a) != list(b):
                problems.append(f"{part} keys differ: {list(a)} vs {list(b)}")
            for name in a.keys() & b.keys():
                sa, sb = _shape(a[name]), _shape(b[name])
                lenient = part == "source" and "null" in (sa, sb)
                if sa != sb and not lenient and not (isinstance(sa, list) and isinstance(sb, list)):
                    problems.append(f"{part}.{name}: {sa} vs {sb}")
        elif _kind(a) != _kind(b):
            problems.append(f"{part}: {_kind(a)} vs {_kind(b)}")
    if list(p_ours) == list(p_theirs) and "op" in p_ours and p_ours["op"] != p_theirs["op"]:
        problems.append(f"op: {p_ours['op']} vs {p_theirs['op']}")
    return problems
