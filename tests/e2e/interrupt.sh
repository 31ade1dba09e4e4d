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
  [ -e slow.done ] || fail "SIG$signal: the running step was not allowed to finish"
  grep -q next ran && fail "SIG$signal: a new step started after the signal"
  status=$(sqlite3 .sparkc/state.db "select status from runs")
  [ "$status" = stopped ] || fail "SIG$signal: run is '$status', expected stopped"
  expect_exit 0 "SIG$signal: apply resumes" -- "$SPARKC" apply spec.spark
  expect_grep "resuming run 1: 2 of 3 steps already succeeded" out.txt
  [ "$(sort ran | tr '\n' ' ')" = "next other slow " ] || fail "SIG$signal: steps ran $(sort ran | tr '\n' ' ')"
done
finish
