#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset, clang) and runs each for
# SECONDS (default 20) on seed corpora from specs/, stdlib/ and tests/.
# Exits non-zero on the first crash, leak or timeout; the input that caused
# it is left in build-fuzz/artifacts/.
#   tools/scripts/fuzz.sh [SECONDS] [TARGET...]   targets: frontend lexer plan plan_json plan_yaml journal lsp
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-20}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(frontend lexer plan plan_json plan_yaml journal lsp)
cd "$root"
cmake --preset fuzz >/dev/null
cmake --build build-fuzz
work=build-fuzz/corpora
mkdir -p build-fuzz/artifacts "$work"/{frontend,lexer,plan,plan_json,plan_yaml,journal,lsp}
find specs stdlib tests/golden -name '*.spark' -exec cp {} "$work/frontend/" \; 2>/dev/null || true
cp "$work"/frontend/*.spark "$work/lexer/"
cp "$work"/frontend/*.spark "$work/lsp/"
find tests/golden -name "*.plan.yaml" -exec cp {} "$work/plan/" \;
# What fuzzing found once.
cp tests/fuzz/regressions/plan-* "$work/plan/" 2>/dev/null || true
cp tests/fuzz/regressions/plan-* "$work/plan_json/" 2>/dev/null || true
cp tests/fuzz/regressions/plan-* "$work/plan_yaml/" 2>/dev/null || true
cp tests/fuzz/regressions/lexer-* "$work/lexer/" 2>/dev/null || true
# A real journal: the example spec applied by the fuzz build's own sparkc.
seed=$(mktemp -d)
(cd "$seed" && "$root/build-fuzz/tools/sparkc/sparkc" plan "$root/specs/example/example.spark" -o plan.json \
   --format json >/dev/null 2>&1 && cp plan.json "$root/$work/plan/example.plan.json" &&
 "$root/build-fuzz/tools/sparkc/sparkc" apply plan.json >/dev/null 2>&1 &&
 cp .sparkc/state.db "$root/$work/journal/example.db") || true
rm -rf "$seed"
cp "$work"/plan/*.json "$work/plan_json/" 2>/dev/null || true
cp "$work"/plan/*.yaml "$work/plan_yaml/" 2>/dev/null || true
for target in "${targets[@]}"; do
  echo "== fuzzing $target for ${seconds}s"
  # -timeout is generous: on a loaded 2-core machine an input that takes
  # 0.1 s alone once took over 10 s (and was reported as a timeout).
  "build-fuzz/tests/fuzz/${target}_fuzz" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="build-fuzz/artifacts/${target}-" \
    "$work/$target" 2>&1 | grep -E "^(#[0-9]+.*DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)" || true
  # libFuzzer's exit status is lost in the pipe; an artifact is the verdict
  # (a slow unit is only noted: libFuzzer goes on after one).
  slow=$(find build-fuzz/artifacts -name "${target}-slow-unit-*" | sort)
  [ -z "$slow" ] || echo "fuzz: $target noted slow inputs:" $slow >&2
  failing=$(find build-fuzz/artifacts \( -name "${target}-crash-*" -o -name "${target}-leak-*" \
    -o -name "${target}-timeout-*" -o -name "${target}-oom-*" \) | sort)
  if [ -n "$failing" ]; then
    echo "fuzz: $target found a failing input:" $failing >&2
    exit 1
  fi
done
