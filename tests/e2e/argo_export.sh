# `sparkc export --to argo` through the real binary: every spec's Workflow
# is checked as Argo checks one before running it (tests/e2e/argo_workflow.mjs:
# the JSON schema of Argo's types, every key a known field, and the
# references Argo's lint resolves), is byte-stable, and is the same from the
# spec as from its plan. The checker itself is shown to refuse broken
# Workflows, so that "ok" means something.
source "$(dirname "$0")/lib.sh" "$@"
NPM_DIR=${SPARKC_NPM_DIR:-$HOME/.cache/sparkc/npm}
[ -d "$NPM_DIR/node_modules/@kubernetes-models/argo-workflows" ] ||
  { fail "@kubernetes-models/argo-workflows is not installed in $NPM_DIR: run tools/scripts/install-deps.sh"; exit 1; }
check() { node "$ROOT/tests/e2e/argo_workflow.mjs" "$NPM_DIR" "$@"; }
export_argo() { "$SPARKC" export --to argo "$@" --image registry/sparkc:1 --state postgres://sparkc@db/sparkc \
                  --password-secret sparkc-db/password; }

# What Argo has no room for, or where names could meet: a gate `a` and a
# step `a_approval` (whose task names would both be `a-approval`), a step
# `fanout_roll` beside the fan-out `roll`, ids longer than Argo's 128
# characters, a manual step inside a fan-out, steps with and without a
# timeout, and a module name longer than a Workflow's name may be.
cat > edges.spark <<'SPEC'
module migration_of_the_spark_clusters_from_the_old_datacenter_to_the_new_one_in_one_night
objective { parallelism = 2 }
gate a { prompt = "go?" }
step a_approval { do = noop; undo = none; after = [a] }
step fanout_roll { do = noop; undo = none }
step roll[n in ["x", "y"]] { do = manual("check ${n}"); undo = none; concurrency = 1; after = [fanout_roll] }
step the_step_whose_name_goes_on_and_on_because_someone_wrote_a_sentence_where_an_identifier_belongs_and_kept_writing {
  do = shell("true"); undo = none; timeout = 5 min; retries = 2; after = [a_approval, roll[*]]
}
SPEC
specs=(edges.spark "$ROOT"/specs/*/*.spark)
n=0
for spec in "${specs[@]}"; do
  n=$((n + 1))
  if ! export_argo "$spec" > "w$n.yaml" 2> "w$n.err"; then
    fail "export of $spec"
    sed 's/^/  /' "w$n.err" >&2
    continue
  fi
  export_argo "$spec" | cmp -s - "w$n.yaml" || fail "two exports of $spec differ"
  "$SPARKC" plan "$spec" -o "p$n.json" --format json >/dev/null 2>&1 || fail "plan $spec"
  export_argo "p$n.json" | cmp -s - "w$n.yaml" || fail "the export of $spec differs from that of its plan"
done
check w*.yaml > check.out || { fail "Argo would refuse an export"; cat check.out >&2; }
[ "$(grep -c ': ok$' check.out)" = "${#specs[@]}" ] || fail "expected ${#specs[@]} Workflows checked ok"

# The edge cases came out as Argo needs them (the checker has seen that no
# two tasks or templates share a name).
expect_grep "generateName: sparkc-migration-of-the-spark-clusters-from-the-old-datac-$" w1.yaml
for name in a-approval a-approval-2 fanout-roll fanout-roll-2 roll-x-approval roll-y-approval; do
  grep -q "^ *- name: $name$" w1.yaml || fail "expected a task named $name"
done
grep -q "name: the-step-whose-name-goes-on-and-on-because-someone-wrote-a-sentence-where-an-identifier-belongs-and$" \
  w1.yaml || fail "a long step id should become a task name of 100 characters"
grep -q "template: step-untimed" w1.yaml || fail "a step without a timeout should use step-untimed"
longest=$(grep -A1 -- "- name: deadline$" w1.yaml | sed -n 's/.*value: "\([0-9]*\)"/\1/p' | sort -n | tail -1)
[ "$longest" -ge 960 ] 2>/dev/null ||
  fail "three attempts of 5 min and a minute for sparkc: a deadline of at least 960 s, found '$longest'"
# A `{{` in the plan (a Go template in a shell command, an output read at
# run time) would be read by Argo as a variable: none is left in the data,
# and the plan read back is the plan.
grep -q '{{.Version}}' "$ROOT/specs/spec-to-proof-v1/spec-to-proof-v1.spark" || fail "the seed no longer has {{.Version}}"
seed=$(printf '%s\n' "${specs[@]}" | grep -n 'spec-to-proof-v1.spark$' | cut -d: -f1)  # its w/p file number
node -e '
  const y = require(process.argv[1] + "/node_modules/js-yaml"), fs = require("fs");
  const w = y.load(fs.readFileSync(process.argv[2], "utf8"));
  const a = w.spec.templates.find((t) => t.name === "begin").inputs.artifacts[0].raw.data;
  if (a.includes("{{")) throw new Error("{{ in the plan artifact");
  const same = JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(fs.readFileSync(process.argv[3], "utf8")));
  if (!same) throw new Error("the plan artifact is not the plan");
' "$NPM_DIR" "w$seed.yaml" "p$seed.json" || fail "the plan artifact of spec-to-proof-v1"
# What Argo cannot carry is refused, with the reason.
printf 'step roll[n in ["{{x}}"]] { do = noop; undo = none }\n' > braces.spark
expect_exit 1 "a step id with {{" -- export_argo braces.spark
expect_grep 'braces.spark:1: step `roll\[{{x}}\]`: Argo would read' err.txt
expect_exit 2 "an image with \$(" -- "$SPARKC" export --to argo edges.spark --image 'r/s:$(TAG)' --state postgres://db/s
expect_grep "image holds" err.txt

# The checker refuses what Argo would: a wrong type, an unknown field, a
# dependency on no task, an undeclared input, a missing image, a cycle.
mutate() {  # NAME SED-SCRIPT EXPECTED
  sed "$2" w1.yaml > "bad-$1.yaml"
  cmp -s w1.yaml "bad-$1.yaml" && { fail "mutation $1 changed nothing"; return; }
  check "bad-$1.yaml" > "bad-$1.out" && fail "the checker accepted bad-$1.yaml"
  expect_grep "$3" "bad-$1.out"
}
mutate type 's/^  parallelism: 2$/  parallelism: "two"/' "spec/parallelism must be integer"
mutate field 's/activeDeadlineSeconds:/activeDeadline:/' "activeDeadline: not a field of Template"
mutate dependency '0,/^              - begin$/s//              - nothing/' "which is not a task of this DAG"
mutate input 's/{{inputs.parameters.step}}/{{inputs.parameters.stp}}/' "not an input of the template"
mutate image '/^        image: /d' "a container without an image"
mutate cycle '0,/^          - name: begin$/s//          - name: begin\n            dependencies: [a]/' "form a cycle"
finish
