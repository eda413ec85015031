#include "cdc/arrow/field.hpp"

#include <memory>
#include <utility>

#include "cdc/types/kind_table.hpp"

namespace cdc::arrow {

using types::Kind;

std::string format_for(const types::ColumnType& type) {
  std::string format(types::kind_spec(type.kind).arrow_format);
  if (type.kind == Kind::kDecimal) {
    format += std::to_string(type.precision) + "," + std::to_string(type.scale);
  }
  return format;
}

Field field_for(std::string name, const types::ColumnType& type) {
  Field field{.name = std::move(name), .format = format_for(type), .nullable = true, .children = {}};
  if (type.kind == Kind::kList) {
    // A list without an element type is a bug upstream; text is the one type every value can become.
    static const types::ColumnType kText{};
    field.children.push_back(field_for("item", type.element ? *type.element : kText));
  }
  return field;
}

Field struct_of(std::vector<Field> columns) {
  return Field{.name = "", .format = "+s", .nullable = false, .children = std::move(columns)};
}

namespace {

struct ExportedSchema {
  std::string format;
  std::string name;
  std::vector<ArrowSchema> child_structs;
  std::vector<ArrowSchema*> children;
};

void release_schema(ArrowSchema* schema) {
  if (schema == nullptr || schema->release == nullptr) return;
  std::unique_ptr<ExportedSchema> exported(static_cast<ExportedSchema*>(schema->private_data));
  for (ArrowSchema* child : exported->children) {
    if (child->release != nullptr) child->release(child);
  }
  schema->release = nullptr;
  schema->private_data = nullptr;
}

}  // namespace

void export_schema(const Field& field, ArrowSchema* out) {
  auto exported = std::make_unique<ExportedSchema>();
  exported->format = field.format;
  exported->name = field.name;
  exported->child_structs.resize(field.children.size());
  exported->children.reserve(field.children.size());
  for (std::size_t i = 0; i < field.children.size(); ++i) {
    export_schema(field.children[i], &exported->child_structs[i]);
    exported->children.push_back(&exported->child_structs[i]);
  }
  *out = ArrowSchema{
      .format = exported->format.c_str(),
      .name = exported->name.c_str(),
      .metadata = nullptr,
      .flags = field.nullable ? ARROW_FLAG_NULLABLE : 0,
      .n_children = static_cast<std::int64_t>(exported->children.size()),
      .children = exported->children.empty() ? nullptr : exported->children.data(),
      .dictionary = nullptr,
      .release = release_schema,
      .private_data = nullptr,
  };
  out->private_data = exported.release();
}

}  // namespace cdc::arrow
