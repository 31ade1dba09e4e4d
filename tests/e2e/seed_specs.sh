# The two source documents as specs: they check, plan and dry-run; every
# checklist item of the Nova plan is traceable to a step; no secret of the
# Spec-to-Proof guide is a literal anywhere in its plan.
source "$(dirname "$0")/lib.sh" "$@"

NOVA="$ROOT/specs/nova-spark/nova-spark.spark"
STP="$ROOT/specs/spec-to-proof-v1/spec-to-proof-v1.spark"

for spec in "$NOVA" "$STP"; do
  expect_exit 0 "check $(basename "$spec")" -- "$SPARKC" check "$spec"
  expect_exit 0 "dry run $(basename "$spec")" -- "$SPARKC" apply "$spec" --dry-run
  expect_grep "nothing is changed" out.txt
done

expect_exit 0 "plan nova-spark" -- "$SPARKC" plan "$NOVA" -o nova.yaml
for section in 1 2 3 4 5 6; do
  for item in 1 2 3; do
    grep -q "§$section.$item " nova.yaml || fail "checklist item §$section.$item has no step"
  done
done
expect_grep "approvers: \[Nova, Orion, Lumina, Echo, Chronos, Aura\]" nova.yaml
expect_grep "rpo: 900" nova.yaml

expect_exit 0 "plan spec-to-proof-v1" -- "$SPARKC" plan "$STP" -o stp.yaml
grep -qi "secure-password\|your-api-token\|your-claude-key" stp.yaml && fail "a literal secret is in the plan"
expect_grep "secret: env:STP_POSTGRES_PASSWORD" stp.yaml
expect_grep "rto: 2760" stp.yaml
expect_grep "parallelism: 3" stp.yaml
expect_grep "id: downtime" stp.yaml
expect_grep 'exec: \[helm, rollback, spec-to-proof, "1", "-n", spec-to-proof, "--wait"\]' stp.yaml
finish
