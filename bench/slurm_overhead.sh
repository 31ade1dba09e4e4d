#!/usr/bin/env bash
# Per-step overhead of the Slurm engine against the local runner, on the
# same plan and the same PostgreSQL journal: a chain of N steps that do
# nothing (`true`), so that what is measured is sparkc's and the
# scheduler's hand-off, and a fan-out of N such steps (an array of N tasks,
# parallelism N) for the cost with no chain between jobs, and the same
# chain with an undo each and a last step that fails (every step run, then
# undone: on Slurm, an undo job each, chained in the rollback's order). As root (the test
# cluster's slurmd runs jobs as their submitter); the cluster (three nodes)
# and the server are started on 127.0.0.1 and stopped here.
#   bench/slurm_overhead.sh [BUILD_DIR] [N]
set -euo pipefail
build=$(realpath "${1:-build}")
n=${2:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
sparkc="$build/tools/sparkc/sparkc"
[ -x "$sparkc" ] || { echo "build sparkc first: cmake --build $build" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "run as root: the test cluster's slurmd starts jobs as their submitter" >&2; exit 2; }
work=$(mktemp -d /tmp/sparkc-bench-slurm.XXXXXX)
chmod 755 "$work"
cd "$work"
password="bench-$RANDOM"
url="postgres://postgres:$password@127.0.0.1:25620/postgres"
trap '"$root/tests/support/slurm_cluster.sh" stop "$work/slurm" >/dev/null 2>&1;
      "$root/specs/spec-to-proof-local/bin/pg" stop "$work/pgdata" >/dev/null 2>&1; rm -rf "$work"' EXIT
STP_PG_PASSWORD=$password "$root/specs/spec-to-proof-local/bin/pg" start "$work/pgdata" 25620 >/dev/null
eval "$("$root/tests/support/slurm_cluster.sh" start "$work/slurm" 3 26920)"

{
  echo 'step s0 { do = exec("true"); undo = none }'
  for i in $(seq 1 $((n - 1))); do echo "step s$i { after = [s$((i - 1))]; do = exec(\"true\"); undo = none }"; done
} > chain.spark
{
  echo 'step s0 { do = exec("true"); undo = exec("true") }'
  for i in $(seq 1 $((n - 1))); do echo "step s$i { after = [s$((i - 1))]; do = exec(\"true\"); undo = exec(\"true\") }"; done
  echo "step breaks { after = [s$((n - 1))]; do = exec(\"false\"); undo = none }"
} > rollback.spark
echo "objective { parallelism = $n }
step f[i in [$(seq -s ', ' 0 $((n - 1)))]] { do = exec(\"true\"); undo = none }" > fan.spark

seconds() {  # seconds [-3] COMMAND...: wall time of a command that must succeed (-3: be rolled back)
  local start end want=0 code=0
  [ "$1" = -3 ] && { want=3; shift; }
  start=$(date +%s.%N)
  "$@" > last.out 2>&1 || code=$?
  [ $code = $want ] || { cat last.out >&2; exit 1; }
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
row() { printf '  %-46s %8.3f s   %7.3f s/step\n' "$1" "$2" "$(echo "$2 / $n" | bc -l)"; }

echo "sparkc on Slurm against the local runner: $n steps, the journal in PostgreSQL 15, Slurm $(sinfo --version | cut -d' ' -f2), $(nproc) cores"
for shape in chain fan rollback; do
  "$sparkc" plan $shape.spark -o $shape.json --format json > /dev/null 2>&1
  expect=(); [ $shape = rollback ] && expect=(-3)
  local_s=$(seconds "${expect[@]}" "$sparkc" apply $shape.json --state "$url" --new-run)
  slurm_s=$(seconds "${expect[@]}" "$sparkc" apply $shape.json --state "$url" --engine slurm --new-run)
  row "$shape, local runner" "$local_s"
  row "$shape, Slurm engine (submit to finish job)" "$slurm_s"
  printf '  %-46s %8.1f x\n' "$shape, Slurm / local" "$(echo "$slurm_s / $local_s" | bc -l)"
done
