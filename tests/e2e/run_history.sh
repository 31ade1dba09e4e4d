# The journal's history through the real binary: each attempt's output kept
# (both streams, capped, not-UTF-8 bytes replaced, terminal escapes shown
# literally), `status` opening with the outcome and what needs attention,
# `status --run N` and `--failed`, `runs`, `logs STEP --run N --attempt K`.
source "$(dirname "$0")/lib.sh" "$@"

cat > spec.spark <<'SPEC'
step hello {
  do   = shell("echo hello out; echo hello err >&2")
  undo = shell("echo undoing hello")
}
step flaky {
  after   = [hello]
  do      = shell("echo try $(cat count 2>/dev/null); echo x >> count; printf 'a\nb\nc\nd\ne\nf\n' >&2; printf '\\033[31mred\\n' >&2; exit 3")
  undo    = none
  retries = 1
}
step never {
  after = [flaky]
  do    = exec("true")
  undo  = none
}
SPEC
expect_exit 3 "a failing run" -- "$SPARKC" apply spec.spark

# status: the outcome, the counts, the failure with the end of its output
# first, then every step.
expect_exit 0 "status" -- "$SPARKC" status
head -1 out.txt | grep -q "^run 1: rolled_back (started .*, took .*, plan sha256:" || fail "status does not open with the run: $(head -1 out.txt)"
expect_grep "^  3 steps: 1 pending, 2 undone$" out.txt
expect_grep "^needs attention:$" out.txt
expect_grep "^  undone             flaky  (2 attempts)  exit code 3" out.txt
expect_grep "^                     | f$" out.txt
grep -q "| a$" out.txt && fail "status shows more than the last five lines of a failure"
# What a step printed cannot recolour the operator's terminal.
grep -q $'\033' out.txt && fail "status passed an escape sequence to the terminal"
expect_grep '| \\x1b\[31mred' out.txt
expect_grep "all its output: sparkc logs flaky --run 1" out.txt
expect_grep "^  pending            never" out.txt
sed -n '/^steps:/,$p' out.txt > steps.txt
expect_grep "undone             hello" steps.txt

# logs: each attempt, both streams, and the undo's.
expect_exit 0 "logs" -- "$SPARKC" logs flaky
expect_grep "^== flaky, attempt 1 (do)" out.txt
expect_grep "^== flaky, attempt 2 (do)" out.txt
expect_grep "^try$" out.txt
expect_grep "^try x$" out.txt
expect_grep "^stderr:$" out.txt
expect_exit 0 "logs of one attempt" -- "$SPARKC" logs flaky --attempt 2
grep -q "attempt 1" out.txt && fail "--attempt 2 printed attempt 1"
expect_grep "^try x$" out.txt
expect_exit 0 "logs of an undo" -- "$SPARKC" logs hello
expect_grep "^hello err$" out.txt
expect_grep "(its undo)" out.txt
expect_grep "^undoing hello$" out.txt
expect_exit 0 "logs of a step that did not start" -- "$SPARKC" logs never
expect_grep "\`never\` did not start in run 1" out.txt
expect_exit 2 "logs of an unknown step" -- "$SPARKC" logs flakey
expect_grep "help: did you mean \`flaky\`?" err.txt
expect_exit 2 "logs of an attempt never made" -- "$SPARKC" logs flaky --attempt 3
expect_grep "\`flaky\` made 2 attempts in run 1" err.txt

# A second run: `runs` lists both, newest first; status and logs of either.
cat > ok.spark <<'SPEC'
step big {
  do   = shell("head -c 300000 /dev/zero | tr '\\0' 'z'; echo; printf 'bad \\377\\376 bytes\\n'; echo last line")
  undo = none
}
SPEC
expect_exit 0 "a second run" -- "$SPARKC" apply ok.spark --new-run
expect_exit 0 "runs" -- "$SPARKC" runs
expect_grep "^2 *succeeded " out.txt
expect_grep "^1 *rolled_back " out.txt
[ "$(sed -n 2p out.txt | cut -c1)" = 2 ] || fail "runs does not list the newest first"
expect_exit 0 "status of an earlier run" -- "$SPARKC" status --run 1 --failed
expect_grep "flaky  (2 attempts)" out.txt
grep -q "^steps:" out.txt && fail "--failed listed every step"
expect_exit 0 "status of a run where nothing failed" -- "$SPARKC" status --failed
expect_grep "no step failed in run 2" out.txt
expect_exit 2 "status of a run that is not there" -- "$SPARKC" status --run 7
expect_grep "no run 7 in \`.sparkc\`; its runs are 1 to 2" err.txt
expect_exit 0 "logs of an earlier run" -- "$SPARKC" logs flaky --run 1 --attempt 1
expect_grep "^try$" out.txt

# Capped: the last 64 KiB, said so; bytes that are not UTF-8 replaced.
expect_exit 0 "logs of a long output" -- "$SPARKC" logs big
expect_grep "^last line$" out.txt
expect_grep "(truncated: the journal keeps the last 64 KiB of each stream)" out.txt
expect_grep $'^bad \xef\xbf\xbd\xef\xbf\xbd bytes$' out.txt
expect_grep "(U+FFFD stands for bytes that were not UTF-8, replaced)" out.txt
[ "$(wc -c < out.txt)" -lt 70000 ] || fail "logs kept more than 64 KiB of a stream"

# A gate waiting needs attention; once the run is rolled back it does not.
cat > gate.spark <<'SPEC'
step a { do = exec("true"); undo = none }
gate go { after = [a]; approvers = ["dba"]; prompt = "ship it?" }
step b { after = [go]; do = exec("true"); undo = none }
SPEC
CI=true expect_exit 6 "a run stopped at a gate" -- "$SPARKC" apply gate.spark --state gate-state
expect_exit 0 "status at the gate" -- "$SPARKC" status --failed --state gate-state
expect_grep "^  awaiting_approval  go  gate needs approval from one of dba: ship it?" out.txt
grep -q "sparkc logs go" out.txt && fail "status points at the logs of a gate, which prints nothing"
# The hint to resume works when pasted as printed.
cat > ours.spark <<'SPEC'
step a { do = exec("true"); undo = none }
gate go_on { after = [a]; approvers = ["ci"]; prompt = "ship it?" }
SPEC
CI=true expect_exit 6 "a gate whose hint is pasted" -- "$SPARKC" apply ours.spark --state 'our state'
hint=$(sed -n 's/.*approve it with `\(.*\)` to resume.*/\1/p' out.txt)
[ "$hint" = "sparkc apply ours.spark --approve go_on --state 'our state'" ] || fail "the hint: $hint"
PATH="$(dirname "$SPARKC"):$PATH" SPARKC_APPROVER=ci CI=true expect_exit 0 "the hint pasted" -- sh -c "$hint"
expect_grep "apply succeeded" out.txt
expect_exit 0 "rollback at the gate" -- "$SPARKC" rollback --state gate-state
expect_exit 0 "status after the rollback" -- "$SPARKC" status --failed --state gate-state
expect_grep "no step failed in run 1" out.txt
finish
