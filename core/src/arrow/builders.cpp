#include "builders.hpp"

#include "layout_table.hpp"

namespace cdc::arrow::detail {

std::shared_ptr<const ArrayData> BooleanBuilder::finish() {
  auto data = std::make_shared<ArrayData>();
  data->buffers.push_back(values_.finish());
  validity_.finish_into(*data);
  return data;
}

// The first offset, 0, written by assign() rather than push_offset(): GCC 12 at -O3 reports a false
// -Wstringop-overflow for vector::insert into the freshly constructed, empty buffer.
BinaryBuilder::BinaryBuilder(const types::ColumnType& type) : BuilderBase(type) {
  offsets_.assign(sizeof(std::int32_t), 0);
}

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

ListBuilder::ListBuilder(const types::ColumnType& type)
    : BuilderBase(type), element_(make_builder(type.element ? *type.element : types::ColumnType{})) {
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

std::unique_ptr<ColumnBuilder> make_builder(const types::ColumnType& type) {
  return detail::layout_ops(type.kind).make(type);
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
