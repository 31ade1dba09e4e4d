# The plan loader is strict: a signed plan that reads one way and runs
# another, keys no plan has, a second document, deep JSON, and plans whose
# structure would wedge the store are errors with a line, a column and a
# caret, before any run is created.
source "$(dirname "$0")/lib.sh" "$@"

cat > spec.spark <<'SPEC'
step first { do = exec("true"); undo = none }
step second { after = [first]; do = exec("echo", "real"); undo = none }
SPEC
"$SPARKC" plan spec.spark -o plan.yaml 2>/dev/null || fail "plan"
"$SPARKC" plan spec.spark --format json -o plan.json 2>/dev/null || fail "plan json"
openssl genpkey -algorithm ed25519 -out key.pem 2>/dev/null
openssl pkey -in key.pem -pubout -out key.pub 2>/dev/null
"$SPARKC" sign plan.yaml --key key.pem >/dev/null || fail "sign"

# An `exec:` inserted above the real one: a reviewer sees it first, the
# signature still matches the real one. Refused, pointing at the second key.
awk '/exec: \[echo, real\]/ { print "      exec: [echo, harmless]" } { print }' plan.yaml > attack.yaml
cp plan.yaml.sig attack.yaml.sig
line=$(grep -n 'exec: \[echo, real\]' attack.yaml | cut -d: -f1)
expect_exit 1 "a duplicate key in a signed plan" -- "$SPARKC" apply attack.yaml --require-signature key.pub
expect_grep "attack.yaml:$line:7: error\[E0901\]: not a valid plan: the key \`exec\` appears twice" err.txt
expect_grep "^ *$line |       exec: \[echo, real\]" err.txt
expect_grep "^ *| *^" err.txt
expect_no_file .sparkc/state.db

sed 's/^    retries: 0$/    retries: 0\n    retires: 5/' plan.yaml | head -c 100000 > unknown.yaml
expect_exit 1 "an unknown key" -- "$SPARKC" apply unknown.yaml
expect_grep "unknown.yaml:[0-9]*:5: error\[E0901\]: not a valid plan: \`plan.steps\[0\].retires\` is not part of a plan" err.txt

{ cat plan.yaml; printf -- '---\nversion: 1\n'; } > two.yaml
expect_exit 1 "a second YAML document" -- "$SPARKC" apply two.yaml
expect_grep "two.yaml:[0-9]*:1: error\[E0901\]: not a valid plan: a plan is one YAML document" err.txt

python3 -c 'print("{\"version\": " + "[" * 5000 + "]" * 5000 + "}")' > deep.json
expect_exit 1 "JSON nested deeper than the YAML limit" -- "$SPARKC" apply deep.json
expect_grep "deep.json:1:[0-9]*: error\[E0901\]: not a valid plan: the plan is nested too deeply" err.txt

sed 's/"module": /"module": "x", "module": /' plan.json > dup.json
expect_exit 1 "a duplicate key in JSON" -- "$SPARKC" apply dup.json
expect_grep "dup.json:[0-9]*:[0-9]*: error\[E0901\]: not a valid plan: the key \`module\` appears twice" err.txt

# Plans whose digest matches but whose structure is broken (written by hand
# or by another tool): refused before a run exists, so nothing is wedged.
edit() {  # edit FILE PYTHON-STATEMENTS-ON-plan
  python3 -c "import json,sys; plan=json.load(open('$1')); $2; json.dump(plan, open('$1','w'), indent=2)"
  rehash_plan "$1"
}
cp plan.json after.json && edit after.json 'plan["steps"][1]["after"] = ["ghost"]'
expect_exit 1 "an unknown after" -- "$SPARKC" apply after.json
expect_grep "\`plan.steps\[1\].after\[0\]\` is \`ghost\`, which is no step of the plan" err.txt
expect_no_file .sparkc/state.db
cp plan.json cycle.json && edit cycle.json 'plan["steps"][0]["after"] = ["second"]'
expect_exit 1 "a cycle" -- "$SPARKC" apply cycle.json
expect_grep "a step that comes later in the plan" err.txt
cp plan.json twice.json && edit twice.json 'plan["steps"][1]["id"] = "first"; plan["steps"][1]["after"] = []'
expect_exit 1 "duplicate ids" -- "$SPARKC" apply twice.json
expect_grep "step ids are unique" err.txt
for n in -1 9223372036854775807; do
  cp plan.json retries.json && edit retries.json "plan['steps'][0]['retries'] = $n"
  expect_exit 1 "retries $n" -- "$SPARKC" apply retries.json
  expect_grep "\`plan.steps\[0\].retries\` is $n; it must be from 0 to 100" err.txt
done
expect_no_file .sparkc/state.db
expect_exit 0 "the valid plan still applies" -- "$SPARKC" apply plan.json
expect_exit 0 "and the valid plan as YAML is the same run" -- "$SPARKC" apply plan.yaml --require-signature key.pub
expect_grep "already applied" out.txt
finish
