# One apply per state store: a second one exits 7 and names the holder.
source "$(dirname "$0")/lib.sh" "$@"

cat > spec.spark <<'SPEC'
step hold { do = exec("sleep", "3"); undo = none }
SPEC
"$SPARKC" apply spec.spark >first.txt 2>&1 &
first=$!
for _ in $(seq 50); do [ -s .sparkc/lock ] && break; sleep 0.1; done
expect_exit 7 "a concurrent apply" -- "$SPARKC" apply spec.spark
expect_grep "locked by pid $first" err.txt
expect_exit 7 "a concurrent rollback" -- "$SPARKC" rollback
wait $first || fail "the first apply failed: $(cat first.txt)"

# A holder killed with SIGKILL leaves no lock behind: the kernel drops it.
"$SPARKC" apply spec.spark --new-run >/dev/null 2>&1 &
victim=$!
for _ in $(seq 50); do [ -s .sparkc/lock ] && break; sleep 0.1; done
kill -9 $victim; wait $victim 2>/dev/null
expect_exit 0 "apply after a dead holder resumes" -- "$SPARKC" apply spec.spark

# Another program holds SQLite's write lock past the busy timeout (5 s) in
# the middle of a parallel run: the commit that fails ends the run with an
# error naming the store, from whichever worker it was, never an abort.
mkdir held && cd held
cat > spec.spark <<'SPEC'
step take { do = shell("(printf 'BEGIN IMMEDIATE;\\n.shell sleep 8\\nCOMMIT;\\n' | sqlite3 .sparkc/state.db) >/dev/null 2>&1 & echo $! > holder; sleep 0.5"); undo = none; detach = true }
step b1 { after = [take]; do = exec("true"); undo = none }
step b2 { after = [take]; do = exec("true"); undo = none }
step b3 { after = [take]; do = exec("true"); undo = none }
SPEC
expect_exit 4 "apply while another program holds the store" -- "$SPARKC" apply spec.spark -j 2
expect_grep "error\[E0903\]: state store: the journal cannot be written: database is locked" err.txt
expect_grep 'run `sparkc apply spec.spark` again to resume' out.txt
pkill -P "$(cat holder)" 2>/dev/null; kill "$(cat holder)" 2>/dev/null

# The journal write of a failure fails (the store stays locked past the busy
# timeout): the rollback still follows, once the store can be written again.
mkdir ../failing && cd ../failing
cat > spec.spark <<'SPEC'
step first { do = exec("true"); undo = shell("touch first.undone") }
step bad {
  after  = [first]
  do     = shell("(printf 'BEGIN IMMEDIATE;\\n.shell sleep 7\\nCOMMIT;\\n' | sqlite3 .sparkc/state.db) >/dev/null 2>&1 & sleep 0.5; exit 1")
  undo   = none
  detach = true
}
SPEC
expect_exit 3 "a failure whose journal write fails is still rolled back" -- "$SPARKC" apply spec.spark
expect_grep "the journal cannot be written: database is locked" err.txt
expect_grep "rollback complete" out.txt
expect_file first.undone
finish
