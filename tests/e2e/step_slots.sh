# `sparkc step do` keeps the plan's limits whatever starts it: an engine
# (Slurm) may start every ready step at once, so each running step holds one
# of the plan's `parallelism` slots and one of its fan-out's `concurrency`
# slots, in the state store. Here several `step do` start at the same moment
# against one SQLite store; the steps' own log shows how many ran at once.
source "$(dirname "$0")/lib.sh" "$@"

# The most steps the log shows between their start and end lines.
most_at_once() { awk '/^start/ { n++; if (n > m) m = n } /^end/ { n-- } END { print m + 0 }' "$1"; }

# 1. parallelism = 1: three independent steps, started together, run one
# at a time; the waiting ones say why.
cat > one.spark <<'SPEC'
step a { do = shell("echo start-a >> log; sleep 0.4; echo end-a >> log"); undo = none }
step b { do = shell("echo start-b >> log; sleep 0.4; echo end-b >> log"); undo = none }
step c { do = shell("echo start-c >> log; sleep 0.4; echo end-c >> log"); undo = none }
SPEC
"$SPARKC" plan one.spark -o one.json --format json >/dev/null 2>&1 || fail "plan one.spark"
run=$("$SPARKC" step begin one.json --state st1 2>/dev/null)
[ "$run" = 1 ] || fail "step begin should print 1, printed '$run'"
for s in a b c; do "$SPARKC" step do one.json $s --state st1 --run 1 > do-$s.out 2> do-$s.err & done
wait
[ "$(grep -c '^start' log)" = 3 ] || fail "each step should have run once: $(tr '\n' ' ' < log)"
[ "$(most_at_once log)" = 1 ] || fail "parallelism = 1, but the log shows: $(tr '\n' ' ' < log)"
cat do-?.err > waits.txt
expect_grep "waits: the plan runs 1 step at a time (objective.parallelism)" waits.txt
[ "$(sqlite3 st1/state.db "select count(*) from transitions where status = 'succeeded'")" = 3 ] ||
  fail "three steps should be journaled succeeded"

# 2. A fan-out under concurrency = 2 in a plan of parallelism 4, each
# instance placed on its own node (so Slurm gets a job an instance, not an
# array): never more than two at once.
rm -f log
cat > fan.spark <<'SPEC'
objective { parallelism = 4 }
step roll[n in ["n1", "n2", "n3", "n4", "n5"]] {
  concurrency = 2
  do = shell("echo start-${n} >> log; sleep 0.4; echo end-${n} >> log")
  undo = none
  slurm = { nodelist = n }
}
SPEC
"$SPARKC" plan fan.spark -o fan.json --format json >/dev/null 2>&1 || fail "plan fan.spark"
run=$("$SPARKC" step begin fan.json --state st2 2>/dev/null)
for n in n1 n2 n3 n4 n5; do "$SPARKC" step do fan.json "roll[$n]" --state st2 --run "$run" 2> fan-$n.err > /dev/null & done
wait
[ "$(grep -c '^start' log)" = 5 ] || fail "each instance should have run once: $(tr '\n' ' ' < log)"
at_once=$(most_at_once log)
[ "$at_once" -le 2 ] || fail "concurrency = 2, but the log shows $at_once at once: $(tr '\n' ' ' < log)"
cat fan-*.err > waits.txt
expect_grep "waits: fan-out \`roll\` runs 2 at a time (its concurrency)" waits.txt

# 3. A holder killed with SIGKILL lets its slot go: the next step runs.
rm -f log
cat > kill.spark <<'SPEC'
step hog  { do = shell("echo start-hog >> log; sleep 60"); undo = none }
step next { do = shell("echo start-next >> log; echo end-next >> log"); undo = none }
SPEC
"$SPARKC" plan kill.spark -o kill.json --format json >/dev/null 2>&1 || fail "plan kill.spark"
run=$("$SPARKC" step begin kill.json --state st3 2>/dev/null)
"$SPARKC" step do kill.json hog --state st3 --run "$run" >/dev/null 2>&1 &
hog=$!
for _ in $(seq 100); do [ -s log ] && break; sleep 0.05; done
"$SPARKC" step do kill.json next --state st3 --run "$run" > next.out 2> next.err &
next=$!
sleep 0.5
grep -q start-next log && fail "next ran while hog held the only slot"
kill -9 $hog
wait $next
code=$?
[ $code = 0 ] || { fail "next should run once hog's slot is free: exit $code"; cat next.err >&2; }
expect_grep "start-next" log

finish
