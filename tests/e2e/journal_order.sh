# A step's success reaches the journal before any step after it starts, and
# while a long step runs beside it; one commit carries a success and the
# start of the next step.
source "$(dirname "$0")/lib.sh" "$@"

# A shell command, quoted for a .spark string, that prints step $1's state.
state_of() { printf '%s' "sqlite3 .sparkc/state.db \\\"select status from steps where step = '$1'\\\""; }

mkdir chain beside
cat > chain/spec.spark <<SPEC
step a { do = exec("true"); undo = none }
step b { after = [a]; do = shell("$(state_of a) > b.txt"); undo = none }
SPEC
cd chain
expect_exit 0 "apply a chain" -- "$SPARKC" apply spec.spark -j 2
[ "$(cat b.txt)" = succeeded ] || fail "b started before a's success was durable: '$(cat b.txt)'"
transitions=$(sqlite3 .sparkc/state.db "select count(*) from transitions")
[ "$transitions" = 4 ] || fail "expected 4 transitions (running and succeeded of 2 steps), found $transitions"

# Nothing can start after `quick` until `slow` is done: its success goes out
# when its worker finds nothing to start, not at the end of `slow`.
cd ../beside
cat > spec.spark <<SPEC
step quick { do = exec("true"); undo = none }
step slow { do = shell("sleep 1; $(state_of quick) > slow.txt"); undo = none }
step last { after = [quick, slow]; do = exec("true"); undo = none }
SPEC
expect_exit 0 "apply two steps side by side" -- "$SPARKC" apply spec.spark -j 2
[ "$(cat slow.txt)" = succeeded ] || fail "quick's success waited for the slow step: '$(cat slow.txt)'"
finish
