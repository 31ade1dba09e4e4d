# --format github: GitHub Actions workflow commands that the runner turns
# into annotations, from `check` (one per diagnostic, at the user's file
# even for an error inside the stdlib) and from `apply` (one per step that
# failed or waits, at its source), escaped as the runner unescapes them.
source "$(dirname "$0")/lib.sh" "$@"

mkdir -p specs
cat > specs/bad.spark <<'SPEC'
import std.gpu
hardware rig { gpu = { model = "h100", count = 1, memory = 80 GB } }
require fits "50%, as: planned" { std.gpu.conforms(rig) }
step s { do = exce("true"); undo = none }
SPEC
expect_exit 1 "check --format github" -- "$SPARKC" check specs/bad.spark --format github
# One command per diagnostic on stdout; the text stays on stderr for the log.
[ "$(grep -c '^::error ' out.txt)" = 2 ] || fail "expected two annotations: $(cat out.txt)"
expect_grep '^::error file=specs/bad.spark,line=4,col=15,endLine=4,endColumn=19,title=sparkc E0102::unknown' out.txt
# The stdlib's error is placed at the user's call, and says where it is.
expect_grep '^::error file=specs/bad.spark,line=3,col=35,.*title=sparkc E0208::the GPU model "h100" of `rig` is not in std.gpu.s catalogue%0Ain std/gpu.spark:' out.txt
expect_grep 'help: did you mean "H100"?' out.txt
expect_grep "error\[E0102\]" err.txt

cat > specs/run.spark <<'SPEC'
step ok { do = exec("true"); undo = none }
step breaks {
  after = [ok]
  do    = shell("printf '100%% done, then: fail\n\\033[2Jx\n' >&2; exit 4")
  undo  = none
}
SPEC
expect_exit 3 "apply --format github" -- "$SPARKC" apply specs/run.spark --format github --state s1
expect_grep "^\[ *[0-9.]*s\] FAIL   breaks" out.txt
[ "$(grep -c '^::' out.txt)" = 1 ] || fail "expected one annotation: $(grep '^::' out.txt)"
# `:` and `,` escaped in properties, `%` and newlines in the message, and an
# escape sequence shown as text.
expect_grep '^::error file=specs/run.spark,line=2,title=sparkc%3A step breaks failed::exit code 4 (its undo ran)%0A100%25 done, then: fail%0A\\x1b\[2Jx$' out.txt
grep -q $'\x1b' out.txt && fail "an escape sequence reached the log"

cat > specs/gate.spark <<'SPEC'
step a { do = exec("true"); undo = none }
gate go { after = [a]; approvers = ["dba"]; prompt = "ship it?" }
SPEC
CI=true expect_exit 6 "apply stopped at a gate" -- "$SPARKC" apply specs/gate.spark --format github --state s2
expect_grep '^::warning file=specs/gate.spark,line=2,title=sparkc%3A step go waits for approval::gate needs approval from one of dba: ship it?$' out.txt
finish
