#!/usr/bin/env bash
# The whole test suite, as CI runs it: the normal build and every test; the
# same suite built with AddressSanitizer and UndefinedBehaviorSanitizer, and
# again with ThreadSanitizer (apply runs -j workers, a group-commit leader and
# a progress thread); and a short smoke run of each libFuzzer target.
#   tools/scripts/test-all.sh          SPARKC_FUZZ_SECONDS=20 by default
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
echo "== build and test"
cmake -S . -B build -G Ninja
cmake --build build
ctest --test-dir build --output-on-failure -j2
echo "== build and test under ASan and UBSan"
cmake --preset asan
cmake --build build-asan
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir build-asan --output-on-failure -j2
echo "== build and test under TSan"
cmake --preset tsan
cmake --build build-tsan
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" ctest --test-dir build-tsan --output-on-failure -j2
echo "== fuzz smoke"
tools/scripts/fuzz.sh "${SPARKC_FUZZ_SECONDS:-20}"
