#include "builders.hpp"

namespace cdc::arrow::detail {

std::shared_ptr<const ArrayData> BooleanBuilder::finish() {
  auto data = std::make_shared<ArrayData>();
  data->buffers.push_back(values_.finish());
  validity_.finish_into(*data);
  return data;
}

BinaryBuilder::BinaryBuilder(std::string label) : BuilderBase(std::move(label)) { push_offset(); }

Status BinaryBuilder::failure(const types::Cell& cell) const {
  if (overflow_) {
    return Status::decode_error("a " + label_ + " column holds more than 2 GiB in one Arrow chunk");
  }
  return BuilderBase::failure(cell);
}

void BinaryBuilder::reserve(std::size_t rows) {
  validity_.reserve(rows);
  offsets_.reserve((rows + 1) * sizeof(std::int32_t));
}

std::shared_ptr<const ArrayData> BinaryBuilder::finish() {
  auto data = std::make_shared<ArrayData>();
  data->buffers.push_back(std::exchange(offsets_, Buffer{}));
  data->buffers.push_back(std::exchange(data_, Buffer{}));
  validity_.finish_into(*data);
  overflow_ = false;
  push_offset();  // the next chunk's first offset
  return data;
}

ListBuilder::ListBuilder(std::string label, std::unique_ptr<ColumnBuilder> element)
    : BuilderBase(std::move(label)), element_(std::move(element)) {
  push_offset();
}

void ListBuilder::push_offset() {
  const auto end = static_cast<std::int32_t>(element_->length());
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(&end);
  offsets_.insert(offsets_.end(), bytes, bytes + sizeof(end));
}

bool ListBuilder::append_one(const types::Cell& cell) {
  if (is_null_like(cell)) {
    validity_.append(false);
    push_offset();
    return true;
  }
  const types::CellList* elements = as_list(cell);
  if (elements == nullptr) return false;
  if (element_->length() + static_cast<std::int64_t>(elements->size()) >
      std::numeric_limits<std::int32_t>::max()) {
    element_error_ =
        Status::decode_error("a " + label_ + " column holds more than 2^31 elements in one chunk");
    return false;
  }
  for (const types::Cell& element : *elements) {
    Status status = element_->append(element);
    if (!status.is_ok()) {
      element_error_ = status.with_context("list element");
      return false;
    }
  }
  validity_.append(true);
  push_offset();
  return true;
}

Status ListBuilder::failure(const types::Cell& cell) const {
  if (!element_error_.is_ok()) return element_error_;
  return BuilderBase::failure(cell);
}

void ListBuilder::reserve(std::size_t rows) {
  validity_.reserve(rows);
  offsets_.reserve((rows + 1) * sizeof(std::int32_t));
}

std::shared_ptr<const ArrayData> ListBuilder::finish() {
  auto data = std::make_shared<ArrayData>();
  data->buffers.push_back(std::exchange(offsets_, Buffer{}));
  data->children.push_back(element_->finish());
  validity_.finish_into(*data);
  element_error_ = Status::ok();
  push_offset();
  return data;
}

}  // namespace cdc::arrow::detail

namespace cdc::arrow {

using types::Kind;

std::unique_ptr<ColumnBuilder> make_builder(const types::ColumnType& type) {
  using namespace detail;  // NOLINT(google-build-using-namespace): the builder names read better bare
  std::string label = type.duck_type();
  switch (type.kind) {
    case Kind::kBoolean:
      return std::make_unique<BooleanBuilder>(std::move(label));
    case Kind::kInt16:
      return std::make_unique<FixedWidthBuilder<std::int16_t, to_integer<std::int16_t>>>(std::move(label));
    case Kind::kInt32:
    case Kind::kDate:  // date32: days since the epoch
      return std::make_unique<FixedWidthBuilder<std::int32_t, to_integer<std::int32_t>>>(std::move(label));
    case Kind::kInt64:
    case Kind::kTime:  // time64[us], timestamp[us]: microseconds
    case Kind::kTimestamp:
    case Kind::kTimestampTz:
      return std::make_unique<FixedWidthBuilder<std::int64_t, to_integer<std::int64_t>>>(std::move(label));
    case Kind::kFloat32:
      return std::make_unique<FixedWidthBuilder<float, to_float<float>>>(std::move(label));
    case Kind::kFloat64:
      return std::make_unique<FixedWidthBuilder<double, to_float<double>>>(std::move(label));
    case Kind::kDecimal:
      return std::make_unique<DecimalBuilder>(std::move(label), type.scale);
    case Kind::kInterval:
      return std::make_unique<FixedWidthBuilder<MonthDayNano, to_interval>>(std::move(label));
    case Kind::kList: {
      static const types::ColumnType kText{};
      return std::make_unique<ListBuilder>(std::move(label),
                                           make_builder(type.element ? *type.element : kText));
    }
    case Kind::kVarchar:
    case Kind::kJson:
    case Kind::kUuid:
    case Kind::kBlob:
    case Kind::kBit:
    case Kind::kTimeTz:
      break;
  }
  return std::make_unique<BinaryBuilder>(std::move(label));
}

std::shared_ptr<const ArrayData> unavailable_mask(std::span<const types::Row* const> rows,
                                                  std::size_t index) {
  detail::BitmapBuilder bits;
  bits.reserve(rows.size());
  for (const types::Row* row : rows) bits.append(index < row->size() && (*row)[index].is_unavailable());
  auto data = std::make_shared<ArrayData>();
  data->length = bits.length();
  data->buffers.push_back(Buffer{});  // no validity bitmap: never null
  data->buffers.push_back(bits.finish());
  return data;
}

}  // namespace cdc::arrow
