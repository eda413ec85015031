"""What the target already planned per table, so that a batch with an unchanged schema re-plans nothing.

The core gives every table batch a ``schema_fingerprint`` (columns and key). After a batch's schema is
evolved, the DuckDB columns it was applied against are remembered under that fingerprint; the next batch of
the table with the same fingerprint needs no DDL and no catalog read. The memory is only as good as the
transaction that wrote it: whatever may have undone or changed a table (a rollback, a dropped table) forgets.
Only the sink writes the file (DuckDB allows one writer), so nothing else can change a table behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cdc_pipeline.sink.ddl import ExistingColumn


@dataclass
class KnownSchemas:
    """``schema.table`` -> (fingerprint, the DuckDB columns the last batch of that schema was applied to)."""

    _known: dict[str, tuple[int, list[ExistingColumn]]] = field(default_factory=dict)

    def columns(self, source: str, fingerprint: int) -> list[ExistingColumn] | None:
        """The DuckDB columns planned for this schema of the table; None when it must be planned again."""
        known = self._known.get(source)
        return known[1] if known is not None and fingerprint and known[0] == fingerprint else None

    def remember(self, source: str, fingerprint: int, columns: list[ExistingColumn]) -> None:
        if fingerprint and columns:
            self._known[source] = (fingerprint, columns)

    def forget(self, source: str | None = None) -> None:
        """Forget one table (dropped), or every table (the transaction was rolled back)."""
        if source is None:
            self._known.clear()
        else:
            self._known.pop(source, None)
