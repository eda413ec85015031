// Consumer settings the sink's read side needs for throughput, applied unless the caller set them.
#pragma once

#include "cdc/kafka/config.hpp"

namespace cdc::kafka {

// librdkafka >= 2.2 stops fetching for `fetch.queue.backoff.ms` (default 1000 ms) once its prefetch queue is
// full (`queued.max.messages.kbytes`). The sink empties that queue in bursts (decode a batch, then apply it),
// so with the default it would idle the read side most of the time; it is set to 5 ms here. librdkafka 2.0.x
// (Debian 12) has no such property and resumes only when its broker thread next wakes up (~0.3 s), which
// caps a decoding consumer at ~64 MiB per wake-up: bench/RESULTS.md measures both.
void apply_fetch_defaults(ConfigMap& config);

}  // namespace cdc::kafka
