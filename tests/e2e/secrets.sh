# Secrets reach only the action that names them, and never anything sparkc
# prints or keeps: not verify's drift lines, not the environment of other
# steps, not a fragment left by cutting output short, not a core file.
source "$(dirname "$0")/lib.sh" "$@"

export SPARKC_TEST_TOKEN="s3cr3t-value-4711"
fragments=("s3cr3t" "value-4711" "lue-4711" "s3cr3t-val")
leaks() {  # leaks FILE...: fails if any part of the secret is in the files
  for f in "${fragments[@]}"; do
    if grep -qa -- "$f" "$@"; then fail "a fragment of the secret ($f) was written:"; grep -a -- "$f" "$@" >&2; fi
  done
}

cat > spec.spark <<'SPEC'
secret token = env("SPARKC_TEST_TOKEN")
step named {
  do    = exec("sh", "-c", "test \"$T\" = s3cr3t-value-4711") { env = { T = token } }
  check = exec("sh", "-c", "if test -f drifted; then echo \"now $T\"; else echo fine; fi") { env = { T = token } }.stdout == "fine\n"
  undo  = none
}
step other {
  after = [named]
  do    = exec("sh", "-c", "env > other-env.txt")
  undo  = none
}
SPEC
expect_exit 0 "apply" -- "$SPARKC" apply spec.spark
grep -q SPARKC_TEST_TOKEN other-env.txt && fail "a step that names no secret inherited its variable"
leaks other-env.txt
touch drifted
expect_exit 5 "verify reports the drift" -- "$SPARKC" verify spec.spark
expect_grep "DRIFT  named: .*\"now \*\*\*\\\\n\"" out.txt
leaks out.txt err.txt

# Output cut to its last 2,000 bytes with the secret across the cut, and a
# check detail cut at 80 bytes across it: redaction comes first.
cat > cut.spark <<'SPEC'
secret token = env("SPARKC_TEST_TOKEN")
step tail {
  do   = exec("sh", "-c", "printf '%s' \"$T\"; head -c 1995 /dev/zero | tr '\\0' x; exit 1") { env = { T = token } }
  undo = none
}
SPEC
expect_exit 3 "a long output with the secret at the cut" -- "$SPARKC" apply cut.spark --state cut --report cut.json
leaks out.txt err.txt cut.json cut/state.db
cat > detail.spark <<'SPEC'
secret token = env("SPARKC_TEST_TOKEN")
step head {
  do    = exec("true")
  check = exec("sh", "-c", "head -c 72 /dev/zero | tr '\\0' y; printf '%s' \"$T\"") { env = { T = token } }.stdout == "z"
  undo  = none
}
SPEC
expect_exit 3 "a check detail with the secret at the cut" -- "$SPARKC" apply detail.spark --state detail
expect_grep "check failed" out.txt
leaks out.txt err.txt detail/state.db

# A secret too short to redact is refused, by name, before the step runs.
cat > short.spark <<'SPEC'
secret pin = env("SPARKC_SHORT")
step use { do = exec("sh", "-c", "echo \"$P\" > used") { env = { P = pin } }; undo = none }
SPEC
SPARKC_SHORT=ab expect_exit 3 "a two-byte secret" -- "$SPARKC" apply short.spark --state short
expect_grep "secret \`env:SPARKC_SHORT\` is 2 bytes long; sparkc refuses secrets shorter than 3 bytes" out.txt
expect_no_file used

# The runner is not dumpable: its /proc files belong to root even when it
# runs as another user, so no core file or ptrace of that user holds a secret.
if [ "$(id -u)" = 0 ]; then
  mkdir -m 777 asuser && chmod 755 "$WORK"
  cat > asuser/spec.spark <<'SPEC'
step look { do = exec("sh", "-c", "stat -c %U /proc/$PPID/environ > owner"); undo = none }
SPEC
  (cd asuser && setpriv --reuid=nobody --regid=nogroup --clear-groups "$SPARKC" apply spec.spark >out.txt 2>&1) ||
    fail "apply as nobody: $(cat asuser/out.txt)"
  [ "$(cat asuser/owner 2>/dev/null)" = root ] || fail "the runner is dumpable: its environ belongs to $(cat asuser/owner)"
fi
finish
