#include "compiler/check/units.h"

#include <charconv>

namespace sparkc {
namespace {

struct Unit {
  std::string_view name;
  Dimension dimension;
  int64_t factor;
};

constexpr Unit kUnits[] = {
    {"ms", Dimension::Duration, 1},
    {"s", Dimension::Duration, 1000},
    {"min", Dimension::Duration, 60'000},
    {"h", Dimension::Duration, 3'600'000},
    {"d", Dimension::Duration, 86'400'000},
    {"B", Dimension::Size, 1},
    {"KB", Dimension::Size, 1'000},
    {"MB", Dimension::Size, 1'000'000},
    {"GB", Dimension::Size, 1'000'000'000},
    {"TB", Dimension::Size, 1'000'000'000'000},
    {"PB", Dimension::Size, 1'000'000'000'000'000},
    {"KiB", Dimension::Size, int64_t{1} << 10},
    {"MiB", Dimension::Size, int64_t{1} << 20},
    {"GiB", Dimension::Size, int64_t{1} << 30},
    {"TiB", Dimension::Size, int64_t{1} << 40},
    {"PiB", Dimension::Size, int64_t{1} << 50},
    {"mcpu", Dimension::Cpu, 1},
    {"cpu", Dimension::Cpu, 1000},
    {"bps", Dimension::Bandwidth, 1},
    {"Kbps", Dimension::Bandwidth, 1'000},
    {"Mbps", Dimension::Bandwidth, 1'000'000},
    {"Gbps", Dimension::Bandwidth, 1'000'000'000},
    {"Tbps", Dimension::Bandwidth, 1'000'000'000'000},
};

}  // namespace

std::string_view DimensionName(Dimension d) {
  switch (d) {
    case Dimension::Duration: return "duration";
    case Dimension::Size: return "size";
    case Dimension::Cpu: return "cpu";
    case Dimension::Bandwidth: return "bandwidth";
  }
  return "?";
}

const std::vector<std::string>& UnitNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const Unit& u : kUnits) out.emplace_back(u.name);
    return out;
  }();
  return names;
}

QuantityError MakeQuantity(std::string_view number, std::string_view unit, Quantity& out) {
  const Unit* found = nullptr;
  for (const Unit& u : kUnits)
    if (u.name == unit) found = &u;
  if (found == nullptr) return QuantityError::UnknownUnit;
  // Exact decimal arithmetic: "1.5" GiB is 15 * GiB / 10, which must divide.
  std::string digits;
  int64_t scale = 1;
  size_t dot = number.find('.');
  digits = std::string(number.substr(0, dot));
  if (dot != std::string_view::npos) {
    std::string_view fraction = number.substr(dot + 1);
    while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
    digits += fraction;
    for (size_t i = 0; i < fraction.size(); ++i)
      if (__builtin_mul_overflow(scale, 10, &scale)) return QuantityError::Overflow;
  }
  int64_t mantissa = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), mantissa);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return QuantityError::Overflow;
  int64_t product = 0;
  if (__builtin_mul_overflow(mantissa, found->factor, &product)) {
    // Maybe the scale divides first: 0.5 * 2^60 overflows only if multiplied first.
    if (found->factor % scale != 0 ||
        __builtin_mul_overflow(mantissa, found->factor / scale, &product))
      return QuantityError::Overflow;
    out = {found->dimension, product};
    return QuantityError::None;
  }
  if (product % scale != 0) return QuantityError::NotWhole;
  out = {found->dimension, product / scale};
  return QuantityError::None;
}

}  // namespace sparkc
