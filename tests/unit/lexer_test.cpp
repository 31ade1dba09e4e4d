#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/parse/lexer.h"
#include "tests/support/lexer_diff.h"

using sparkc::testing::CompareLexers;

TEST_CASE("the hand-written lexer agrees with ANTLR's on the corners of the grammar") {
  // Longest match, keyword vs name, the failures ANTLR recovers from and
  // where it resumes, comments, and code points beyond ASCII.
  const char* cases[] = {
      "", "step", "steps", "stepx", "_x9", "in contains not", "v1.", "v1.2.", "v1.2.x", "v12",
      "v1_2.3", "v1.2abc", "v1.2.3.4", "1.", "1.2.3", "1e5", "10GiB", "007", "80%", "a!=b", "a!b",
      "!", "!\n", "!é", "\"abc", "\"abc\nx", "\"abc\r\ny", "\"a\\\"b\"", "\"a\\", "\"a\\\nb\"",
      "\"é\\é\"", "/* x", "/**/x", "/*/ */y", "/*/", "////", "/// doc\n///\nstep", "a/b", "a / / b",
      "x // c\ny", "é", "aé b", "→", "@", "#x", "a\tb\r\nc", "\f", "x.y", "->", "-->", "<=>", "===",
      "%%", "{}[]()", "\"${a}\"", "\\", "'", "`", "a;b,c:d", "<<=>>=", "- -1", "\"\"\"",
      "step a { do = exec(\"x\") }", "\"unterminated\n\"second\"", "\xEF\xBB\xBFstep a",
      "\xEF\xBB\xBF", "a \xEF\xBB\xBF b",
  };
  for (const char* text : cases) {
    INFO("input: " << text);
    CHECK(CompareLexers(text) == "");
  }
}

TEST_CASE("the hand-written lexer agrees with ANTLR's on random text") {
  // A fixed generator, so a failure names an input that reproduces.
  const std::string alphabet[] = {"a", "v", "1", "0", ".", "\"", "\\", "/", "*", "!", "=", "<",
                                  ">", "-", " ", "\n", "\r", "é", "{", "}", "(", ")", "%", "@",
                                  "step", "in", "_", "$", "#", "'", "\t", "→"};
  uint64_t state = 42;
  auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(state >> 33);
  };
  for (int n = 0; n < 5000; ++n) {
    std::string text;
    for (uint32_t len = next() % 24; len > 0; --len) text += alphabet[next() % std::size(alphabet)];
    INFO("input: " << text);
    REQUIRE(CompareLexers(text) == "");
  }
}

TEST_CASE("the hand-written lexer agrees with ANTLR's on every spec in the repository") {
  namespace fs = std::filesystem;
  int files = 0;
  for (const char* dir : {"specs", "stdlib", "tests/golden", "docs"}) {
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(SPARKC_SOURCE_DIR) / dir)) {
      if (entry.path().extension() != ".spark") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      INFO("file: " << entry.path());
      CHECK(CompareLexers(text.str()) == "");
      ++files;
    }
  }
  CHECK(files > 30);
}
