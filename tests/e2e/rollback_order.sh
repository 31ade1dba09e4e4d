# One rollback order: at -j1 the runtime undoes steps exactly in the plan's
# `rollback.order`, fan-out instances included.
source "$(dirname "$0")/lib.sh" "$@"

cat > spec.spark <<'SPEC'
template undoing(name: string) {
  do   = shell("echo do-${name} >> ran")
  undo = shell("echo ${name} >> undone")
}
const nodes = ["a", "b", "c", "d"]
step prepare = undoing("prepare")
step roll[n in nodes] = undoing(n) { after = [prepare]; concurrency = 1 }
step side = undoing("side") { after = [prepare] }
step finish = undoing("finish") { after = [roll[*], side] }
step fail { after = [finish]; do = exec("false"); undo = none }
SPEC
"$SPARKC" plan spec.spark --format json -o plan.json 2>err.txt || { fail "plan: $(cat err.txt)"; finish; }
expect_exit 3 "apply fails and rolls back at -j1" -- "$SPARKC" apply plan.json -j 1
python3 - <<'PY' || fail "the undos ran in another order than the plan's rollback.order"
import json, sys
order = json.load(open("plan.json"))["rollback"]["order"]
names = [s.split("[")[1].rstrip("]") if "[" in s else s for s in order]
ran = open("undone").read().split()
print("plan:", names, "ran:", ran)
sys.exit(0 if names == ran else 1)
PY
finish
