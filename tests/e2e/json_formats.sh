# --format json through the real binary: the event stream of apply and
# rollback against a golden file (times normalised), every line and
# document valid against docs/events.schema.json, and the documents of
# status, runs, verify and the dry run.
#   SPARKC_UPDATE_GOLDENS=1 rewrites tests/e2e/data/events.jsonl (the
#   update-goldens target does), for review with git diff.
source "$(dirname "$0")/lib.sh" "$@"

PY=/usr/bin/python3
$PY -c "import jsonschema" || fail "python3-jsonschema is not installed: run tools/scripts/install-deps.sh"
SCHEMA="$ROOT/docs/events.schema.json"
GOLDEN="$ROOT/tests/e2e/data/events.jsonl"

# validate FILE: each line of FILE is one JSON object valid against the schema.
validate() {
  $PY - "$SCHEMA" "$1" <<'PY' || fail "$1 does not follow docs/events.schema.json"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
lines = open(sys.argv[2], encoding="utf-8").read().splitlines()
if not lines:
    sys.exit(f"{sys.argv[2]} is empty")
for n, line in enumerate(lines, 1):
    errors = list(validator.iter_errors(json.loads(line)))
    for e in errors[:3]:
        print(f"{sys.argv[2]}:{n}: {e.message} at {list(e.absolute_path)}", file=sys.stderr)
    if errors:
        sys.exit(1)
PY
}

# normalise FILE: times and durations to 0, so that the stream compares.
normalise() {
  $PY - "$1" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    event = json.loads(line)
    for key in ("time", "seconds"):
        if key in event:
            event[key] = 0
    print(json.dumps(event, ensure_ascii=False, separators=(",", ":")))
PY
}

cat > fail.spark <<'SPEC'
step hello {
  do   = shell("echo hello")
  undo = shell("echo bye")
}
step flaky {
  after   = [hello]
  do      = shell("echo trying; printf 'no such table \\377\\n' >&2; exit 3")
  undo    = none
  retries = 1
}
step never { after = [flaky]; do = exec("true"); undo = none }
SPEC
cat > gate.spark <<'SPEC'
step prepare { do = exec("true"); undo = shell("echo unprepared") }
gate go { after = [prepare]; approvers = ["dba"]; prompt = "cut over?" }
step cut_over { after = [go]; do = exec("true"); undo = none }
SPEC
cat > ready.spark <<'SPEC'
require marker "the marker file exists" { file.exists("marker") }
step s { do = exec("true"); undo = none }
SPEC

: > events.jsonl
scenario() {  # scenario NAME EXIT -- COMMAND...: its stream, validated, appended normalised
  local name=$1 want=$2
  shift 3
  expect_exit "$want" "$name" -- "$@"
  # Errors stay text on stderr (a refused start); a run reports on stdout.
  [ "$want" != 8 ] && [ -s err.txt ] && { fail "$name wrote to stderr"; cat err.txt >&2; }
  cp out.txt "stream-$name.jsonl"
  validate "stream-$name.jsonl"
  { echo "{\"scenario\":\"$name\"}"; normalise "stream-$name.jsonl"; } >> events.jsonl
}
scenario failed-and-rolled-back 3 -- "$SPARKC" apply fail.spark --format json --state s1
scenario nothing-left-to-roll-back 0 -- "$SPARKC" rollback --format json --state s1
CI=true scenario stopped-at-a-gate 6 -- "$SPARKC" apply gate.spark --format json --state s2
scenario resumed-with-approval 0 -- "$SPARKC" apply gate.spark --format json --state s2 --approve go --approver dba
scenario already-applied 0 -- "$SPARKC" apply gate.spark --format json --state s2
scenario rollback 0 -- "$SPARKC" rollback --format json --state s2
scenario preconditions-false 8 -- "$SPARKC" apply ready.spark --format json --state s3

if [ "${SPARKC_UPDATE_GOLDENS:-}" = 1 ]; then
  cp events.jsonl "$GOLDEN"
  echo "updated $GOLDEN"
elif ! diff -u "$GOLDEN" events.jsonl > events.diff; then
  fail "the JSON events differ from $GOLDEN (SPARKC_UPDATE_GOLDENS=1 rewrites it):"
  cat events.diff >&2
fi
# Not UTF-8 in a step's output: replaced, and the stream stays valid JSON.
grep -q '"line":"no such table \\ufffd"\|"line":"no such table �"' stream-failed-and-rolled-back.jsonl ||
  fail "the byte that is not UTF-8 was not replaced by U+FFFD"

