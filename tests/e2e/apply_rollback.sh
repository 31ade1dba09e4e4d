# apply creates files; a failing step rolls back the steps that succeeded, in
# reverse dependency order; rollback on demand undoes a finished run.
source "$(dirname "$0")/lib.sh" "$@"

cat > spec.spark <<'SPEC'
step make_dir { do = exec("mkdir", "data"); undo = exec("rmdir", "data") }
step write_a {
  after = [make_dir]
  do    = shell("echo a > data/a")
  undo  = exec("rm", "data/a")
  check = file.exists("data/a")
}
step write_b {
  after = [make_dir]
  do    = shell("echo b > data/b")
  undo  = exec("rm", "data/b")
}
step record_undo_order {
  after = [write_a, write_b]
  do    = noop
  undo  = shell("echo undone > undo-marker")
}
step flaky {
  after   = [record_undo_order]
  do      = shell("echo attempt >> attempts; exit 1")
  undo    = none
  retries = 2
}
SPEC

expect_exit 3 "a failing step rolls back" -- "$SPARKC" apply spec.spark -j 4
expect_no_file data
expect_file undo-marker
[ "$(wc -l < attempts)" = 3 ] || fail "flaky should have run 3 times (1 + 2 retries), ran $(wc -l < attempts)"
expect_grep "rollback complete" out.txt
expect_grep "FAIL   flaky" out.txt

"$SPARKC" status >status.txt 2>&1
expect_grep "rolled_back" status.txt
expect_grep "undone             write_a" status.txt
# A failed step may have acted: it is undone too, and the journal says so.
expect_grep "undone             flaky  (3 attempts)  undone after a failed attempt" status.txt

# A step whose `do` acted but whose check failed is undone too (before the
# steps it depends on); one that says its undo is valid only after a success
# is not, and the rollback says what it left.
mkdir acted && cd acted
cat > spec.spark <<'SPEC'
step base { do = shell("touch base"); undo = shell("rm base") }
step half {
  after = [base]
  do    = shell("touch half; echo base-present=$(test -e base && echo yes) > seen")
  check = file.exists("never")
  undo  = shell("rm half; test -e base && echo undone-while-base-present > order")
}
SPEC
expect_exit 3 "a failed check after an acting do" -- "$SPARKC" apply spec.spark
expect_no_file half
expect_no_file base
expect_grep "undone-while-base-present" order
expect_grep "rolling back the steps that succeeded and the failed ones that acted" out.txt
sed 's/^  undo  = shell("rm half;/  undo_after_failure = false\n  undo  = shell("rm half;/' spec.spark > only.spark
rm -rf .sparkc
expect_exit 3 "undo_after_failure = false" -- "$SPARKC" apply only.spark
expect_file half
expect_no_file base
cd ..

# The state store journals every transition before acting.
count=$(sqlite3 .sparkc/state.db "select count(*) from transitions where step = 'flaky' and status = 'running'")
[ "$count" = 3 ] || fail "expected 3 running transitions for flaky, found $count"

# With --on-failure stop the run stays for an operator.
rm -f attempts undo-marker
expect_exit 4 "on-failure stop keeps the applied steps" -- "$SPARKC" apply spec.spark --on-failure stop --new-run
expect_file data/a
expect_file data/b
expect_exit 0 "rollback on demand" -- "$SPARKC" rollback
expect_no_file data
expect_exit 0 "a second rollback finds nothing to do" -- "$SPARKC" rollback
expect_grep "nothing to roll back" out.txt

# A successful apply of a plan file, then rollback.
sed -i 's/exit 1/true/' spec.spark
expect_exit 0 "plan" -- "$SPARKC" plan spec.spark -o plan.yaml
expect_exit 0 "apply a plan file" -- "$SPARKC" apply plan.yaml --state state2
expect_file data/a
expect_exit 0 "applying it again does nothing" -- "$SPARKC" apply plan.yaml --state state2
expect_grep "nothing to do" out.txt
expect_exit 0 "rollback --to keeps the target" -- "$SPARKC" rollback --state state2 --to write_a
expect_file data/a
expect_file undo-marker
expect_exit 0 "rollback the rest" -- "$SPARKC" rollback --state state2
expect_no_file data

finish
