# What a step starts ends with it: background children, children that left
# its process group with setsid, double-forked daemons, after a success and
# after a timeout; unless the step says `detach = true`.
source "$(dirname "$0")/lib.sh" "$@"

cat > spec.spark <<'SPEC'
step background { do = shell("sleep 60 & echo $! > bg.pid"); undo = none }
step escaped {
  after = [background]
  do    = shell("setsid sleep 60 & echo $! > setsid.pid")
  undo  = none
}
step daemonized {
  after = [escaped]
  do    = shell("(setsid sh -c 'sleep 60 & echo $! > daemon.pid; sleep 60' >/dev/null 2>&1 &) ; sleep 0.3")
  undo  = none
}
step slow {
  after   = [daemonized]
  do      = shell("setsid sleep 60 & echo $! > timed.pid; sleep 30")
  timeout = 1 s
  undo    = none
}
SPEC
expect_exit 3 "apply (the last step times out)" -- timeout 60 "$SPARKC" apply spec.spark
for f in bg setsid daemon timed; do
  [ -s $f.pid ] || { fail "$f.pid was not written"; continue; }
  alive "$(cat $f.pid)" && { fail "the $f process outlived its step"; kill "$(cat $f.pid)"; }
done

cat > server.spark <<'SPEC'
step serve {
  do     = shell("setsid sleep 60 >/dev/null 2>&1 & echo $! > server.pid")
  undo   = shell("kill $(cat server.pid)")
  detach = true
}
SPEC
expect_exit 0 "apply a step that starts a server" -- "$SPARKC" apply server.spark --state server
alive "$(cat server.pid)" || fail "the server of a detached step was killed"
expect_exit 0 "rollback stops it" -- "$SPARKC" rollback --state server
sleep 0.2
alive "$(cat server.pid)" && { fail "the undo did not stop the server"; kill "$(cat server.pid)"; }
"$SPARKC" plan server.spark -o server.yaml 2>/dev/null
expect_grep "^    detach: true$" server.yaml
finish