# Output lines go out as they are printed, not when the step ends.
cat > live.spark <<'SPEC'
step talks { do = shell("echo first; sleep 2; echo second"); undo = none }
step floods { after = [talks]; do = shell("seq 1 100000"); undo = none }
SPEC
"$SPARKC" apply live.spark --format json --state live > /dev/null 2>&1  # warm the caches
rm -rf live
$PY - "$SPARKC" <<'PY' || fail "output lines do not stream"
import json, subprocess, sys, time
p = subprocess.Popen([sys.argv[1], "apply", "live.spark", "--format", "json", "--state", "live"],
                     stdout=subprocess.PIPE, text=True)
seen = {}
floods = 0
for line in p.stdout:
    event = json.loads(line)
    if event["type"] == "output" and event["step"] == "talks":
        seen[event["line"]] = time.monotonic()
    if event["type"] == "output" and event["step"] == "floods":
        floods += 1
        last = event["line"]
    if event["type"] == "step" and event["step"] == "talks" and event["event"] == "succeeded":
        seen["end"] = time.monotonic()
assert p.wait() == 0
assert seen["end"] - seen["first"] > 1.5, seen   # "first" came while the step still ran
assert seen["end"] - seen["second"] < 1, seen
# 100000 lines, 588895 bytes: the stream stops at what the journal keeps (64 KiB) and says so.
assert floods == 12774, floods  # 12773 lines (65,538 bytes with newlines), then the note
assert last == "(more: the rest is in `sparkc logs`)", last
PY

# The documents.
document() {  # document NAME EXIT -- COMMAND...: one line, valid
  local name=$1 want=$2
  shift 3
  expect_exit "$want" "$name" -- "$@"
  [ "$(wc -l < out.txt)" = 1 ] || fail "$name wrote $(wc -l < out.txt) lines, expected one document"
  cp out.txt "doc-$name.json"
  validate "doc-$name.json"
}
field() { $PY -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {'d': d}))" "$@"; }

document status 0 -- "$SPARKC" status --format json --state s1
[ "$(field doc-status.json 'd["run"]["status"]')" = rolled_back ] || fail "status: the run's status"
[ "$(field doc-status.json '[s["id"] for s in d["steps"] if s["needs_attention"]]')" = "['flaky']" ] ||
  fail "status: what needs attention: $(cat doc-status.json)"
[ "$(field doc-status.json '[s for s in d["steps"] if s["id"] == "flaky"][0]["failure"]["output_tail"]["stdout"]')" = trying ] ||
  fail "status: the failure's output"
document status-failed 0 -- "$SPARKC" status --format json --state s1 --failed --run 1
[ "$(field doc-status-failed.json 'len(d["steps"])')" = 1 ] || fail "status --failed listed more than the failure"
document status-empty 0 -- "$SPARKC" status --format json --state empty
[ "$(field doc-status-empty.json 'd["run"]')" = None ] || fail "status of an empty store"
document runs 0 -- "$SPARKC" runs --format json --state s2
[ "$(field doc-runs.json '[r["id"] for r in d["runs"]]')" = "[1]" ] || fail "runs: $(cat doc-runs.json)"
document dry-run 0 -- "$SPARKC" apply fail.spark --dry-run --format json
[ "$(field doc-dry-run.json '[s["id"] for s in d["steps"]]')" = "['hello', 'flaky', 'never']" ] || fail "dry run's steps"
[ "$(field doc-dry-run.json 'd["steps"][0]["undo"]')" = "shell 'echo bye'" ] || fail "dry run's undo: $(cat doc-dry-run.json)"

cat > drift.spark <<'SPEC'
step make { do = exec("touch", "made"); undo = exec("rm", "-f", "made"); check = file.exists("made") }
invariant made_file { file.size("made") == 0 B }
SPEC
expect_exit 0 "apply to verify" -- "$SPARKC" apply drift.spark --state s4
document verify 0 -- "$SPARKC" verify drift.spark --format json --state s4
[ "$(field doc-verify.json '[(c["id"], c["state"]) for c in d["checks"]]')" = "[('make', 'ok'), ('made_file', 'ok')]" ] ||
  fail "verify: $(cat doc-verify.json)"
rm made
document verify-drift 5 -- "$SPARKC" verify drift.spark --format json --state s4
[ "$(field doc-verify-drift.json '(d["holds"], d["total"], d["not_evaluated"], d["exit_code"])')" = "(0, 2, 1, 5)" ] ||
  fail "verify of drift: $(cat doc-verify-drift.json)"
document verify-before 8 -- "$SPARKC" verify ready.spark --format json --state s5
[ "$(field doc-verify-before.json '[(p["id"], p["holds"]) for p in d["preconditions"]]')" = "[('marker', False)]" ] ||
  fail "verify before a run: $(cat doc-verify-before.json)"
# Nothing applied and nothing to ask: an error, not "verified".
expect_exit 5 "verify with no run" -- "$SPARKC" verify fail.spark --state nowhere
expect_grep "nothing was applied, so nothing is verified" err.txt
finish
