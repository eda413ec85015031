// A table loaded straight from PostgreSQL (the fast load, sink/bulk_load.py) holds exactly the transactions
// its snapshot saw. Pure.
//
// RULE: a streaming event of such a table whose transaction (source.txId) is visible in the load's snapshot
// is already in DuckDB: it is dropped like a redelivered duplicate (position_filter.hpp). Every other
// streaming event is applied. This is exact where a position could not be: PostgreSQL decides visibility by
// the transactions running when the snapshot was taken, not by WAL order, so a transaction that committed
// later can have written (and be ordered) before one the snapshot saw.
//
// The snapshot is PostgreSQL's pg_current_snapshot() text, "xmin:xmax:xip,...", in 64-bit xids. Debezium's
// streaming txId is the 32-bit xid of pgoutput; it is widened with the epoch of xmax (a transaction seen
// after the load is at most 2^31 transactions older than xmax, as PostgreSQL's own wraparound rules keep
// it). Once the table's applied position is past the load's clear LSN (a WAL position read when no
// transaction the snapshot saw or ran beside could still commit), no later transaction can be visible: the
// sink then forgets the snapshot (PositionFilter::forget_loaded), before 2^31 more transactions could wrap.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "cdc/status.hpp"

namespace cdc::pipeline {

struct LoadedSnapshot {
  std::uint64_t xmin = 0;
  std::uint64_t xmax = 0;
  std::vector<std::uint64_t> running;  // xip: in progress when the snapshot was taken (sorted)

  // "xmin:xmax:xip1,xip2" (empty xip allowed), as pg_current_snapshot()::text prints it.
  static Result<LoadedSnapshot> parse(std::string_view text);

  // Whether the snapshot saw the committed transaction `tx_id` (Debezium's source.txId).
  [[nodiscard]] bool saw(std::int64_t tx_id) const;
};

}  // namespace cdc::pipeline
