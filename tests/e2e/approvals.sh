# Gates and manual steps: who may approve, approvals from a file, every
# approval journaled with who and when; and the CI reports of a run.
source "$(dirname "$0")/lib.sh" "$@"
export SPARKC_APPROVER=mallory

cat > spec.spark <<'SPEC'
step backup { do = exec("touch", "backup"); undo = exec("rm", "backup") }
step ticket { after = [backup]; do = manual("Open the change ticket"); undo = none }
gate go { after = [ticket]; approvers = ["ops", "dba"]; prompt = "Drop the old table?" }
step drop { after = [go]; do = exec("touch", "dropped"); undo = irreversible "restore from backup" }
SPEC

expect_exit 6 "a manual step stops the run" -- "$SPARKC" apply spec.spark --junit stop.xml --report stop.json
expect_grep "manual step needs an operator: Open the change ticket" out.txt
python3 - <<'PY' || fail "reports of a stopped run"
import json, xml.etree.ElementTree as ET
r = json.load(open("stop.json"))
assert r["exit_code"] == 6 and r["status"] == "stopped", r
steps = {s["id"]: s for s in r["steps"]}
assert steps["backup"]["status"] == "succeeded" and steps["ticket"]["status"] == "awaiting_approval", steps
suite = ET.parse("stop.xml").getroot().find("testsuite")
assert suite.get("tests") == "4" and suite.get("skipped") == "3" and suite.get("failures") == "0", suite.attrib
PY

expect_exit 6 "the ticket done, the gate waits" -- "$SPARKC" apply spec.spark --approve ticket
expect_grep "ok     ticket  approved by mallory (--approve)" out.txt
expect_grep "gate needs approval from one of ops, dba: Drop the old table?" out.txt

expect_exit 6 "someone who is not an approver does not count" -- "$SPARKC" apply spec.spark --approve go
expect_grep 'the approval from --approve does not count: `mallory` is not among its approvers (ops, dba)' out.txt
expect_no_file dropped

cat > bad.yaml <<'YAML'
approvals:
  - step: go
    by: dba
  - step: og
    by: ops
YAML
expect_exit 2 "an approval of a step the plan lacks" -- "$SPARKC" apply spec.spark --approvals bad.yaml
expect_grep "bad.yaml:4:11: the plan has no step \`og\`" err.txt
printf 'approvals:\n  - step: backup\n    by: ops\n' > bad.yaml
expect_exit 2 "an approval of an ordinary step" -- "$SPARKC" apply spec.spark --approvals bad.yaml
expect_grep "\`backup\` is neither a gate nor a manual step" err.txt
printf 'approvals: [\n' > bad.yaml
expect_exit 2 "not YAML" -- "$SPARKC" apply spec.spark --approvals bad.yaml
expect_grep "bad.yaml:2:1: not valid YAML" err.txt
expect_exit 2 "--approve of a step the plan lacks" -- "$SPARKC" apply spec.spark --approve og
expect_grep "the plan has no step \`og\`" err.txt

cat > ok.yaml <<'YAML'
approvals:
  - step: go
    by: dba
    note: backup verified by hand
    at: 2026-11-20T09:00:00Z
YAML
expect_exit 0 "an approver's approval from the file" -- "$SPARKC" apply spec.spark --approvals ok.yaml \
  --junit run.xml --report run.json
