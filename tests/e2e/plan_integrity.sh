# Plans are deterministic, and an edited plan is refused.
source "$(dirname "$0")/lib.sh" "$@"

cp "$ROOT/specs/example/example.spark" .
expect_exit 0 "plan" -- "$SPARKC" plan example.spark -o one.yaml
mkdir elsewhere && cd elsewhere
LC_ALL=C expect_exit 0 "plan from another directory" -- "$SPARKC" plan ../example.spark -o ../two.yaml
cd ..
cmp -s one.yaml two.yaml || fail "planning twice gave different bytes"
expect_exit 0 "plan as json" -- "$SPARKC" plan example.spark --format json -o plan.json
python3 -c "import json; json.load(open('plan.json'))" || fail "the JSON plan does not parse"

sed 's/retries: 2/retries: 9/' one.yaml > edited.yaml
expect_exit 1 "an edited plan is refused" -- "$SPARKC" apply edited.yaml
expect_grep "E0902" err.txt
expect_no_file work

expect_exit 0 "apply the JSON plan" -- "$SPARKC" apply plan.json -j 2
expect_file work/current/app.conf
finish
