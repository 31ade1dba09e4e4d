# The YAML plan reads the same in every standard parser: PyYAML (YAML 1.1,
# Debian's python3-yaml) and js-yaml (YAML 1.2, from npm) load it to exactly
# the JSON plan, for hundreds of strings a resolver could read as a number,
# a boolean, null, a timestamp or .inf; sparkc reads it back with its digest.
source "$(dirname "$0")/lib.sh" "$@"

NPM_DIR=${SPARKC_NPM_DIR:-$HOME/.cache/sparkc/npm}
[ -d "$NPM_DIR/node_modules/js-yaml" ] || fail "js-yaml is not installed in $NPM_DIR: run tools/scripts/install-deps.sh"
/usr/bin/python3 -c "import yaml" || fail "python3-yaml is not installed: run tools/scripts/install-deps.sh"

python3 "$ROOT/tests/e2e/data/awkward_strings.py" > spec.spark 2> count.txt
expect_grep "^[0-9][0-9][0-9] strings" count.txt
expect_exit 0 "plan yaml" -- "$SPARKC" plan spec.spark -o plan.yaml
expect_exit 0 "plan json" -- "$SPARKC" plan spec.spark --format json -o plan.json
expect_exit 0 "sparkc reads its YAML back" -- "$SPARKC" apply plan.yaml --dry-run

/usr/bin/python3 - <<'PY' || fail "PyYAML reads the plan differently"
import json, sys, yaml
y = yaml.safe_load(open("plan.yaml", encoding="utf-8"))
j = json.load(open("plan.json", encoding="utf-8"))
if y != j:
    step_y, step_j = y["steps"][0]["do"], j["steps"][0]["do"]
    bad = [(a, b) for a, b in zip(step_y["exec"], step_j["exec"]) if a != b]
    bad += [(step_y["env"].get(k), v) for k, v in step_j["env"].items() if step_y["env"].get(k) != v]
    print("PyYAML read these as something else:", bad[:20], file=sys.stderr)
    sys.exit(1)
PY

NODE_PATH="$NPM_DIR/node_modules" node - <<'JS' || fail "js-yaml reads the plan differently"
const yaml = require("js-yaml"), fs = require("fs"), util = require("util");
const y = yaml.load(fs.readFileSync("plan.yaml", "utf8"));
const j = JSON.parse(fs.readFileSync("plan.json", "utf8"));
if (!util.isDeepStrictEqual(y, j)) {
  const a = y.steps[0].do.exec, b = j.steps[0].do.exec;
  console.error("js-yaml read these as something else:", a.filter((v, i) => v !== b[i]).slice(0, 20));
  process.exit(1);
}
JS
finish
