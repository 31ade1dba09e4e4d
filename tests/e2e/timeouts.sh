# A step that exceeds its timeout is killed with its whole process group.
source "$(dirname "$0")/lib.sh" "$@"

cat > spec.spark <<'SPEC'
step slow {
  do      = shell("sleep 60 & echo $! > child.pid; wait")
  undo    = none
  timeout = 1 s
}
SPEC
start=$(date +%s)
expect_exit 3 "a timed-out step fails the apply" -- "$SPARKC" apply spec.spark
elapsed=$(( $(date +%s) - start ))
[ "$elapsed" -lt 20 ] || fail "the timeout took ${elapsed}s"
expect_grep "timed out" out.txt
pid=$(cat child.pid)
sleep 0.5
state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo gone)
[ "$state" = gone ] || [ "$state" = Z ] || fail "the background child $pid survived the timeout (state $state)"
finish
