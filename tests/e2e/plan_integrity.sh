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

# Characters YAML forbids as is (DEL) or reads as a line break (U+2028)
# are escaped: the plan loads back. (yaml-cpp wrote them raw.)
printf 'step a { description = "line\xe2\x80\xa8sep, del \x7f, nel \xc2\x85"; do = noop; undo = none }\n' > odd.spark
expect_exit 0 "plan with awkward characters" -- "$SPARKC" plan odd.spark -o odd.yaml
expect_exit 0 "it loads back" -- "$SPARKC" apply odd.yaml --dry-run --state odd-state
expect_grep 'description: "line\\Lsep, del \\x7f, nel \\N"' odd.yaml

sed 's/retries: 2/retries: 9/' one.yaml > edited.yaml
expect_exit 1 "an edited plan is refused" -- "$SPARKC" apply edited.yaml
expect_grep "E0902" err.txt
expect_no_file work

# diff: like diff(1), 0 when equal, 1 with the changes in a stable order.
expect_exit 0 "diff of a plan and its own spec" -- "$SPARKC" diff one.yaml example.spark
sed 's/retries  = 2/retries  = 3/; s/after    = \[backup, create_target\]/after = [backup]/' example.spark > changed.spark
printf '\nstep extra { after = [switch_over]; do = noop; undo = none }\n' >> changed.spark
expect_exit 1 "diff of two different plans" -- "$SPARKC" diff example.spark changed.spark
# The proven bounds move with the retries, and the diff says so.
printf '%s\n' '~ step copy_config' '    retries: 2 -> 3' '+ step extra' '~ plan' \
  '    time.forward.estimate: 8 s 600 ms (8.6 s) -> 11 s 400 ms (11.4 s)' \
  '    time.forward.hard: 9 min 16 s 600 ms (556.6 s) -> 11 min 21 s 400 ms (681.4 s)' \
  '- edge create_target -> copy_config' '+ edge switch_over -> extra' > expected.txt
cmp -s expected.txt out.txt || { fail "diff output"; diff expected.txt out.txt >&2; }
expect_exit 2 "diff of an unreadable plan" -- "$SPARKC" diff one.yaml missing.yaml

expect_exit 0 "apply the JSON plan" -- "$SPARKC" apply plan.json -j 2
expect_file work/current/app.conf

# A second apply knows the plan file by the SHA-256 of its bytes; other bytes
# (the YAML of the same plan, an edited copy) are read and verified in full.
expect_exit 0 "apply the same file again" -- "$SPARKC" apply plan.json
expect_grep "already applied this plan" out.txt
[ "$(sqlite3 .sparkc/state.db 'SELECT count(*) FROM plan_files')" = 1 ] || fail "the plan file was not remembered"
expect_exit 0 "the same plan as YAML" -- "$SPARKC" apply one.yaml
expect_grep "already applied this plan" out.txt
[ "$(sqlite3 .sparkc/state.db 'SELECT count(*) FROM plan_files')" = 2 ] || fail "the YAML file was not remembered"
sed 's/"retries": 2/"retries": 9/' plan.json > edited.json
expect_exit 1 "an edited copy of an applied plan is refused" -- "$SPARKC" apply edited.json
expect_grep "E0902" err.txt
cp edited.json plan.json
expect_exit 1 "an applied plan file edited in place is refused" -- "$SPARKC" apply plan.json
expect_grep "E0902" err.txt
finish
