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
finish
