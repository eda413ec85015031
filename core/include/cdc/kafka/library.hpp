// The librdkafka the process runs with (the build links either the confluent-kafka wheel's or Debian's).
#pragma once

#include <string>

namespace cdc::kafka {

// librdkafka's own version string at run time, e.g. "2.16.0".
std::string library_version();

}  // namespace cdc::kafka
