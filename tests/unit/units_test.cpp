#include <catch2/catch.hpp>

#include "compiler/check/units.h"

using namespace sparkc;

static int64_t Value(std::string_view number, std::string_view unit) {
  Quantity q{};
  REQUIRE(MakeQuantity(number, unit, q) == QuantityError::None);
  return q.value;
}

TEST_CASE("sizes are exact bytes in decimal and binary units") {
  CHECK(Value("10", "GB") == 10'000'000'000);
  CHECK(Value("50", "GiB") == 50LL << 30);
  CHECK(Value("10", "GB") < Value("50", "GiB"));
  CHECK(Value("1.5", "KiB") == 1536);
  CHECK(Value("2", "TiB") == 2LL << 40);
}

TEST_CASE("durations are exact milliseconds") {
  CHECK(Value("15", "min") == 900'000);
  CHECK(Value("1.5", "h") == 5'400'000);
  CHECK(Value("500", "ms") == 500);
  CHECK(Value("1", "d") == 86'400'000);
}

TEST_CASE("overflow, fractions of the base unit and unknown units are errors") {
  Quantity q{};
  CHECK(MakeQuantity("999999999999", "d", q) == QuantityError::Overflow);
  CHECK(MakeQuantity("99999999999999999999", "B", q) == QuantityError::Overflow);
  CHECK(MakeQuantity("1.0005", "s", q) == QuantityError::NotWhole);
  CHECK(MakeQuantity("5", "mins", q) == QuantityError::UnknownUnit);
  CHECK(MakeQuantity("4", "cpu", q) == QuantityError::None);
  CHECK(q.dimension == Dimension::Cpu);
  CHECK(q.value == 4000);
}
