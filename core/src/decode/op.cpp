#include "cdc/decode/op.hpp"

namespace cdc::decode {

std::optional<Op> op_from_code(std::string_view code) noexcept {
  if (code.size() != 1) return std::nullopt;
  switch (code.front()) {
    case 'c':
      return Op::kCreate;
    case 'u':
      return Op::kUpdate;
    case 'd':
      return Op::kDelete;
    case 'r':
      return Op::kRead;
    case 't':
      return Op::kTruncate;
    case 'm':
      return Op::kMessage;
    default:
      return std::nullopt;
  }
}

char op_code(Op op) noexcept {
  switch (op) {
    case Op::kCreate:
      return 'c';
    case Op::kUpdate:
      return 'u';
    case Op::kDelete:
      return 'd';
    case Op::kRead:
      return 'r';
    case Op::kTruncate:
      return 't';
    case Op::kMessage:
      return 'm';
  }
  return '?';
}

}  // namespace cdc::decode
