#!/usr/bin/env bash
# The README's main job, in build/: the small example spec (check, plan,
# apply, status), then the Spec-to-Proof migration on real PostgreSQL 15,
# Redis 7 and NATS JetStream servers on 127.0.0.1 — once through to the
# cut-over, once with a fault injected into the restore so that sparkc rolls
# back and the legacy side keeps serving. The servers are stopped at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
sparkc="$root/build/tools/sparkc/sparkc"
spec="$root/specs/example/example.spark"
run="$root/build/example-run"
rm -rf "$run" && mkdir -p "$run" && cd "$run"
step() { echo; echo "\$ sparkc $*"; "$sparkc" "$@"; }
step check "$spec"
step plan "$spec" -o plan.yaml
step apply plan.yaml -j 2
step status

demo="$root/specs/spec-to-proof-local/demo.sh"
ok="$root/build/stp-demo" failed="$root/build/stp-demo-fault"
stop() { for dir in "$ok" "$failed"; do if [ -d "$dir" ]; then (cd "$dir" && bin/stop-all); fi; done; }
trap stop EXIT
stop
rm -rf "$ok" "$failed"
echo
echo "=== Spec-to-Proof, local: the migration ==="
SPARKC="$sparkc" "$demo" "$ok"
(cd "$ok" && bin/stop-all)  # the second run uses the same ports
echo
echo "=== Spec-to-Proof, local: the same migration with the restore failing ==="
code=0
SPARKC="$sparkc" "$demo" --fault "$failed" || code=$?
[ "$code" = 3 ] || { echo "expected exit 3 (rolled back), got $code" >&2; exit 1; }
echo
echo "Both runs are in build/stp-demo and build/stp-demo-fault (plan.yaml, .sparkc/state.db)."
