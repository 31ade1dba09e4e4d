# `undo_check` verifies an undo: one that ran but did not restore what it
# should is a failed undo (exit 4), and "rollback complete" counts the undos
# it verified. `verify = false`: a check of a moment is not re-checked.
source "$(dirname "$0")/lib.sh" "$@"

cat > spec.spark <<'SPEC'
step replicate {
  do         = shell("touch replica")
  undo       = shell("rm replica")
  undo_check = not file.exists("replica")
}
step failback {
  after      = [replicate]
  do         = shell("echo 3 > rows")
  undo       = shell("echo 2 > rows")
  undo_check = exec("cat", "rows").stdout == "3\n"
}
step syncing {
  after  = [failback]
  do     = shell("touch syncing")
  check  = file.exists("syncing")
  verify = false
}
step plain { after = [syncing]; do = shell("touch plain"); check = file.exists("plain"); undo = none }
SPEC
sed 's/^  undo       = shell("echo 2 > rows")/  undo       = shell("echo 3 > rows")/' spec.spark > good.spark
printf 'step last { after = [plain]; do = exec("false"); undo = none }\n' | tee -a spec.spark >> good.spark
# `syncing` has no undo in the spec above: give it one.
sed -i 's/^  verify = false$/  verify = false\n  undo   = none/' spec.spark good.spark

expect_exit 4 "an undo whose undo_check fails" -- "$SPARKC" apply spec.spark --state bad
expect_grep "undo failed: undo_check failed: exec(\"cat\", \"rows\").stdout == \"3\\\\n\" is false: \"2\\\\n\" == \"3\\\\n\"" out.txt
expect_grep "rollback incomplete: still applied: .*failback" out.txt
[ "$(sqlite3 bad/state.db "SELECT status FROM steps WHERE step = 'failback'")" = undo_failed ] ||
  fail "the journal does not say the undo failed"

rm -f replica rows syncing plain
expect_exit 3 "undos whose undo_check holds" -- "$SPARKC" apply good.spark --state good
expect_grep "rollback complete: every step that acted is undone (2 undos verified by undo_check, 0 without one)" out.txt

rm -f replica rows syncing plain
head -n -1 good.spark > ok.spark
expect_exit 0 "apply without the failing step" -- "$SPARKC" apply ok.spark --state ok
rm syncing plain
expect_exit 5 "verify" -- "$SPARKC" verify ok.spark --state ok
expect_grep "skip   syncing  (verify = false: its check holds only at the moment of the step)" out.txt
expect_grep "DRIFT  plain" out.txt
grep -q "DRIFT  syncing" out.txt && fail "a check of a moment was re-checked"
"$SPARKC" plan ok.spark -o ok.yaml 2>/dev/null
expect_grep "^    verify: false$" ok.yaml
expect_grep "^    undo_check: " ok.yaml
finish
