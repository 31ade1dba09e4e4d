// Quantities: a dimension and an exact integer count of its base unit
// (milliseconds, bytes, millicpu, bits per second). Never floating point.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sparkc {

enum class Dimension { Duration, Size, Cpu, Bandwidth };

struct Quantity {
  Dimension dimension;
  int64_t value;  // in the base unit
};

std::string_view DimensionName(Dimension d);

enum class QuantityError { None, UnknownUnit, Overflow, NotWhole };

// `number` is the literal as written ("15", "1.5"); `unit` its unit.
QuantityError MakeQuantity(std::string_view number, std::string_view unit, Quantity& out);

// Every unit name, for "did you mean" suggestions.
const std::vector<std::string>& UnitNames();

}  // namespace sparkc
