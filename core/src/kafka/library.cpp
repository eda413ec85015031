#include "cdc/kafka/library.hpp"

#include <librdkafka/rdkafka.h>

namespace cdc::kafka {

std::string library_version() { return rd_kafka_version_str(); }

}  // namespace cdc::kafka
