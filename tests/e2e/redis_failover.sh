# The Redis failover runbook (specs/redis-failover) against two real
# redis-servers: the replica's port comes from the primary's ROLE output and
# every later step, check, undo and the gate's prompt use it. Apply swaps
# the roles; rollback swaps them back, each undo verified by its undo_check.
source "$(dirname "$0")/lib.sh" "$@"
command -v redis-server >/dev/null || { fail "redis-server is not installed (tools/scripts/install-deps.sh)"; finish; }

trap 'redis-cli -p 26401 shutdown nosave >/dev/null 2>&1; redis-cli -p 26402 shutdown nosave >/dev/null 2>&1; rm -rf "$WORK"' EXIT
redis-server --port 26401 --bind 127.0.0.1 --save "" --appendonly no --daemonize yes --dir "$WORK" \
  --logfile "$WORK/primary.log" --pidfile "$WORK/primary.pid"
redis-server --port 26402 --bind 127.0.0.1 --save "" --appendonly no --daemonize yes --dir "$WORK" \
  --logfile "$WORK/replica.log" --pidfile "$WORK/replica.pid" --replicaof 127.0.0.1 26401
for _ in $(seq 100); do
  redis-cli -p 26402 info replication 2>/dev/null | grep -q "master_link_status:up" && break
  sleep 0.1
done
redis-cli -p 26401 set migrated-key kept >/dev/null
for _ in $(seq 50); do [ "$(redis-cli -p 26402 get migrated-key)" = kept ] && break; sleep 0.1; done

role() { redis-cli -p "$1" role | head -1; }
cp "$ROOT/specs/redis-failover/redis-failover.spark" .
expect_exit 0 "plan" -- "$SPARKC" plan redis-failover.spark -o plan.yaml
expect_exit 6 "apply stops at the gate" -- "$SPARKC" apply plan.yaml
expect_grep "Promote the replica on port 26402 and demote 26401?" out.txt
[ "$(role 26402)" = slave ] || fail "the replica changed before the gate"
expect_exit 0 "apply, approved" -- "$SPARKC" apply plan.yaml --approve go --approver ops
[ "$(role 26402)" = master ] || fail "26402 is $(role 26402) after the failover"
[ "$(role 26401)" = slave ] || fail "26401 is $(role 26401) after the failover"
[ "$(redis-cli -p 26402 get migrated-key)" = kept ] || fail "the new primary lost the key"
[ "$(sqlite3 .sparkc/state.db "select value from outputs where name = 'replica'")" = 26402 ] ||
  fail "the replica's port is not journaled"
expect_exit 0 "rollback" -- "$SPARKC" rollback
expect_grep "2 undos verified by undo_check" out.txt
[ "$(role 26401)" = master ] || fail "26401 is $(role 26401) after the rollback"
for _ in $(seq 50); do [ "$(role 26402)" = slave ] && break; sleep 0.1; done
[ "$(role 26402)" = slave ] || fail "26402 is $(role 26402) after the rollback"
finish
