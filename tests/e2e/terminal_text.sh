# Step ids and output reach a terminal as text, never as control: newlines
# and escape sequences (cursor moves, window titles) are shown escaped, and
# what is not UTF-8 is replaced, in the progress lines, status and reports.
source "$(dirname "$0")/lib.sh" "$@"

cat > spec.spark <<'SPEC'
step noisy {
  do   = exec("sh", "-c", "printf 'before\\033[2J\\033]0;owned\\007after\\r\\377\\357\\277\\277\\n'; exit 1")
  undo = none
}
SPEC
"$SPARKC" plan spec.spark --format json -o plan.json 2>/dev/null
# A plan file whose step id holds a newline and an escape sequence.
python3 -c '
import json; text = open("plan.json").read()
open("plan.json", "w").write(text.replace("\"noisy\"", json.dumps("evil\u001b[31m\nok     forged")))'
rehash_plan plan.json
expect_exit 3 "apply" -- "$SPARKC" apply plan.json --report run.json --junit run.xml
if grep -q $'\x1b' out.txt err.txt; then fail "an escape sequence reached the terminal:"; cat -v out.txt >&2; fi
grep -q "^ok     forged" out.txt && fail "a newline in a step id forged a progress line"
expect_grep 'evil\\x1b\[31m\\nok     forged' out.txt
expect_grep 'before\\x1b\[2J\\x1b\]0;owned\\x07after\\r' out.txt
expect_exit 0 "status" -- "$SPARKC" status
if grep -q $'\x1b' out.txt; then fail "status printed an escape sequence"; fi
python3 -c 'import json; json.load(open("run.json"))' || fail "the JSON report is not valid JSON"
python3 -c 'import xml.dom.minidom as m; m.parse("run.xml")' || fail "the JUnit report is not valid XML"
python3 "$ROOT/tests/e2e/data/junit_schema_check.py" run.xml || fail "the JUnit report is not what junit-10.xsd allows"
finish
