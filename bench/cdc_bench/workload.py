"""The benchmark's change stream: inserts, updates of hot and cold keys, and deletes over the four tables.

Per event: pick a table by its share, then an operation: 45 % insert, 20 % update of a hot key (the table's
first 1,000 keys, never deleted), 20 % update of a random live (cold) key, 15 % delete of a random cold key.
Each event is its own transaction (LSN and txId increase), every delete is followed by its tombstone, as
Debezium sends with ``tombstones.on.delete=true``. The final state (live keys and their versions) is kept so a
run can be checked.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from cdc_bench import rows
from cdc_bench.envelope import TableCodec
from cdc_bench.tables import TABLES, TableSpec

HOT_KEYS = 1_000
START_US = 1_795_000_000_000_000  # source commit time of the first event (any fixed instant)

Record = tuple[bytes, bytes | None]  # key, value (None: tombstone)


@dataclass
class TableState:
    """Live keys of one table (a list for O(1) random picks, a dict for O(1) removal) and their versions."""

    spec: TableSpec
    live: list[int] = field(default_factory=list)
    position: dict[int, int] = field(default_factory=dict)
    version: dict[int, int] = field(default_factory=dict)
    next_key: int = 1

    def insert(self) -> int:
        key = self.next_key
        self.next_key += 1
        self.position[key] = len(self.live)
        self.live.append(key)
        self.version[key] = 0
        return key

    def remove(self, key: int) -> None:
        index = self.position.pop(key)
        last = self.live.pop()
        if last != key:
            self.live[index] = last
            self.position[last] = index
        del self.version[key]


@dataclass
class Counts:
    events: int = 0  # change events (c/u/d)
    records: int = 0  # Kafka records: events plus tombstones
    bytes: int = 0
    by_op: dict[str, int] = field(default_factory=lambda: {"c": 0, "u": 0, "d": 0})


class Workload:
    """Deterministic (seeded) generator of encoded records per topic."""

    def __init__(self, prefix: str, seed: int = 42, tables: list[TableSpec] | None = None) -> None:
        self.tables = tables or TABLES
        self.codecs = [TableCodec(t, prefix) for t in self.tables]
        self.states = [TableState(t) for t in self.tables]
        self._deleted = [rows.delete_image(t) for t in self.tables]
        self._after = [rows.AFTER[t.name] for t in self.tables]
        self._rng = random.Random(seed)
        self._weights = [t.share for t in self.tables]
        self._lsn = 40_000_000
        self._tx = 1_000
        self._us = START_US
        self.counts = Counts()

    def _op(self, state: TableState) -> tuple[str, int]:
        r = self._rng.random()
        cold = len(state.live) > HOT_KEYS
        if r < 0.45 or not state.live:
            return "c", state.insert()
        if r < 0.65:
            return "u", state.live[self._rng.randrange(min(HOT_KEYS, len(state.live)))]
        if r < 0.85 or not cold:
            return "u", state.live[self._rng.randrange(len(state.live))]
        key = state.live[self._rng.randrange(HOT_KEYS, len(state.live))]
        return "d", key

    def events(self, n: int) -> Iterator[tuple[int, Record]]:
        """``n`` change events as ``(table index, (key, value))``, tombstones following deletes."""
        choices = self._rng.choices(range(len(self.tables)), weights=self._weights, k=n)
        for index in choices:
            state, codec = self.states[index], self.codecs[index]
            op, key = self._op(state)
            self._lsn += 320
            self._tx += 1
            self._us += 200
            if op == "d":
                before, after = self._deleted[index](key), "null"
                state.remove(key)
            else:
                if op == "u":
                    state.version[key] += 1
                before, after = "null", self._after[index](key, state.version[key])
            record_key = codec.key(key)
            value = codec.value(op, before, after, lsn=self._lsn, tx=self._tx, ts_us=self._us)
            self.counts.events += 1
            self.counts.by_op[op] += 1
            self.counts.records += 1
            self.counts.bytes += len(value) + len(record_key)
            yield index, (record_key, value)
            if op == "d":
                self.counts.records += 1
                yield index, (record_key, None)

    def expected_rows(self) -> dict[str, int]:
        return {s.spec.name: len(s.live) for s in self.states}

    def expected_key_sums(self) -> dict[str, int]:
        return {s.spec.name: sum(s.live) for s in self.states}
