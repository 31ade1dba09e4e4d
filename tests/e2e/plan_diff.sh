# What a reviewer reads in a pull request: `sparkc plan --format markdown`
# against a golden, and `sparkc diff OLD NEW` over every kind of change a
# plan can have (steps,
# their argv and env, dependency edges, a fan-out's concurrency, a phase, an
# invariant, a precondition, a window, a parameter, the objective and the
# parallelism, and the proven bounds that move with them), as text and as
# Markdown against goldens, and as JSON valid against the schema.
#   SPARKC_UPDATE_GOLDENS=1 rewrites tests/e2e/data/diff/*.{txt,md}.
source "$(dirname "$0")/lib.sh" "$@"

DATA="$ROOT/tests/e2e/data/diff"
cp "$DATA/old.spark" "$DATA/new.spark" .
golden() {  # golden NAME: out.txt against $DATA/NAME
  if [ "${SPARKC_UPDATE_GOLDENS:-}" = 1 ]; then
    cp out.txt "$DATA/$1"
  elif ! diff -u "$DATA/$1" out.txt > golden.diff; then
    fail "$1 differs from its golden (SPARKC_UPDATE_GOLDENS=1 rewrites it):"
    cat golden.diff >&2
  fi
}
expect_exit 0 "plan as Markdown" -- "$SPARKC" plan new.spark --format markdown
golden plan.md
expect_grep '^| `cut_over`\|^| window `cutover` (`backup` → `deploy`) | .* | 40 min | ✅ |$' out.txt
expect_grep '^| require `db_up` | the database answers | `tcp.open("db:6432")` |$' out.txt
expect_exit 0 "a Markdown summary written to a file" -- "$SPARKC" plan new.spark --format markdown -o summary.md
cmp -s summary.md "$DATA/plan.md" || [ "${SPARKC_UPDATE_GOLDENS:-}" = 1 ] || fail "-o wrote another summary"

expect_exit 1 "diff as text" -- "$SPARKC" diff old.spark new.spark
golden diff.txt
expect_grep "^    do: exec helm upgrade app ./chart --set image.tag=v1 -> exec helm upgrade app ./chart --set image.tag=v2$" out.txt
expect_exit 1 "diff as Markdown" -- "$SPARKC" diff old.spark new.spark --format markdown
golden diff.md
expect_exit 1 "diff as JSON" -- "$SPARKC" diff old.spark new.spark --format json
/usr/bin/python3 - "$ROOT/docs/events.schema.json" out.txt <<'PY' || fail "the JSON diff does not follow docs/events.schema.json"
import json, sys, jsonschema
doc = json.load(open(sys.argv[2]))
jsonschema.validate(doc, json.load(open(sys.argv[1])), cls=jsonschema.Draft202012Validator)
kinds = sorted({(c["kind"], c["op"]) for c in doc["changes"]})
want = [("fan_out", "changed"), ("invariant", "added"), ("param", "changed"), ("phase", "changed"),
        ("plan", "changed"), ("precondition", "changed"), ("step", "added"), ("step", "changed"),
        ("step", "removed"), ("window", "changed")]
assert kinds == want, kinds
assert {(e["from"], e["to"]) for e in doc["edges"]["added"]} == {("backup", "smoke"), ("deploy", "smoke")}
PY
expect_exit 0 "diff of equal plans" -- "$SPARKC" diff old.spark old.spark --format json
expect_grep '"equal":true' out.txt
expect_exit 0 "Markdown of equal plans" -- "$SPARKC" diff old.spark old.spark --format markdown
expect_grep "The plans are equal." out.txt
finish
