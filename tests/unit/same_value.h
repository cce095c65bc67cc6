// Equality of two event values by type and content, for tests that compare events field by field.
#pragma once

#include "core/event.h"

namespace khien {

/// True when `a` and `b` have the same type and the member that type names is equal.
inline bool same_value(const Value& a, const Value& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case FieldType::String: return a.s == b.s;
    case FieldType::Int: return a.i == b.i;
    case FieldType::Float: return a.f == b.f;
    case FieldType::Bool: return a.b == b.b;
    case FieldType::Ip: return a.ip == b.ip;
    case FieldType::Timestamp: return a.t == b.t;
  }
  return false;
}

}  // namespace khien
