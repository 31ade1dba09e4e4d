# SIGKILL the runner at many points of a 50-step apply and then of its
# rollback; after resuming each time, every step took effect exactly once
# (mkdir fails if it runs twice), was undone exactly once (rmdir fails too),
# and the journal agrees. With the journal in SQLite, then in PostgreSQL (a
# server started here), where the killed runner's lock goes with its
# session.
source "$(dirname "$0")/lib.sh" "$@"
RANDOM=7  # the same kill points on every run

{
  for i in $(seq 0 49); do
    after=""
    [ $((i % 10)) -ne 0 ] && after="after = [s$((i - 1))$([ $i -ge 20 ] && [ $((i % 10)) -eq 5 ] && echo ", s$((i - 15))")]"
    echo "step s$i { $after"
    echo "  do = shell(\"mkdir done/s$i && sleep 0.0$((i % 4 + 3))\")"
    echo "  undo = shell(\"rmdir done/s$i && sleep 0.0$((i % 3 + 3))\")"
    echo "  check = file.exists(\"done/s$i\")"
    echo "}"
  done
} > spec.spark
"$SPARKC" plan spec.spark -o plan.yaml 2>/dev/null || fail "plan"

# kill_loop CODE COMMAND...: starts COMMAND, kills it at a random point,
# repeats until it finishes by itself with CODE.
kill_loop() {
  local want=$1 kills=0
  shift
  while :; do
    "$@" >>runs.log 2>&1 &
    local runner=$!
    # Later attempts wait longer, so even a slow build (sanitizers) gets through.
    local delay=$((RANDOM % 14 + 2 + kills * 2))
    sleep "$((delay / 100)).$(printf %02d $((delay % 100)))"
    if kill -9 $runner 2>/dev/null; then
      wait $runner 2>/dev/null
      kills=$((kills + 1))
      [ $kills -le 60 ] || { fail "$* never finished"; return; }
      continue
    fi
    wait $runner
    local code=$?
    [ $code = "$want" ] || { fail "$*: exit $code, expected $want"; tail -20 runs.log >&2; }
    echo "$* finished after $kills kills" >&2
    [ $kills -ge 3 ] || fail "$*: only $kills kills landed; the test did not test much"
    return
  done
}

# crash_test STATE QUERY: the whole test with the journal at STATE; QUERY
# runs SQL against it.
crash_test() {
  local state=$1 q=$2
  rm -rf done && mkdir done
  kill_loop 0 "$SPARKC" apply plan.yaml -j4 --state "$state"
  [ "$(ls done | wc -l)" = 50 ] || fail "$state: $(ls done | wc -l) of 50 steps took effect"
  failed=$($q "select count(*) from transitions where status = 'failed'")
  [ "$failed" = 0 ] || fail "$state: $failed step attempts failed: a step ran twice"
  succeeded=$($q "select count(*) from steps where status = 'succeeded'")
  [ "$succeeded" = 50 ] || fail "$state: $succeeded of 50 steps recorded as succeeded"
  once=$($q "select count(*) from (select step from transitions where status = 'succeeded' group by step having count(*) = 1) as s")
  [ "$once" = 50 ] || fail "$state: only $once steps have exactly one succeeded transition"

  kill_loop 0 "$SPARKC" rollback -j4 --state "$state"
  [ "$(ls done | wc -l)" = 0 ] || fail "$state: $(ls done | wc -l) steps are still applied after the rollback"
  bad=$($q "select count(*) from transitions where status = 'undo_failed'")
  [ "$bad" = 0 ] || fail "$state: $bad undos failed: a step was undone twice"
  undone=$($q "select count(*) from steps where status = 'undone'")
  [ "$undone" = 50 ] || fail "$state: $undone of 50 steps recorded as undone"
}

sqlite_q() { sqlite3 .sparkc/state.db "$1"; }
crash_test .sparkc sqlite_q

if start_postgres 25497; then
  crash_test "$URL" psql_q
else
  fail "PostgreSQL did not start"
fi
finish
