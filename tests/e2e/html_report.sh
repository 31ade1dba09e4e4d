# `sparkc report`: one self-contained HTML page, rendered by Debian's
# headless Chromium with no network; the screenshot must show the DAG (its
# critical path colour, the phases' fills) and the run's statuses.
source "$(dirname "$0")/lib.sh" "$@"
if ! command -v chromium >/dev/null; then
  echo "SKIP: chromium is not installed (tools/scripts/install-deps.sh installs it)"
  exit 77
fi
/usr/bin/python3 -c "import PIL" || fail "python3-pil is not installed: run tools/scripts/install-deps.sh"

cat > spec.spark <<'SPEC'
phase prepare "Prepare"
phase cutover "Switch over"
step backup { phase = prepare; do = exec("true"); undo = none; estimate = 2 min }
step copy   { phase = prepare; after = [backup]; do = exec("true"); undo = exec("true"); estimate = 5 min }
step index  { phase = prepare; after = [backup]; do = exec("true"); undo = none; estimate = 1 min }
gate go     { after = [copy, index]; approvers = ["dba"]; prompt = "switch?" }
step switch { phase = cutover; after = [go]; do = exec("false"); undo = exec("true"); estimate = 1 min }
SPEC
# Stopped where it failed (no rollback): its steps succeeded, the switch failed.
expect_exit 4 "a run that fails at the switch" -- "$SPARKC" apply spec.spark --approve go --approver dba --on-failure stop
expect_exit 0 "report" -- "$SPARKC" report spec.spark -o report.html
expect_grep "wrote report.html (5 steps, run 1)" out.txt
# Self-contained: nothing to fetch, nothing to run.
grep -Eq '<script|src=|href=|url\(|@import' report.html && fail "the page refers to something outside itself"
expect_grep "run 1: <b>failed</b>" report.html

shot() {  # shot HTML PNG: a screenshot in headless Chromium, without network
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --hide-scrollbars --window-size=1300,900 --screenshot="$WORK/$2" "file://$WORK/$1" >chromium.txt 2>&1 ||
    { fail "chromium could not render $1"; cat chromium.txt >&2; }
}
shot report.html report.png
# Pixels of each colour the page draws with: the critical path, the two
# phases' fills, the failed step's status (the switch) and the succeeded ones'.
/usr/bin/python3 - "$WORK/report.png" <<'PY' || fail "the screenshot does not show the DAG and the run"
import sys
from PIL import Image
image = Image.open(sys.argv[1]).convert("RGB")
counts = {}
for pixel in image.getdata():
    counts[pixel] = counts.get(pixel, 0) + 1
def have(name, hex_colour, at_least):
    rgb = tuple(int(hex_colour[k:k + 2], 16) for k in (1, 3, 5))
    n = counts.get(rgb, 0)
    print(f"{name}: {n} pixels of {hex_colour}")
    return n >= at_least
ok = all([have("critical path", "#ea580c", 400), have("phase 1 fill", "#dbeafe", 2000),
          have("phase 2 fill", "#dcfce7", 2000), have("failed status", "#dc2626", 100),
          have("succeeded status", "#16a34a", 400), have("proven schedule", "#93c5fd", 500)])
sys.exit(0 if ok else 1)
PY

# The plan alone, without a store: the same DAG, no run.
expect_exit 0 "report without a state store" -- "$SPARKC" report spec.spark --state nowhere -o plan-only.html
expect_grep "no state store at \`nowhere\`" plan-only.html
expect_no_file nowhere
finish
