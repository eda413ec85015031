// The concrete column builders (private to src/arrow; layout_table.cpp picks one per types::Layout). Each is
// `final` and its append_one() is not virtual, so append_cells() runs a tight loop per column. Each also
// says, in its static accepts(), which cells check_cell() lets into a column of its layout: by the same
// conversion append_one() applies, so what the buffer accepts is what the export can write.
#pragma once

#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include "bitmap.hpp"
#include "cdc/arrow/column_builder.hpp"
#include "cdc/types/decimal.hpp"
#include "cell_convert.hpp"

namespace cdc::arrow::detail {

// Shared plumbing: the virtual entry points call the derived class's append_one(cell) -> bool and, when it
// fails, its failure(cell) -> Status.
template <typename Derived>
class BuilderBase : public ColumnBuilder {
 public:
  explicit BuilderBase(const types::ColumnType& type) : label_(type.duck_type()) {}

  Status append(const types::Cell& cell) final {
    Derived& self = static_cast<Derived&>(*this);
    return self.append_one(cell) ? Status::ok() : self.failure(cell);
  }

  Status append_cells(std::span<const types::Row* const> rows, std::size_t index) final {
    Derived& self = static_cast<Derived&>(*this);
    for (const types::Row* row : rows) {
      if (index >= row->size()) return Status::internal("row has no cell " + std::to_string(index));
      const types::Cell& cell = (*row)[index];
      if (!self.append_one(cell)) return self.failure(cell);
    }
    return Status::ok();
  }

  // The default failure: the cell is of the wrong kind or out of range.
  Status failure(const types::Cell& cell) const {
    return Status::decode_error("expected a " + label_ + " value, got " + describe(cell));
  }

 protected:
  std::string label_;
};

// decimal128 at the column's scale: the unscaled 128-bit cells, or exact decimal text (numerics sent as
// text, see decode::FieldSpec::decimal_fit), parsed here so DuckDB receives native decimals.
class DecimalBuilder final : public BuilderBase<DecimalBuilder> {
 public:
  explicit DecimalBuilder(const types::ColumnType& type) : BuilderBase(type), scale_(type.scale) {}

  // Stricter than append_one(), which also parses exact decimal text and leaves the precision to this
  // check: a record's value must be unscaled (its text form is a VARCHAR field until table_export decides,
  // per batch, to write it as decimal128) and fit DECIMAL(p,s).
  static bool accepts(const types::ColumnType& type, const types::Cell& cell) noexcept {
    types::Int128 value = 0;
    return to_decimal(cell, &value) && decimal_fits(value, type.precision);
  }

  bool append_one(const types::Cell& cell) {
    types::Int128 value = 0;
    const bool is_null = is_null_like(cell);
    if (!is_null && !to_decimal(cell, &value)) {
      const std::string* text = as_string(cell);
      if (text == nullptr) return false;
      std::optional<types::Int128> parsed = types::decimal_from_text(*text, scale_);
      if (!parsed) return false;
      value = *parsed;
    }
    validity_.append(!is_null);
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(&value);
    values_.insert(values_.end(), bytes, bytes + sizeof(value));
    return true;
  }

  void reserve(std::size_t rows) override {
    validity_.reserve(rows);
    values_.reserve(rows * sizeof(types::Int128));
  }
  [[nodiscard]] std::int64_t length() const noexcept override { return validity_.length(); }

  std::shared_ptr<const ArrayData> finish() override {
    auto data = std::make_shared<ArrayData>();
    data->buffers.push_back(std::exchange(values_, Buffer{}));
    validity_.finish_into(*data);
    return data;
  }

 private:
  int scale_;
  ValidityBuilder validity_;
  Buffer values_;
};

// int16/32/64, float32/64, date32, time64, timestamp, decimal128, month_day_nano: one value buffer of T.
template <typename T, bool (*Convert)(const types::Cell&, T*) noexcept>
class FixedWidthBuilder final : public BuilderBase<FixedWidthBuilder<T, Convert>> {
 public:
  using BuilderBase<FixedWidthBuilder<T, Convert>>::BuilderBase;

  static bool accepts(const types::ColumnType& /*type*/, const types::Cell& cell) noexcept {
    T value{};
    return Convert(cell, &value);
  }

