# The README's main flow on the example spec: check, plan, apply, rollback.
source "$(dirname "$0")/lib.sh" "$@"

expect_exit 0 "check" -- "$SPARKC" check "$ROOT/specs/example/example.spark"
expect_exit 0 "plan" -- "$SPARKC" plan "$ROOT/specs/example/example.spark" -o plan.yaml
expect_exit 0 "dry run" -- "$SPARKC" apply plan.yaml --dry-run
expect_grep "wave 3:" out.txt
expect_no_file work
expect_exit 0 "apply" -- "$SPARKC" apply plan.yaml -j 2
[ "$(cat work/current/app.conf)" = "listen = 8080" ] || fail "the configuration did not move"
expect_exit 0 "status" -- "$SPARKC" status
expect_grep "succeeded          switch_over" out.txt
expect_exit 0 "verify after apply" -- "$SPARKC" verify plan.yaml
expect_grep "5 of 5 checks hold" out.txt
expect_grep "ok     invariant config_served" out.txt
rm work/app.conf.bak
expect_exit 5 "verify reports drift" -- "$SPARKC" verify plan.yaml
expect_grep "DRIFT  backup" out.txt
cp work/legacy/app.conf work/app.conf.bak
rm work/current
expect_exit 5 "verify evaluates runtime invariants" -- "$SPARKC" verify plan.yaml
expect_grep "DRIFT  invariant config_served" out.txt
ln -s new work/current
expect_exit 0 "rollback" -- "$SPARKC" rollback
expect_no_file work/new
expect_no_file work/legacy
expect_exit 0 "explain" -- "$SPARKC" explain E0301
expect_grep "cycle" out.txt
finish
