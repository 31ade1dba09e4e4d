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

# A step that writes to both streams keeps both in its failure, and bytes
# that are not UTF-8 change nothing but their own text.
cat > both.spark <<'SPEC'
step both { do = exec("sh", "-c", "printf 'progress \\377\\n'; printf 'the real error\\n' >&2; exit 3"); undo = none }
SPEC
expect_exit 3 "a step that writes to both streams" -- "$SPARKC" apply both.spark --state both --report both.json --junit both.xml
expect_grep "| progress" out.txt
expect_grep "| the real error" out.txt
python3 -c 'import json; o = json.load(open("both.json"))["steps"][0]["output"]; assert "progress" in o and "the real error" in o, o' ||
  fail "the report dropped a stream"
python3 "$ROOT/tests/e2e/data/junit_schema_check.py" both.xml || fail "both.xml is not what junit-10.xsd allows"
finish
