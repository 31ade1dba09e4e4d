# Files sparkc writes and the state it keeps, attacked by a second user and
# damaged by hand: nothing is written through a planted symlink, a store
# others could write is refused, the lock survives the removal of `lock`,
# and a store that lost what it held is refused rather than started over.
source "$(dirname "$0")/lib.sh" "$@"

as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

cat > spec.spark <<'SPEC'
step a { do = exec("true"); undo = none }
SPEC

if [ "$(id -u)" = 0 ]; then
  # A directory both users write: the other one plants a symlink at every
  # name a temporary could have had, and a world-writable file at the target.
  mkdir shared && chmod 1777 shared && chmod 755 "$WORK"
  echo "root's own file" > victim && chmod 600 victim
  as_nobody ln -s "$WORK/victim" shared/plan.yaml.tmp
  as_nobody ln -s "$WORK/victim" shared/.plan.yaml.tmp
  as_nobody sh -c 'echo planted > shared/plan.yaml; chmod 666 shared/plan.yaml'
  expect_exit 0 "plan -o into a shared directory" -- "$SPARKC" plan spec.spark -o shared/plan.yaml
  [ "$(cat victim)" = "root's own file" ] || fail "plan -o wrote through a planted symlink: $(cat victim)"
  [ "$(stat -c %U:%a shared/plan.yaml)" = "root:644" ] ||
    fail "the plan took the planted file's owner or mode: $(stat -c %U:%a shared/plan.yaml)"
  expect_grep "^digest:" shared/plan.yaml
  expect_exit 0 "a report into a shared directory" -- "$SPARKC" apply spec.spark --state st1 --report shared/r.json
  [ "$(cat victim)" = "root's own file" ] || fail "--report wrote through a planted symlink"

  # A state directory another user can write is refused, and so is a
  # state.db they can write.
  mkdir -m 777 open
  expect_exit 4 "a world-writable state directory" -- "$SPARKC" apply spec.spark --state open
  expect_grep "state directory \`open\` is writable by other users (its mode is 0777)" err.txt
  expect_grep "help: chmod go-w open" err.txt
  expect_exit 0 "a private state directory" -- "$SPARKC" apply spec.spark --state priv
  chmod 666 priv/state.db
  expect_exit 4 "a world-writable state.db" -- "$SPARKC" status --state priv
  expect_grep "state file \`priv/state.db\` is writable by other users" err.txt
  chmod 600 priv/state.db
  mkdir -m 700 theirs && chown nobody theirs
  expect_exit 4 "a state directory of another user" -- "$SPARKC" apply spec.spark --state theirs
  expect_grep "it belongs to user 65534" err.txt
fi

# A symlink at `lock` or state.db is never followed.
echo "precious" > target
mkdir -m 700 links && ln -s "$WORK/target" links/lock
expect_exit 0 "apply with a symlink at lock" -- "$SPARKC" apply spec.spark --state links
[ "$(cat target)" = "precious" ] || fail "the lock was written through a symlink"
mkdir -m 700 dblink && ln -s "$WORK/target" dblink/state.db
expect_exit 4 "a symlink at state.db" -- "$SPARKC" apply spec.spark --state dblink
expect_grep "is not a regular file" err.txt
[ "$(cat target)" = "precious" ] || fail "state.db was opened through a symlink"

# Removing `lock` during an apply does not let a second runner in.
cat > slow.spark <<'SPEC'
step hold { do = exec("sleep", "3"); undo = none }
SPEC
"$SPARKC" apply slow.spark --state held >first.txt 2>&1 &
first=$!
for _ in $(seq 50); do [ -s held/lock ] && break; sleep 0.1; done
rm -f held/lock
expect_exit 7 "an apply after the lock file was removed" -- "$SPARKC" apply slow.spark --state held
wait $first || fail "the first apply failed: $(cat first.txt)"
expect_grep "apply succeeded" first.txt

# A resumed run kills what a dead runner's step left, but never a process
# whose runner (here: this test's shell, as SPARKC_RUNNER names it) is alive.
live="$$:$(cut -d' ' -f22 /proc/$$/stat)"
cat > strays.spark <<SPEC
step die {
  do = shell("sleep 60 & echo \$! > dead.pid; SPARKC_RUNNER=$live sleep 60 & echo \$! > live.pid; kill -9 \$PPID")
  check = file.exists("never")
  undo = none
}
SPEC
"$SPARKC" apply strays.spark --state strays >/dev/null 2>&1
alive "$(cat dead.pid)" && alive "$(cat live.pid)" || fail "expected both background processes alive"
expect_exit 0 "resume after the runner died" -- timeout 20 "$SPARKC" rollback --state strays
sleep 0.2
alive "$(cat dead.pid)" && fail "the dead runner's stray survived"
alive "$(cat live.pid)" || fail "a process of a live runner was killed as a stray"
kill "$(cat live.pid)" 2>/dev/null

# A state.db emptied after a run is refused, not taken for a new store.
cat > five.spark <<'SPEC'
step s1 { do = exec("true"); undo = none }
step s2 { after = [s1]; do = exec("true"); undo = none }
step s3 { after = [s2]; do = exec("true"); undo = none }
SPEC
expect_exit 0 "apply" -- "$SPARKC" apply five.spark --state gone
: > gone/state.db; rm -f gone/state.db-wal gone/state.db-shm
expect_exit 4 "apply on an emptied state.db" -- "$SPARKC" apply five.spark --state gone
expect_grep "holds less than it once did: run 1 and transition 6 were committed here" err.txt
expect_grep "help: restore the state directory from a backup" err.txt

# The runner dies mid-run and its -wal file is deleted: the last journal
# pages are gone, and the store says so instead of running the steps again.
cat > crash.spark <<'SPEC'
step s1 { do = exec("true"); undo = none }
step s2 { after = [s1]; do = exec("true"); undo = none }
step die { after = [s2]; do = shell("kill -9 $PPID; sleep 1"); undo = none }
SPEC
"$SPARKC" apply crash.spark --state wal >/dev/null 2>&1
[ -s wal/state.db-wal ] || fail "expected the journal in the -wal file"
rm -f wal/state.db-wal wal/state.db-shm
expect_exit 4 "apply after the -wal was deleted" -- "$SPARKC" apply crash.spark --state wal
expect_grep "holds less than it once did" err.txt
finish
