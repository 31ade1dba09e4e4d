# SIGINT and SIGTERM stop new steps, let the running one finish, and leave a
# run that the next apply resumes.
source "$(dirname "$0")/lib.sh" "$@"

cat > spec.spark <<'SPEC'
step slow  { do = shell("echo slow >> ran; sleep 1; touch slow.done"); undo = none; check = file.exists("slow.done") }
step other { do = shell("echo other >> ran; sleep 1"); undo = none }
step next  { after = [slow, other]; do = shell("echo next >> ran"); undo = none }
SPEC

for signal in INT TERM; do
  rm -rf .sparkc ran slow.done
  "$SPARKC" apply spec.spark -j2 >run.txt 2>&1 &
  runner=$!
  for _ in $(seq 100); do [ "$(grep -c . ran 2>/dev/null)" = 2 ] && break; sleep 0.05; done
  kill -s $signal $runner
  wait $runner
  code=$?
  [ "$code" = 4 ] || fail "SIG$signal: exit $code, expected 4"
  grep -q "interrupted: no new step started" run.txt || fail "SIG$signal: no interruption message"
  # Said at once, with what still runs and what a second signal does.
  grep -q "^sparkc: stopping: no new step starts; 2 steps still running finish (Ctrl-C again to stop waiting for their checks)$" run.txt ||
    { fail "SIG$signal: the signal was not acknowledged"; cat run.txt >&2; }
  [ -e slow.done ] || fail "SIG$signal: the running step was not allowed to finish"
  grep -q next ran && fail "SIG$signal: a new step started after the signal"
  status=$(sqlite3 .sparkc/state.db "select status from runs")
  [ "$status" = stopped ] || fail "SIG$signal: run is '$status', expected stopped"
  expect_exit 0 "SIG$signal: apply resumes" -- "$SPARKC" apply spec.spark
  expect_grep "resuming run 1: 2 of 3 steps already succeeded" out.txt
  [ "$(sort ran | tr '\n' ' ')" = "next other slow " ] || fail "SIG$signal: steps ran $(sort ran | tr '\n' ' ')"
done

# A second signal abandons the check in flight: the step stays `running`.
cat > hang.spark <<'SPEC'
step waits { do = exec("true"); undo = none; check = exec("sleep", "37").exit == 0 }
SPEC
rm -rf .sparkc
"$SPARKC" apply hang.spark >hang.txt 2>&1 &
runner=$!
# The check's own process, a child of this runner: other tests may sleep too,
# and a signal before the handler is installed is lost (a background job
# starts with SIGINT ignored).
for _ in $(seq 200); do pgrep -P $runner -f "sleep 37" >/dev/null && break; sleep 0.05; done
kill -INT $runner
sleep 0.3
kill -INT $runner
wait $runner
[ $? = 4 ] || fail "two signals: exit code"
grep -q "^sparkc: abandoning the checks in flight; those steps stay \`running\` and a resumed apply checks them again$" hang.txt ||
  { fail "the second signal was not acknowledged"; cat hang.txt >&2; }
[ "$(sqlite3 .sparkc/state.db "select status from steps where step = 'waits'")" = running ] ||
  fail "the abandoned step is not left running"

# A rollback is not stopped by a signal, and says so.
cat > undo.spark <<'SPEC'
step first { do = exec("true"); undo = shell("sleep 1; touch undone") }
step fails { after = [first]; do = exec("false"); undo = none }
SPEC
rm -rf .sparkc undone
"$SPARKC" apply undo.spark >undo.txt 2>&1 &
runner=$!
for _ in $(seq 100); do grep -q "undo   first" undo.txt && break; sleep 0.05; done
kill -INT $runner
wait $runner
[ $? = 3 ] || fail "a signal during the rollback changed its outcome"
grep -q "^sparkc: the rollback goes on (stopping it would leave steps half undone)" undo.txt ||
  { fail "a signal during the rollback was not acknowledged"; cat undo.txt >&2; }
[ -e undone ] || fail "the rollback did not finish"
finish
