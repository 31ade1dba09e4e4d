// libFuzzer target: the hand-written lexer against the one ANTLR generates
// from grammar/Spark.g4, token for token. A difference is a crash.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "tests/support/lexer_diff.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string diff = sparkc::testing::CompareLexers({reinterpret_cast<const char*>(data), size});
  if (!diff.empty()) {
    std::fprintf(stderr, "lexers disagree: %s\n", diff.c_str());
    std::abort();
  }
  return 0;
}
