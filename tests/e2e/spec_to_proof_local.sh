# The Spec-to-Proof migration for real: PostgreSQL 15, Redis 7 and NATS
# JetStream started on 127.0.0.1. Through to the cut-over, the application
# reads the new side with every row, key and message; with a fault in the
# restore, sparkc rolls back and the legacy side serves everything it had.
source "$(dirname "$0")/lib.sh" "$@"
DEMO="$ROOT/specs/spec-to-proof-local/demo.sh"
export SPARKC STP_PG_PASSWORD="e2e-$RANDOM-pw"
trap '(cd "$WORK/ok" 2>/dev/null && bin/stop-all); (cd "$WORK/fault" 2>/dev/null && bin/stop-all); rm -rf "$WORK"' EXIT
chmod 755 "$WORK"  # the database servers run as `postgres` when the tests run as root
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

expect_exit 0 "the migration" -- "$DEMO" "$WORK/ok"
expect_grep "apply succeeded: 16 steps" out.txt
expect_grep "15 of 15 checks hold" out.txt
legacy=$(grep -m1 "^legacy side up: " out.txt | sed 's/^legacy side up: endpoint=legacy //')
[ -n "$legacy" ] || fail "no legacy view"
expect_grep "endpoint=new $legacy" out.txt
expect_grep "orders=10000 checksum=[0-9a-f]\{32\} keys=1000 messages=500" out.txt
expect_grep "retire_legacy  approved by dba (approvals.yaml:2:5" out.txt
[ -d "$WORK/ok/run/pg-legacy" ] && fail "the legacy data should be deleted after the gate"
port_open 25432 && fail "legacy PostgreSQL still runs after its retirement"
grep -rqa "$STP_PG_PASSWORD" "$WORK/ok/plan.yaml" "$WORK/ok/.sparkc" out.txt err.txt &&
  fail "the database password was written somewhere"
(cd "$WORK/ok" && bin/stop-all)

expect_exit 3 "a failed restore rolls back" -- "$DEMO" --fault "$WORK/fault"
expect_grep "FAIL   restore_postgres  exit code 1" out.txt
expect_grep "injected fault at 'restore'" out.txt
expect_grep "rollback complete: every step that acted is undone" out.txt
expect_grep "^endpoint=legacy $legacy$" out.txt
[ -e "$WORK/fault/run/pg-new" ] && fail "the new PostgreSQL's data should be gone after the rollback"
port_open 25433 && fail "the new PostgreSQL still runs after the rollback"
port_open 24223 && fail "the new NATS still runs after the rollback"
port_open 25432 || fail "the legacy PostgreSQL should still serve"
finish
