# A secret's value never appears in anything sparkc writes: output, errors,
# the journal, the plan.
source "$(dirname "$0")/lib.sh" "$@"

cat > spec.spark <<'SPEC'
secret token = env("SPARKC_TEST_TOKEN")
step leak {
  do   = exec("sh", "-c", "echo \"token is $T\"; echo \"stderr has $T\" >&2; exit 3") { env = { T = token } }
  undo = none
}
step fed {
  do   = exec("sh", "-c", "read v; test \"$v\" = \"$T\"") { env = { T = token }, stdin = token }
  undo = none
}
SPEC
export SPARKC_TEST_TOKEN="s3cr3t-value-4711"
expect_exit 0 "plan" -- "$SPARKC" plan spec.spark -o plan.yaml
expect_exit 3 "apply fails and rolls back" -- "$SPARKC" apply plan.yaml -j 1 --report run.json --junit run.xml --progress live
expect_grep "\*\*\*" out.txt
cat out.txt err.txt > all-output.txt
"$SPARKC" apply plan.yaml --dry-run >>all-output.txt 2>&1
expect_grep "\\*\\*\\*" run.xml
expect_exit 0 "status" -- "$SPARKC" status
cat out.txt >> all-output.txt
expect_exit 0 "logs" -- "$SPARKC" logs leak
expect_grep "^token is \*\*\*$" out.txt
expect_grep "^stderr has \*\*\*$" out.txt
cat out.txt >> all-output.txt
if grep -rqa "$SPARKC_TEST_TOKEN" plan.yaml all-output.txt .sparkc run.json run.xml; then
  fail "the secret's value was written somewhere:"
  grep -rla "$SPARKC_TEST_TOKEN" plan.yaml all-output.txt .sparkc run.json run.xml >&2
fi
expect_grep "env:SPARKC_TEST_TOKEN" plan.yaml

unset SPARKC_TEST_TOKEN
expect_exit 3 "an unset secret fails the step by name" -- "$SPARKC" apply plan.yaml --new-run
expect_grep "SPARKC_TEST_TOKEN is not set" out.txt
finish
