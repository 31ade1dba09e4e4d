// `sparkc fmt FILE|DIR… [--check] [--stdout]`: see compiler/format/format.h.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace sparkc {

struct FmtOptions {
  std::vector<std::string> paths;  // files, directories (every .spark below), or `-` for stdin
  bool check = false;              // change nothing; exit 1 if a file is not formatted
  bool to_stdout = false;          // print the formatted text instead of rewriting the file
};

int FmtCommand(const FmtOptions& options, std::ostream& out, std::ostream& err);

}  // namespace sparkc
