# `require`: a precondition over probes is evaluated before the first step
# of a new run. False, nothing starts, no run is recorded and the exit code
# is 8; `verify` asks the same question before any run.
source "$(dirname "$0")/lib.sh" "$@"

cat > spec.spark <<'SPEC'
require ready "the operator marked the system ready" { file.exists("ready") and exec("cat", "ready").stdout == "yes\n" }
require room { 1 GiB < 2 GiB }
step a { do = shell("touch ran"); undo = shell("rm -f ran") }
SPEC
expect_exit 0 "plan" -- "$SPARKC" plan spec.spark -o plan.yaml
expect_grep "when: proven" plan.yaml
expect_grep "check: \"file.exists" plan.yaml

expect_exit 8 "apply with a false precondition" -- "$SPARKC" apply plan.yaml
expect_grep "FALSE  require ready (the operator marked the system ready): " out.txt
expect_grep "error: 1 of 1 preconditions do not hold; no step was started" err.txt
expect_no_file ran
expect_exit 0 "status" -- "$SPARKC" status
expect_grep "no run recorded" out.txt

expect_exit 8 "verify before any run: not ready" -- "$SPARKC" verify plan.yaml
expect_grep "0 of 1 preconditions hold; no run of this plan yet" out.txt

# The values of the comparison that failed are shown.
echo no > ready
expect_exit 8 "apply, the file says no" -- "$SPARKC" apply plan.yaml
expect_grep 'FALSE  require ready .*"no\\n" == "yes\\n"' out.txt
expect_no_file ran

echo yes > ready
expect_exit 0 "verify before any run: ready" -- "$SPARKC" verify plan.yaml
expect_grep "ok     require ready" out.txt
expect_exit 0 "apply once they hold" -- "$SPARKC" apply plan.yaml
expect_grep "ok     require ready" out.txt
[ -e ran ] || fail "the step did not run"
expect_exit 0 "verify after the run" -- "$SPARKC" verify plan.yaml
expect_grep "skip   require ready  (a precondition: evaluated before run 1 started)" out.txt

# A resumed run has acted already: its preconditions are not asked again.
cat > stop.spark <<'SPEC'
require ready { file.exists("ready") }
step a { do = shell("touch one"); undo = shell("rm -f one") }
gate g { after = [a]; approvers = ["ops"]; prompt = "go on?" }
step b { after = [g]; do = shell("touch two"); undo = shell("rm -f two") }
SPEC
expect_exit 6 "stops at the gate" -- "$SPARKC" apply stop.spark --state gate
rm ready
expect_exit 0 "resumes without asking again" -- "$SPARKC" apply stop.spark --state gate --approve g --approver ops
[ -e two ] || fail "the resumed run did not finish"
finish
