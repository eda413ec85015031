#include "cdc/types/type_map.hpp"

#include <charconv>

#include "cdc/types/decimal.hpp"

namespace cdc::types {

namespace {

using decode::Encoding;
using decode::FieldSpec;

using Builder = Result<FieldSpec> (*)(const ConnectSchema&);

struct MappingRow {
  std::string_view name;          // semantic name ("" for the plain Connect type rows)
  std::string_view connect_type;  // the Connect type the row applies to
  Kind kind;
  Encoding encoding;
  Builder build = nullptr;  // for rows whose type depends on parameters or on an element schema
};

FieldSpec spec(Kind kind, Encoding encoding) {
  FieldSpec field;
  field.type.kind = kind;
  field.encoding = encoding;
  return field;
}

Result<std::int32_t> int_parameter(const ConnectSchema& schema, std::string_view key) {
  std::optional<std::string_view> text = schema.parameter(key);
  std::int32_t value = 0;
  if (!text)
    return Status::decode_error("schema '" + schema.name + "' has no parameter '" + std::string(key) + "'");
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size()) {
    return Status::decode_error("schema '" + schema.name + "' parameter '" + std::string(key) + "' is '" +
                                std::string(*text) + "', expected an integer");
  }
  return value;
}

// org.apache.kafka.connect.data.Decimal: DECIMAL(p,s) when it fits DuckDB (p <= 38), else VARCHAR with
// the exact digits. money has no precision parameter: DECIMAL(38,s). PostgreSQL 15 allows a scale above
// the precision (numeric(2,5)), which DECIMAL(s,s) holds; a negative scale becomes VARCHAR.
Result<FieldSpec> build_decimal(const ConnectSchema& schema) {
  CDC_ASSIGN_OR_RETURN(std::int32_t scale, int_parameter(schema, "scale"));
  std::int32_t precision = kMaxDecimalPrecision;
  if (schema.parameter("connect.decimal.precision")) {
    CDC_ASSIGN_OR_RETURN(precision, int_parameter(schema, "connect.decimal.precision"));
  }
  FieldSpec field = spec(Kind::kVarchar, Encoding::kConnectDecimal);
  field.decimal_scale = scale;
  const std::int32_t width = precision < scale ? scale : precision;
  if (scale >= 0 && width >= 1 && width <= kMaxDecimalPrecision) {
    field.type.kind = Kind::kDecimal;
    field.type.precision = static_cast<std::uint8_t>(width);
    field.type.scale = static_cast<std::uint8_t>(scale);
  }
  return field;
}

// io.debezium.data.VariableScaleDecimal (numeric without precision): the scale varies per value, so the
// value travels as its exact text (PostgreSQL's digits and scale) and each batch declares the column
// DECIMAL(38,18) when all its values fit (at most 20 integer and 18 fractional digits), else VARCHAR: the
// DuckDB column widens to exact text rather than rounding or stopping (never DOUBLE).
Result<FieldSpec> build_variable_scale_decimal(const ConnectSchema&) {
  FieldSpec field = spec(Kind::kVarchar, Encoding::kVariableScaleDecimal);
  field.decimal_fit = decode::DecimalFit{.precision = 38, .scale = 18};
  return field;
}

// decimal.handling.mode=string with datatype.propagate.source.type: numeric and money arrive as their exact
// text, a plain Connect string whose parameters name the source type, its precision (`length`; 0 for a
// numeric without precision) and scale. The batch declares DECIMAL(p,s) (numeric without precision:
// DECIMAL(38,18); money: DECIMAL(38,2)) while every value fits, else VARCHAR, so NaN and ±Infinity widen
// the column to exact text. p > 38 or a negative scale: VARCHAR from the start.
std::optional<FieldSpec> decimal_text_field(const ConnectSchema& schema) {
  if (schema.type != "string" || !schema.name.empty()) return std::nullopt;
  const std::optional<std::string_view> source = schema.parameter("__debezium.source.column.type");
  if (!source || (*source != "NUMERIC" && *source != "DECIMAL" && *source != "MONEY")) return std::nullopt;
  FieldSpec field = spec(Kind::kVarchar, Encoding::kDecimalText);
  if (*source == "MONEY") {
    field.decimal_fit = decode::DecimalFit{.precision = 38, .scale = 2, .fixed_scale = true};
    return field;
  }
  Result<std::int32_t> length = int_parameter(schema, "__debezium.source.column.length");
  Result<std::int32_t> scale = schema.parameter("__debezium.source.column.scale")
                                   ? int_parameter(schema, "__debezium.source.column.scale")
                                   : Result<std::int32_t>(0);
  if (!length.is_ok() || *length <= 0 || *length > 1000 || !scale.is_ok()) {  // numeric without precision
    field.decimal_fit = decode::DecimalFit{.precision = 38, .scale = 18};
    return field;
  }
  const std::int32_t width = *length < *scale ? *scale : *length;
  if (*scale >= 0 && width <= kMaxDecimalPrecision) {
    field.decimal_fit = decode::DecimalFit{.precision = static_cast<std::uint8_t>(width),
                                           .scale = static_cast<std::uint8_t>(*scale),
                                           .fixed_scale = true};
  }
  return field;
}

// io.debezium.data.Bits (bit(n>1), bit varying): BIT of `length` bits.
Result<FieldSpec> build_bits(const ConnectSchema& schema) {
  FieldSpec field = spec(Kind::kBit, Encoding::kBits);
  CDC_ASSIGN_OR_RETURN(field.bit_length, int_parameter(schema, "length"));
  return field;
}

// Connect ARRAY: LIST of whatever the element schema maps to.
Result<FieldSpec> build_array(const ConnectSchema& schema) {
  if (!schema.items) return Status::decode_error("array schema has no 'items' element schema");
  CDC_ASSIGN_OR_RETURN(FieldSpec element, map_connect_schema(*schema.items));
  element.optional = true;  // Debezium makes array elements optional
  FieldSpec field = spec(Kind::kList, Encoding::kArray);
  field.type.element = std::make_shared<const ColumnType>(element.type);
  field.element = std::make_shared<const FieldSpec>(std::move(element));
  return field;
}

// Semantic names first; a name is only honoured on the Connect type Debezium uses for it.
constexpr MappingRow kSemanticRows[] = {
    {"org.apache.kafka.connect.data.Decimal", "bytes", Kind::kDecimal, Encoding::kConnectDecimal,
     build_decimal},
    {"io.debezium.data.VariableScaleDecimal", "struct", Kind::kDecimal, Encoding::kVariableScaleDecimal,
     build_variable_scale_decimal},
    {"io.debezium.time.Date", "int32", Kind::kDate, Encoding::kDateDays},
    {"org.apache.kafka.connect.data.Date", "int32", Kind::kDate, Encoding::kDateDays},
    {"io.debezium.time.Time", "int32", Kind::kTime, Encoding::kTimeMillis},
    {"org.apache.kafka.connect.data.Time", "int32", Kind::kTime, Encoding::kTimeMillis},
    {"io.debezium.time.MicroTime", "int64", Kind::kTime, Encoding::kTimeMicros},
    {"io.debezium.time.NanoTime", "int64", Kind::kTime, Encoding::kTimeNanos},
    {"io.debezium.time.ZonedTime", "string", Kind::kTimeTz, Encoding::kString},
    {"io.debezium.time.Timestamp", "int64", Kind::kTimestamp, Encoding::kTimestampMillis},
    {"org.apache.kafka.connect.data.Timestamp", "int64", Kind::kTimestamp, Encoding::kTimestampMillis},
    {"io.debezium.time.MicroTimestamp", "int64", Kind::kTimestamp, Encoding::kTimestampMicros},
    {"io.debezium.time.NanoTimestamp", "int64", Kind::kTimestamp, Encoding::kTimestampNanos},
    {"io.debezium.time.ZonedTimestamp", "string", Kind::kTimestampTz, Encoding::kZonedTimestamp},
    {"io.debezium.time.MicroDuration", "int64", Kind::kInterval, Encoding::kMicroDuration},
    {"io.debezium.time.MicroDuration", "double", Kind::kInterval, Encoding::kMicroDuration},  // Debezium 1.x
    {"io.debezium.time.Interval", "string", Kind::kInterval, Encoding::kIsoInterval},
    {"io.debezium.data.Json", "string", Kind::kJson, Encoding::kString},  // json, jsonb, hstore (json mode)
    {"io.debezium.data.Uuid", "string", Kind::kUuid, Encoding::kString},
    {"io.debezium.data.Enum", "string", Kind::kVarchar, Encoding::kString},
    {"io.debezium.data.EnumSet", "string", Kind::kVarchar, Encoding::kString},
    {"io.debezium.data.Xml", "string", Kind::kVarchar, Encoding::kString},
    {"io.debezium.data.Ltree", "string", Kind::kVarchar, Encoding::kString},
    {"io.debezium.data.Tsvector", "string", Kind::kVarchar, Encoding::kString},
    {"io.debezium.data.Bits", "bytes", Kind::kBit, Encoding::kBits, build_bits},
    {"io.debezium.data.geometry.Point", "struct", Kind::kBlob, Encoding::kGeometry},
    {"io.debezium.data.geometry.Geometry", "struct", Kind::kBlob, Encoding::kGeometry},
    {"io.debezium.data.geometry.Geography", "struct", Kind::kBlob, Encoding::kGeometry},
};

// The plain Connect types: the fallback for fields without a (known) semantic name.
constexpr MappingRow kConnectRows[] = {
    {"", "int8", Kind::kInt16, Encoding::kInteger},  // DuckDB has TINYINT, the vocabulary does not
    {"", "int16", Kind::kInt16, Encoding::kInteger},
    {"", "int32", Kind::kInt32, Encoding::kInteger},
    {"", "int64", Kind::kInt64, Encoding::kInteger},
    {"", "float", Kind::kFloat32, Encoding::kFloat},   // JsonConverter's name for Connect FLOAT32
    {"", "double", Kind::kFloat64, Encoding::kFloat},  // and for FLOAT64
    {"", "boolean", Kind::kBoolean, Encoding::kBoolean},
    {"", "string", Kind::kVarchar, Encoding::kString},  // text, inet, ranges, money in string mode, ...
    {"", "bytes", Kind::kBlob, Encoding::kBase64Bytes},
    {"", "array", Kind::kList, Encoding::kArray, build_array},
    {"", "map", Kind::kJson, Encoding::kJsonText},     // hstore.handling.mode=map
    {"", "struct", Kind::kJson, Encoding::kJsonText},  // e.g. a future geometric struct: keep it as JSON
};

Result<FieldSpec> apply(const MappingRow& row, const ConnectSchema& schema) {
  if (row.build != nullptr) return row.build(schema);
  return spec(row.kind, row.encoding);
}

}  // namespace

std::optional<std::string_view> ConnectSchema::parameter(std::string_view key) const {
  for (const auto& [name, value] : parameters) {
    if (name == key) return std::string_view(value);
  }
  return std::nullopt;
}

Result<FieldSpec> map_connect_schema(const ConnectSchema& schema) {
  if (std::optional<FieldSpec> decimal = decimal_text_field(schema)) return std::move(*decimal);
  if (!schema.name.empty()) {
    for (const MappingRow& row : kSemanticRows) {
      if (row.name == schema.name && row.connect_type == schema.type) return apply(row, schema);
    }
  }
  for (const MappingRow& row : kConnectRows) {
    if (row.connect_type == schema.type) return apply(row, schema);
  }
  return Status::decode_error("unknown Kafka Connect schema type '" + schema.type + "'");
}

std::vector<std::string_view> mapped_semantic_names() {
  std::vector<std::string_view> names;
  for (const MappingRow& row : kSemanticRows) names.push_back(row.name);
  return names;
}

}  // namespace cdc::types
