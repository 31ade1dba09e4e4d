// The `sparkc` command line. Main is a function of its arguments and streams
// so that tests run it in-process.
#pragma once

#include <ostream>

namespace sparkc {

int Main(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace sparkc