expect_grep "ok     go  approved by dba (ok.yaml:2:5)" out.txt
expect_file dropped
rows=$(sqlite3 .sparkc/state.db "select step || '|' || approved_by || '|' || source || '|' || given_at from approvals order by id")
[ "$rows" = "ticket|mallory|--approve|$(sqlite3 .sparkc/state.db "select given_at from approvals where step='ticket'")
go|dba|ok.yaml:2:5|2026-11-20T09:00:00Z" ] || fail "approvals journal: $rows"
expect_exit 0 "status" -- "$SPARKC" status
expect_grep "approved by dba (ok.yaml:2:5, 2026-11-20T09:00:00Z): backup verified by hand" out.txt
python3 - <<'PY' || fail "reports of a resumed, finished run"
import json, xml.etree.ElementTree as ET
r = json.load(open("run.json"))
assert r["exit_code"] == 0 and r["status"] == "succeeded" and r["counts"] == {"succeeded": 4}, r
steps = {s["id"]: s for s in r["steps"]}
assert steps["backup"].get("earlier_invocation") and steps["go"]["approval"]["by"] == "dba", steps
cases = ET.parse("run.xml").getroot().iter("testcase")
assert [c.get("name") for c in cases] == ["backup", "ticket", "go", "drop"]
PY

# At a terminal the operator is asked; a gate asks for an approver by name.
cat > tty.spark <<'SPEC'
step ticket { do = manual("Open the change ticket"); undo = none }
gate go { after = [ticket]; approvers = ["ops", "dba"]; prompt = "Drop the old table?" }
step drop { after = [go]; do = exec("touch", "tty-dropped"); undo = none }
SPEC
# The prompts are what is tested here, in plain text (color.sh tests colour).
on_terminal() { env -u CI NO_COLOR=1 script -qec "$*" /dev/null; }
(printf 'y\n'; sleep 0.5; printf 'dba\n'; sleep 0.3; printf 'y\n') |
  on_terminal "$SPARKC" apply tty.spark --state tty --progress plain >tty.txt 2>&1 || fail "apply at a terminal"
expect_grep "Done (mallory)? \[y/N\]" tty.txt
expect_grep "gate \`go\` (approvers: ops, dba):" tty.txt
expect_grep "ok     go  approved by dba (terminal)" tty.txt
expect_file tty-dropped
(printf 'y\n'; sleep 0.5; printf 'dba\n'; sleep 0.3; printf 'n\n') |
  on_terminal "$SPARKC" apply tty.spark --state tty2 --progress plain >tty.txt 2>&1
expect_grep "WAIT   go  the operator did not approve the gate" tty.txt
[ "$(sqlite3 tty2/state.db "select status from runs")" = stopped ] || fail "a declined gate must stop the run"

# While the operator is asked, the other steps go on: `next` runs before the
# answer (which is an approver's name only if it did).
cat > ask.spark <<'SPEC'
gate go { approvers = ["ops"]; prompt = "Proceed?" }
step slow { do = exec("sleep", "0.3"); undo = none }
step next { after = [slow]; do = exec("touch", "next-ran"); undo = none }
SPEC
(sleep 3; if [ -e next-ran ]; then echo ops; else echo nobody; fi; sleep 0.3; echo y) |
  on_terminal "$SPARKC" apply ask.spark -j 2 --state ask --progress plain >ask.txt 2>&1 || fail "steps waited for the question"
expect_grep "ok     go  approved by ops (terminal)" ask.txt
expect_grep "ok     next" ask.txt

# A failure: the testcase carries the message and the output.
rm -rf .sparkc
cat > fail.spark <<'SPEC'
step a { do = exec("touch", "a"); undo = exec("rm", "a") }
step b { after = [a]; do = shell("echo 'disk <full> & more' >&2; exit 3"); undo = none }
step c { after = [b]; do = exec("true"); undo = none }
SPEC
expect_exit 3 "a failed run" -- "$SPARKC" apply fail.spark --junit fail.xml --report fail.json --progress live
for xml in stop.xml run.xml fail.xml; do
  python3 "$ROOT/tests/e2e/data/junit_schema_check.py" "$xml" || fail "$xml is not what junit-10.xsd allows"
done
python3 - <<'PY' || fail "reports of a failed run"
import json, xml.etree.ElementTree as ET
root = ET.parse("fail.xml").getroot()
suite = root.find("testsuite")
assert suite.get("failures") == "1" and suite.get("skipped") == "1", suite.attrib
b = [c for c in suite.iter("testcase") if c.get("name") == "b"][0]
f = b.find("failure")
assert f.get("message") == "exit code 3" and "disk <full> & more" in f.text, (f.attrib, f.text)
a = [c for c in suite.iter("testcase") if c.get("name") == "a"][0]
assert "undone by the rollback" in a.find("system-out").text
r = json.load(open("fail.json"))
assert r["status"] == "rolled_back" and r["exit_code"] == 3, r
PY
# The live view redraws a status line under the log.
grep -q $'\r\033\[K' out.txt || fail "no live status line in --progress live output"
expect_grep "done, .* running, .* pending, .* failed | .* elapsed" out.txt
finish