  bool append_one(const types::Cell& cell) {
    T value{};
    const bool is_null = is_null_like(cell);
    if (!is_null && !Convert(cell, &value)) return false;
    validity_.append(!is_null);
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(&value);
    values_.insert(values_.end(), bytes, bytes + sizeof(T));
    return true;
  }

  void reserve(std::size_t rows) override {
    validity_.reserve(rows);
    values_.reserve(rows * sizeof(T));
  }
  [[nodiscard]] std::int64_t length() const noexcept override { return validity_.length(); }

  std::shared_ptr<const ArrayData> finish() override {
    auto data = std::make_shared<ArrayData>();
    data->buffers.push_back(std::exchange(values_, Buffer{}));
    validity_.finish_into(*data);
    return data;
  }

 private:
  ValidityBuilder validity_;
  Buffer values_;
};

class BooleanBuilder final : public BuilderBase<BooleanBuilder> {
 public:
  using BuilderBase::BuilderBase;

  static bool accepts(const types::ColumnType& /*type*/, const types::Cell& cell) noexcept {
    bool value = false;
    return to_bool(cell, &value);
  }

  bool append_one(const types::Cell& cell) {
    bool value = false;
    const bool is_null = is_null_like(cell);
    if (!is_null && !to_bool(cell, &value)) return false;
    validity_.append(!is_null);
    values_.append(value);
    return true;
  }

  void reserve(std::size_t rows) override {
    validity_.reserve(rows);
    values_.reserve(rows);
  }
  [[nodiscard]] std::int64_t length() const noexcept override { return validity_.length(); }
  std::shared_ptr<const ArrayData> finish() override;

 private:
  ValidityBuilder validity_;
  BitmapBuilder values_;
};

// utf8 ("u") and binary ("z"): int32 offsets and the bytes. A chunk holds at most 2 GiB of bytes.
class BinaryBuilder final : public BuilderBase<BinaryBuilder> {
 public:
  explicit BinaryBuilder(const types::ColumnType& type);

  // The 2 GiB chunk limit is the export's to report: it depends on the batch, not on the record.
  static bool accepts(const types::ColumnType& /*type*/, const types::Cell& cell) noexcept {
    return as_string(cell) != nullptr;
  }

  bool append_one(const types::Cell& cell) {
    if (is_null_like(cell)) {
      validity_.append(false);
      push_offset();
      return true;
    }
    const std::string* text = as_string(cell);
    if (text == nullptr) return false;
    if (text->size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()) - data_.size()) {
      overflow_ = true;
      return false;
    }
    data_.insert(data_.end(), text->begin(), text->end());
    validity_.append(true);
    push_offset();
    return true;
  }

  Status failure(const types::Cell& cell) const;
  void reserve(std::size_t rows) override;
  [[nodiscard]] std::int64_t length() const noexcept override { return validity_.length(); }
  std::shared_ptr<const ArrayData> finish() override;

 private:
  void push_offset() {
    const auto end = static_cast<std::int32_t>(data_.size());
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(&end);
    offsets_.insert(offsets_.end(), bytes, bytes + sizeof(end));
  }

  ValidityBuilder validity_;
  Buffer offsets_;
  Buffer data_;
  bool overflow_ = false;
};

// list ("+l"): int32 offsets into one child array built by the element type's builder.
class ListBuilder final : public BuilderBase<ListBuilder> {
 public:
  // A list without an element type is a bug upstream; its elements are built as text, the one type every
  // value can become.
  explicit ListBuilder(const types::ColumnType& type);

  // The elements are check_cell()'s to visit, against the element type.
  static bool accepts(const types::ColumnType& /*type*/, const types::Cell& cell) noexcept {
    return as_list(cell) != nullptr;
  }

  bool append_one(const types::Cell& cell);
  Status failure(const types::Cell& cell) const;
  void reserve(std::size_t rows) override;
  [[nodiscard]] std::int64_t length() const noexcept override { return validity_.length(); }
  std::shared_ptr<const ArrayData> finish() override;

 private:
  void push_offset();

  ValidityBuilder validity_;
  Buffer offsets_;
  std::unique_ptr<ColumnBuilder> element_;
  Status element_error_;
};

}  // namespace cdc::arrow::detail
