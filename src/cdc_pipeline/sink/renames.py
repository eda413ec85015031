"""Which DuckDB column is which source column, across renames: matched by PostgreSQL's ``attnum``.

Debezium's events carry column names only, so ``RENAME COLUMN i TO j`` looks like "column i went away and a
column j appeared". PostgreSQL keeps a column's identity across a rename (``pg_attribute.attnum``), so the
sink stores the attnum of every DuckDB column it creates (``_cdc.columns``) and, when an event names a column
DuckDB does not have, asks the catalog for the attnum of every event column and matches by attnum.

Events in Kafka lag the catalog (the catalog may already show a later rename, a drop, or a new column with an
old name), so the plan only trusts what cannot be misread and refuses the rest:

- an event column whose current attnum is stored for a DuckDB column *is* that column (renamed when the names
  differ), whatever their names;
- an event column the catalog has with an attnum no DuckDB column has is new, unless some DuckDB column the
  event does not match has no stored attnum (it could be the same column: refuse), or DuckDB already has a
  column of that name that is a different column (DuckDB cannot hold both: refuse);
- an event column the catalog does not know (renamed again or dropped since): matched by name when DuckDB has
  that name; otherwise new only when every DuckDB column is matched by another event column, else refuse.

The plan is computed only when an event names a column DuckDB does not have (an unchanged schema never asks
the catalog, so events older than the catalog are not misread). A refusal stops the table; the fix is
`cdc tables resnapshot`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


class AmbiguousRename(Exception):  # noqa: N818 (a reason, turned into a TableStopError by the caller)
    """The columns cannot be matched safely; the message says why."""


@dataclass(frozen=True)
class IdentityPlan:
    """What the DuckDB table must do so each event column finds its own values."""

    renames: list[tuple[str, str]] = field(default_factory=list)  # (DuckDB name, new source name), in order
    new_columns: list[str] = field(default_factory=list)  # event columns DuckDB has no column for
    attnums: dict[str, int] = field(default_factory=dict)  # source name -> attnum, to store


def _temporary(index: int) -> str:
    return f"__cdc_rename_{index}"


def order_renames(pairs: Sequence[tuple[str, str]], duck_names: Sequence[str]) -> list[tuple[str, str]]:
    """The RENAME steps for ``pairs``; through temporary names when a target is taken (a swap, a chain)."""
    taken = {name.lower() for name in duck_names}
    if all(new.lower() not in taken for _, new in pairs):
        return list(pairs)
    first = [(old, _temporary(i)) for i, (old, _) in enumerate(pairs)]
    return first + [(_temporary(i), new) for i, (_, new) in enumerate(pairs)]


def plan_identity(
    event_names: Sequence[str],
    duck_names: Sequence[str],
    stored: Mapping[str, int],
    catalog: Mapping[str, int],
) -> IdentityPlan:
    """Match ``event_names`` (the event's columns) to ``duck_names`` (the DuckDB table's columns).

    ``stored``: attnum per DuckDB column (lower-cased name), as recorded; ``catalog``: attnum per current
    source column name (exact spelling), as PostgreSQL says now. Raises :class:`AmbiguousRename`.
    """
    by_lower = {name.lower(): name for name in duck_names}
    by_attnum = {attnum: by_lower[name] for name, attnum in stored.items() if name in by_lower}
    matched: dict[str, str] = {}  # event name -> DuckDB name
    for name in event_names:
        attnum = catalog.get(name)
        if attnum is not None and attnum in by_attnum:
            matched[name] = by_attnum[attnum]
        elif name.lower() in by_lower and (attnum is None or stored.get(name.lower()) is None):
            matched[name] = by_lower[name.lower()]
    _refuse_double_matches(matched)
    used = {duck.lower() for duck in matched.values()}
    unmatched = [duck for duck in duck_names if duck.lower() not in used]
    new_columns = [name for name in event_names if name not in matched]
    for name in new_columns:
        _check_new(name, catalog.get(name), by_lower, used, unmatched, stored)
    pairs = [(duck, name) for name, duck in matched.items() if duck != name]
    renamed_away = {duck.lower() for duck, _ in pairs}
    for _, name in pairs:
        holder = by_lower.get(name.lower())
        if holder is not None and holder.lower() not in renamed_away and holder.lower() != name.lower():
            raise AmbiguousRename(
                f"column {holder!r} is renamed to {name!r}, but DuckDB still holds another column "
                f"{by_lower[name.lower()]!r} of that name"
            )
    attnums = {name: catalog[name] for name in event_names if name in catalog}
    return IdentityPlan(order_renames(pairs, duck_names), new_columns, attnums)


def _refuse_double_matches(matched: Mapping[str, str]) -> None:
    seen: dict[str, str] = {}
    for name, duck in matched.items():
        if duck.lower() in seen:
            raise AmbiguousRename(
                f"source columns {seen[duck.lower()]!r} and {name!r} both match DuckDB column {duck!r}"
            )
        seen[duck.lower()] = name


def _check_new(  # noqa: PLR0917 (the plan's state, passed explicitly)
    name: str,
    attnum: int | None,
    by_lower: Mapping[str, str],
    used: set[str],
    unmatched: Sequence[str],
    stored: Mapping[str, int],
) -> None:
    """Raise unless ``name`` is certainly a new column (see the module docstring)."""
    holder = by_lower.get(name.lower())
    if holder is not None and holder.lower() not in used:
        raise AmbiguousRename(
            f"source column {name!r} (attnum {attnum}) is not DuckDB's column {holder!r} "
            f"(attnum {stored.get(holder.lower())}), which DuckDB keeps under that name"
        )
    if attnum is None:
        if unmatched:
            raise AmbiguousRename(
                f"source column {name!r} is no longer in PostgreSQL's catalog (renamed again or dropped), so "
                f"the sink cannot tell whether it is DuckDB's {', '.join(map(repr, unmatched))} renamed"
            )
        return
    unknown = [duck for duck in unmatched if duck.lower() not in stored]
    if unknown:
        raise AmbiguousRename(
            f"source column {name!r} may be DuckDB's {', '.join(map(repr, unknown))} renamed "
            "(the sink has no record of that column's identity)"
        )
