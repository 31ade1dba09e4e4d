#!/usr/bin/env bash
# The property test of the time bounds, run long: random specs compiled by
# the real compiler, walked by the real walker on a simulated clock with
# random durations, retries and failures, never past the proven bound.
#   bench/time_bounds.sh [BUILD_DIR] [CASES] [SEEDS]
set -euo pipefail
build=${1:-build}
cases=${2:-20000}
seeds=${3:-3}
tests="$build/tests/sparkc_unit_tests"
[ -x "$tests" ] || { echo "build the unit tests first: cmake --build $build" >&2; exit 2; }
for seed in $(seq 1 "$seeds"); do
  start=$(date +%s.%N)
  SPARKC_PROPERTY_CASES=$cases SPARKC_PROPERTY_SEED=$seed \
    "$tests" "no run of the real walker ends later than the bounds the compiler proves" > /tmp/sparkc-bounds.$$ ||
    { cat /tmp/sparkc-bounds.$$; exit 1; }
  end=$(date +%s.%N)
  assertions=$(grep -o '[0-9]* assertions' /tmp/sparkc-bounds.$$ | head -1)
  printf 'seed %s: %s specs, 8 runs each (estimates and timeouts, with and without a failure): %s held, %.1f s\n' \
    "$seed" "$cases" "$assertions" "$(echo "$end - $start" | bc)"
done
rm -f /tmp/sparkc-bounds.$$
