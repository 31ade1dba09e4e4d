# A step's success reaches the journal before any step after it starts, and
# while a long step runs beside it; one commit carries a success and the
# start of the next step. Quick steps are begun several to a commit; those a
# failure leaves unstarted go back to pending, and a resumed run starts them.
source "$(dirname "$0")/lib.sh" "$@"

# A shell command, quoted for a .spark string, that prints step $1's state.
state_of() { printf '%s' "sqlite3 .sparkc/state.db \\\"select status from steps where step = '$1'\\\""; }

mkdir chain beside
cat > chain/spec.spark <<SPEC
step a { do = exec("true"); undo = none }
step b { after = [a]; do = shell("$(state_of a) > b.txt"); undo = none }
SPEC
cd chain
expect_exit 0 "apply a chain" -- "$SPARKC" apply spec.spark -j 2
[ "$(cat b.txt)" = succeeded ] || fail "b started before a's success was durable: '$(cat b.txt)'"
transitions=$(sqlite3 .sparkc/state.db "select count(*) from transitions")
[ "$transitions" = 4 ] || fail "expected 4 transitions (running and succeeded of 2 steps), found $transitions"

# Nothing can start after `quick` until `slow` is done: its success goes out
# when its worker finds nothing to start, not at the end of `slow`.
cd ../beside
cat > spec.spark <<SPEC
step quick { do = exec("true"); undo = none }
step slow { do = shell("sleep 1; $(state_of quick) > slow.txt"); undo = none }
step last { after = [quick, slow]; do = exec("true"); undo = none }
SPEC
expect_exit 0 "apply two steps side by side" -- "$SPARKC" apply spec.spark -j 2
[ "$(cat slow.txt)" = succeeded ] || fail "quick's success waited for the slow step: '$(cat slow.txt)'"

# Twelve steps at -j1; s5 fails until `fixed` exists. Each step that runs
# leaves its name in ran.txt, and finds its own `running` durable. With every
# step counted as quick, the walk begins s0 alone (nothing measured yet), then
# five steps per commit in plan order: s1 s10 s11 s2 s3, then s4 s5 s6 s7 s8.
mkdir ../claims && cd ../claims
for k in $(seq 0 11); do
  if [ "$k" = 5 ]; then
    echo "step s$k { do = shell(\"test -e fixed\"); undo = none }"
  else
    echo "step s$k { do = shell(\"$(state_of s$k) | grep -qx running && echo s$k >> ran.txt\"); undo = none }"
  fi
done > spec.spark
expect_exit 2 "a malformed SPARKC_CLAIM_BELOW_MS" -- env SPARKC_CLAIM_BELOW_MS=10ms "$SPARKC" apply spec.spark
expect_grep "SPARKC_CLAIM_BELOW_MS must be a whole number of milliseconds, found \`10ms\`" err.txt
expect_exit 4 "apply with a failing step" -- env SPARKC_CLAIM_BELOW_MS=600000 "$SPARKC" apply spec.spark -j 1 --on-failure stop
[ "$(sort ran.txt | tr '\n' ' ')" = "s0 s1 s10 s11 s2 s3 s4 " ] || fail "steps ran after the failure: $(tr '\n' ' ' < ran.txt)"
released=$(sqlite3 .sparkc/state.db "select group_concat(step, ' ') from (select step from transitions
  where status = 'pending' and error = 'claimed, not started: the run stopped first' order by step)")
[ "$released" = "s6 s7 s8" ] || fail "expected s6 s7 s8 claimed with s4 and s5 and released, found '$released'"
# A claimed step that never started is pending again, never left running.
left=$(sqlite3 .sparkc/state.db "select count(*) from steps where status = 'running'")
[ "$left" = 0 ] || fail "$left steps left running after the run stopped"
touch fixed
expect_exit 0 "resume after the fix" -- "$SPARKC" apply spec.spark -j 1
[ "$(sort ran.txt | uniq -c | awk '$1 != 1' | wc -l)" = 0 ] || fail "a step ran twice: $(sort ran.txt | uniq -c)"
[ "$(wc -l < ran.txt)" = 11 ] || fail "expected 11 steps to have run once, found $(wc -l < ran.txt)"
for step in $released; do
  got=$(sqlite3 .sparkc/state.db "select group_concat(status || ':' || attempt, ' ') from transitions where step = '$step'")
  [ "$got" = "running:1 pending:1 running:2 succeeded:2" ] || fail "journal of released $step: $got"
done

# 0 turns claiming off: each step is begun on its own, none is released.
rm -rf .sparkc ran.txt fixed
expect_exit 4 "apply without claiming" -- env SPARKC_CLAIM_BELOW_MS=0 "$SPARKC" apply spec.spark -j 1 --on-failure stop
released=$(sqlite3 .sparkc/state.db "select count(*) from transitions where status = 'pending'")
[ "$released" = 0 ] || fail "$released steps released with claiming off"
started=$(sqlite3 .sparkc/state.db "select count(*) from transitions where status = 'running'")
[ "$started" = 8 ] || fail "expected s0 s1 s10 s11 s2 s3 s4 s5 begun, found $started running"
finish
