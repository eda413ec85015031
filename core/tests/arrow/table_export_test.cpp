// Rows to record batches to an ArrowArrayStream: schema, chunking, masks, and ownership across releases.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "cdc/arrow/row_export.hpp"
#include "support/arrow_read.hpp"
#include "support/events.hpp"

namespace cdc::arrow {
namespace {

using namespace cdc::test;  // NOLINT(google-build-using-namespace)
using types::Kind;

struct Fixture {
  std::vector<types::Row> rows;
  std::vector<const types::Row*> pointers;
  std::vector<ValueColumn> values{{.name = "id", .type = type_of(Kind::kInt64), .cell = 0},
                                  {.name = "bio", .type = type_of(Kind::kVarchar), .cell = 1}};
  std::vector<MaskColumn> masks{{.name = "__cdc_unavailable_1", .cell = 1}};

  explicit Fixture(int count) {
    for (int i = 0; i < count; ++i) {
      rows.push_back({int_cell(i), i % 2 == 0 ? text("bio " + std::to_string(i)) : toast()});
    }
    for (const types::Row& row : rows) pointers.push_back(&row);
  }

  std::shared_ptr<const Table> table(std::size_t chunk_rows) const {
    Result<std::shared_ptr<const Table>> result = export_rows(pointers, values, masks, chunk_rows);
    EXPECT_TRUE(result.is_ok()) << result.status().to_string();
    return *result;
  }
};

TEST(TableExportTest, SchemaIsAStructOfTheColumnsThenTheMasks) {
  OwnedStream stream;
  export_stream(Fixture(1).table(kChunkRows), &stream.stream);
  OwnedSchema schema;
  ASSERT_EQ(stream.stream.get_schema(&stream.stream, &schema.schema), 0);
  EXPECT_STREQ(schema.schema.format, "+s");
  EXPECT_EQ(schema.schema.flags, 0);
  ASSERT_EQ(schema.schema.n_children, 3);
  EXPECT_STREQ(schema.schema.children[0]->name, "id");
  EXPECT_STREQ(schema.schema.children[0]->format, "l");
  EXPECT_EQ(schema.schema.children[0]->flags, ARROW_FLAG_NULLABLE);
  EXPECT_STREQ(schema.schema.children[1]->format, "u");
  EXPECT_STREQ(schema.schema.children[2]->name, "__cdc_unavailable_1");
  EXPECT_STREQ(schema.schema.children[2]->format, "b");
  EXPECT_EQ(schema.schema.children[2]->flags, 0);
}

TEST(TableExportTest, FieldFormatsFollowTheChangesTable) {
  EXPECT_EQ(format_for(decimal_type(10, 2)), "d:10,2");
  EXPECT_EQ(format_for(type_of(Kind::kTimestampTz)), "tsu:UTC");
  EXPECT_EQ(format_for(type_of(Kind::kTimestamp)), "tsu:");
  EXPECT_EQ(format_for(type_of(Kind::kDate)), "tdD");
  EXPECT_EQ(format_for(type_of(Kind::kTime)), "ttu");
  EXPECT_EQ(format_for(type_of(Kind::kInterval)), "tin");
  EXPECT_EQ(format_for(type_of(Kind::kBlob)), "z");
  EXPECT_EQ(format_for(type_of(Kind::kJson)), "u");
  Field list = field_for("tags", list_of(type_of(Kind::kVarchar)));
  EXPECT_EQ(list.format, "+l");
  ASSERT_EQ(list.children.size(), 1U);
  EXPECT_EQ(list.children[0].name, "item");
  EXPECT_EQ(list.children[0].format, "u");
}

TEST(TableExportTest, StreamYieldsChunksThenEnds) {
  OwnedStream stream;
  export_stream(Fixture(7).table(3), &stream.stream);
  std::vector<std::int64_t> lengths;
  std::int64_t next_id = 0;
  while (true) {
    OwnedArray batch;
    ASSERT_EQ(stream.stream.get_next(&stream.stream, &batch.array), 0);
    if (batch.array.release == nullptr) break;
    lengths.push_back(batch.array.length);
    ASSERT_EQ(batch.array.n_children, 3);
    const ArrowArray& ids = *batch.array.children[0];
    const ArrowArray& bios = *batch.array.children[1];
    const ArrowArray& mask = *batch.array.children[2];
    for (std::int64_t i = 0; i < batch.array.length; ++i, ++next_id) {
      EXPECT_EQ(value_at<std::int64_t>(ids, i), next_id);
      const bool sent = next_id % 2 == 0;
      EXPECT_EQ(is_valid(bios, i), sent);
      EXPECT_EQ(bit_at(mask.buffers[1], i), !sent);
      if (sent) {
        EXPECT_EQ(string_at(bios, i), "bio " + std::to_string(next_id));
      }
    }
  }
  EXPECT_EQ(lengths, (std::vector<std::int64_t>{3, 3, 1}));
  EXPECT_EQ(stream.stream.get_last_error(&stream.stream), nullptr);
}

TEST(TableExportTest, ArraysOutliveTheStreamAndTheTable) {
  OwnedArray batch;
  OwnedSchema schema;
  {
    OwnedStream stream;
    export_stream(Fixture(4).table(kChunkRows), &stream.stream);
    ASSERT_EQ(stream.stream.get_schema(&stream.stream, &schema.schema), 0);
    ASSERT_EQ(stream.stream.get_next(&stream.stream, &batch.array), 0);
  }  // stream and every other reference to the table released here
  ASSERT_EQ(batch.array.length, 4);
  EXPECT_EQ(string_at(*batch.array.children[1], 2), "bio 2");
  EXPECT_STREQ(schema.schema.children[1]->name, "bio");
}

TEST(TableExportTest, ConsumerMayMoveAChildOut) {
  OwnedStream stream;
  export_stream(Fixture(2).table(kChunkRows), &stream.stream);
  OwnedArray moved;
  {
    OwnedArray batch;
    ASSERT_EQ(stream.stream.get_next(&stream.stream, &batch.array), 0);
    std::memcpy(&moved.array, batch.array.children[1], sizeof(ArrowArray));  // the spec's "move"
    batch.array.children[1]->release = nullptr;
  }
  EXPECT_EQ(string_at(moved.array, 0), "bio 0");
}

TEST(TableExportTest, ReleasingAnUnreadStreamFreesEverything) {
  OwnedStream stream;
  export_stream(Fixture(5).table(2), &stream.stream);
  // Destructor releases it: ASan reports any leak.
}

TEST(TableExportTest, NoRowsGivesASchemaAndNoBatch) {
  Fixture fixture(0);
  std::shared_ptr<const Table> table = fixture.table(kChunkRows);
  EXPECT_TRUE(table->batches.empty());
  EXPECT_EQ(table->num_rows(), 0);
}

TEST(TableExportTest, AMisfitCellNamesItsColumn) {
  const types::Row row{text("not a number")};
  const types::Row* rows[] = {&row};
  const ValueColumn values[] = {{.name = "amount", .type = type_of(Kind::kInt32), .cell = 0}};
  Result<std::shared_ptr<const Table>> result = export_rows(rows, values, {});
  ASSERT_FALSE(result.is_ok());
  EXPECT_NE(result.status().message().find("column 'amount'"), std::string::npos);
}

TEST(TableExportTest, ExportsRepeatWithoutCopying) {
  std::shared_ptr<const Table> table = Fixture(3).table(kChunkRows);
  OwnedArray first;
  OwnedArray second;
  export_batch(table->batches[0], &first.array);
  export_batch(table->batches[0], &second.array);
  EXPECT_EQ(first.array.children[0]->buffers[1], second.array.children[0]->buffers[1]);
}

}  // namespace
}  // namespace cdc::arrow
