#include "cdc/arrow/array_data.hpp"

#include <utility>

namespace cdc::arrow {

namespace {

// Stands in for an empty non-validity buffer; 16 zero bytes cover one offset or one value of any width.
alignas(16) const std::uint8_t kZeros[16] = {};

// What an exported ArrowArray's private_data points to: the reference that keeps the data alive and the
// pointer arrays the struct exposes.
struct ExportedArray {
  std::shared_ptr<const ArrayData> data;
  std::vector<const void*> buffers;
  std::vector<ArrowArray> child_structs;
  std::vector<ArrowArray*> children;
};

void release_array(ArrowArray* array) {
  if (array == nullptr || array->release == nullptr) return;
  std::unique_ptr<ExportedArray> exported(static_cast<ExportedArray*>(array->private_data));
  for (ArrowArray* child : exported->children) {
    // A consumer may have moved a child out (and nulled its release); then it is no longer ours.
    if (child->release != nullptr) child->release(child);
  }
  array->release = nullptr;
  array->private_data = nullptr;
}

}  // namespace

void export_array(std::shared_ptr<const ArrayData> data, ArrowArray* out) {
  auto exported = std::make_unique<ExportedArray>();
  const ArrayData& array = *data;
  exported->buffers.reserve(array.buffers.size());
  for (std::size_t i = 0; i < array.buffers.size(); ++i) {
    const Buffer& buffer = array.buffers[i];
    if (i == 0) {
      exported->buffers.push_back(array.null_count == 0 || buffer.empty() ? nullptr : buffer.data());
    } else {
      exported->buffers.push_back(buffer.empty() ? kZeros : buffer.data());
    }
  }
  exported->child_structs.resize(array.children.size());
  exported->children.reserve(array.children.size());
  for (std::size_t i = 0; i < array.children.size(); ++i) {
    export_array(array.children[i], &exported->child_structs[i]);
    exported->children.push_back(&exported->child_structs[i]);
  }
  exported->data = std::move(data);

  *out = ArrowArray{
      .length = array.length,
      .null_count = array.null_count,
      .offset = 0,
      .n_buffers = static_cast<std::int64_t>(exported->buffers.size()),
      .n_children = static_cast<std::int64_t>(exported->children.size()),
      .buffers = exported->buffers.data(),
      .children = exported->children.empty() ? nullptr : exported->children.data(),
      .dictionary = nullptr,
      .release = release_array,
      .private_data = nullptr,
  };
  out->private_data = exported.release();
}

}  // namespace cdc::arrow
