// Decoding and batching a given list of records exactly as Source::next_batch does, without Kafka: for
// tests (recorded envelopes in, Arrow out) and diagnostics.
#pragma once

#include <cstddef>
#include <vector>

#include "cdc/kafka/message.hpp"
#include "cdc/pipeline/batch.hpp"
#include "cdc/status.hpp"

namespace cdc::pipeline {

// The batches the records make, in order (a schema change or max_events starts a new one). Stops after a
// batch carrying a bad record's error (the stop policy), so the last batch tells what was wrong.
Result<std::vector<Batch>> batches_from_records(std::vector<kafka::Message> records, std::size_t max_events);

}  // namespace cdc::pipeline
