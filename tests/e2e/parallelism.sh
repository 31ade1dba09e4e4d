# The parallelism the time bounds were proven for is the plan's: `apply`
# and `rollback` default to it, and a smaller -j is refused unless the
# operator accepts that the bounds may not hold, which the journal keeps.
source "$(dirname "$0")/lib.sh" "$@"

# `a` and `b` each wait for the other to have started: they succeed only
# when both run at once.
cat > spec.spark <<'SPEC'
objective { parallelism = 2; rto = 10 min }
step a {
  do   = shell("touch a; for i in $(seq 100); do [ -e b ] && exit 0; sleep 0.05; done; exit 1")
  undo = shell("rm -f a")
  timeout = 30 s
}
step b {
  do   = shell("touch b; for i in $(seq 100); do [ -e a ] && exit 0; sleep 0.05; done; exit 1")
  undo = shell("rm -f b")
  timeout = 30 s
}
step c { after = [a, b]; do = exec("false"); undo = none }
SPEC
expect_exit 0 "plan" -- "$SPARKC" plan spec.spark -o plan.yaml
expect_grep "parallelism: 2" plan.yaml
expect_grep "the run ends within .* (2 steps at once)" err.txt

expect_exit 2 "-j below the plan's parallelism" -- "$SPARKC" apply plan.yaml -j 1
expect_grep "error: -j 1 is below the plan's parallelism of 2" err.txt
expect_grep "pass --accept-unproven-timing" err.txt
expect_no_file a
expect_no_file .sparkc/state.db

# The default is the plan's: a and b meet, c fails, both are undone.
expect_exit 3 "apply at the plan's parallelism" -- "$SPARKC" apply plan.yaml
expect_grep "ok     a" out.txt
expect_grep "ok     b" out.txt
expect_grep "rollback complete" out.txt
expect_no_file a
expect_no_file b

expect_exit 2 "rollback -j below the plan's parallelism" -- "$SPARKC" rollback -j 1
expect_grep "error: -j 1 is below the plan's parallelism of 2" err.txt

# Accepted: the run goes ahead at -j 1 (a waits for b in vain), and the
# journal and `status` say the bounds were not proven for it.
expect_exit 3 "apply -j 1, accepted" -- "$SPARKC" apply plan.yaml -j 1 --accept-unproven-timing --new-run --approver ci
expect_grep "warning: \`sparkc apply\` ran with -j 1, below the plan's parallelism of 2" err.txt
[ "$(sqlite3 .sparkc/state.db "SELECT count(*) FROM approvals WHERE step = '!unproven-timing' AND approved_by = 'ci'")" = 1 ] ||
  fail "the journal does not record the unproven run"
expect_exit 0 "status" -- "$SPARKC" status
expect_grep "warning: \`sparkc apply\` ran with -j 1, below the plan's parallelism of 2: the time bounds it states (windows, RTO) were not proven for this run (--accept-unproven-timing by ci" out.txt
finish
