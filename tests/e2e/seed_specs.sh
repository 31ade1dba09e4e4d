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
# §1.1 and §1.3 compare the real GPUs with the declarations, not fixed strings.
expect_grep 'check: "gpu.conforms(hardware = \\"spark\\", model = \\"H100\\", .*count = 8, memory = 80 GB, driver = v550.54.15, cuda = v12.4, min_driver = v550.54.14)"' nova.yaml
expect_grep 'check: "gpu.conforms(hardware = \\"test_rig\\", model = \\"A100-80GB\\", .*count = 4, .*driver = v550.54.15' nova.yaml
grep -q '550.54.15\\"' nova.yaml && fail "a driver version is a fixed string in the nova plan"

expect_exit 0 "plan spec-to-proof-v1" -- "$SPARKC" plan "$STP" -o stp.yaml
grep -qi "secure-password\|your-api-token\|your-claude-key" stp.yaml && fail "a literal secret is in the plan"
expect_grep "secret: env:STP_POSTGRES_PASSWORD" stp.yaml
expect_grep "rto: 2760" stp.yaml
expect_grep "parallelism: 3" stp.yaml
expect_grep "id: downtime" stp.yaml
expect_grep 'exec: \[helm, rollback, spec-to-proof, "1", "-n", spec-to-proof, "--wait"\]' stp.yaml
finish
