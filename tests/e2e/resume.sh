# A runner killed with SIGKILL mid-run leaves a journal that the next apply
# resumes: succeeded steps never run again, the interrupted one is re-checked.
source "$(dirname "$0")/lib.sh" "$@"

cat > spec.spark <<'SPEC'
step one   { do = shell("echo one >> ran"); undo = none }
step two   { after = [one]; do = shell("echo two >> ran; sleep 2; touch two.done"); undo = none; check = file.exists("two.done") }
step three { after = [two]; do = shell("echo three >> ran"); undo = none }
SPEC
"$SPARKC" apply spec.spark >first.txt 2>&1 &
runner=$!
for _ in $(seq 100); do grep -q two ran 2>/dev/null && break; sleep 0.05; done
kill -9 $runner; wait $runner 2>/dev/null
state=$(sqlite3 .sparkc/state.db "select status from steps where step = 'two'")
[ "$state" = running ] || fail "the journal should say two is running, says '$state'"

# The check of `two` fails (two.done is missing): it runs again, `one` does not.
expect_exit 0 "apply resumes the killed run" -- "$SPARKC" apply spec.spark
expect_grep "resuming run 1: 1 of 3 steps already succeeded" out.txt
[ "$(grep -c one ran)" = 1 ] || fail "step one ran $(grep -c one ran) times"
[ "$(grep -c two ran)" = 2 ] || fail "step two should have run again"
[ "$(grep -c three ran)" = 1 ] || fail "step three ran $(grep -c three ran) times"
runs=$(sqlite3 .sparkc/state.db "select count(*) from runs")
[ "$runs" = 1 ] || fail "resuming must not start a new run ($runs runs)"

# Killed again mid-step, but this time the action took effect before the
# kill: the check passes, so the step is not run a third time.
rm -f ran two.done
"$SPARKC" apply spec.spark --new-run >second.txt 2>&1 &
runner=$!
for _ in $(seq 100); do grep -q two ran 2>/dev/null && break; sleep 0.05; done
kill -9 $runner; wait $runner 2>/dev/null
touch two.done
expect_exit 0 "apply resumes and trusts the passing check" -- "$SPARKC" apply spec.spark
expect_grep "its check passes" out.txt
[ "$(grep -c two ran)" = 1 ] || fail "step two ran again although its check passed"
finish
