// The `sparkc` command line. Main is a function of its arguments and streams
// so that tests run it in-process.
#pragma once

#include <ostream>

namespace sparkc {

// `exits_after`: the process ends when Main returns (the sparkc binary), so
// what a compile built may be left to the OS instead of freed; tests that
// call Main again and again leave it false.
int Main(int argc, const char* const* argv, std::ostream& out, std::ostream& err, bool exits_after = false);

}  // namespace sparkc
