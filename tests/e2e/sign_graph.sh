# Signed plans (sparkc sign, apply --require-signature) and `sparkc graph`.
source "$(dirname "$0")/lib.sh" "$@"

cat > spec.spark <<'SPEC'
phase prep "Prepare"
step a { phase = prep; do = exec("touch", "a"); undo = exec("rm", "-f", "a"); estimate = 2 min; undo_estimate = 1 min }
step b { after = [a]; do = exec("touch", "b"); undo = exec("rm", "-f", "b"); estimate = 1 min; undo_estimate = 30 s }
gate ok { after = [b]; approvers = ["ops"]; prompt = "Remove the marker?" }
step c { after = [ok]; do = exec("rm", "-f", "a"); undo = irreversible "the marker is gone" }
SPEC
openssl genpkey -algorithm ed25519 -out key.pem 2>/dev/null || fail "openssl cannot make an Ed25519 key"
openssl pkey -in key.pem -pubout -out key.pub 2>/dev/null
openssl genpkey -algorithm ed25519 -out other.pem 2>/dev/null
openssl pkey -in other.pem -pubout -out other.pub 2>/dev/null

expect_exit 0 "plan" -- "$SPARKC" plan spec.spark -o plan.yaml
expect_exit 1 "unsigned plan refused" -- "$SPARKC" apply plan.yaml --require-signature key.pub
expect_grep "E0904" err.txt
expect_exit 0 "sign" -- "$SPARKC" sign plan.yaml --key key.pem
expect_file plan.yaml.sig
expect_grep "^ed25519:" plan.yaml.sig
expect_exit 1 "another key refused" -- "$SPARKC" apply plan.yaml --require-signature other.pub
expect_grep "does not match" err.txt
expect_exit 1 "a spec is never signed" -- "$SPARKC" apply spec.spark --require-signature key.pub
cp plan.yaml.sig saved.sig
"$SPARKC" plan spec.spark -o plan.yaml 2>/dev/null
sed -i 's/touch", "b"/touch", "bb"/' spec.spark
"$SPARKC" plan spec.spark -o plan.yaml 2>/dev/null
cp saved.sig plan.yaml.sig
expect_exit 1 "a signature of another plan refused" -- "$SPARKC" apply plan.yaml --require-signature key.pub
expect_exit 0 "sign again" -- "$SPARKC" sign plan.yaml --key key.pem
expect_exit 6 "signed plan runs (to the gate)" -- "$SPARKC" apply plan.yaml --require-signature key.pub
expect_file a
expect_grep "approve ok" out.txt
expect_exit 0 "approved, it finishes" -- "$SPARKC" apply plan.yaml --require-signature key.pub --approve ok --approver ops
expect_no_file a
expect_exit 0 "applied: known by its bytes, still signed" -- "$SPARKC" apply plan.yaml --require-signature key.pub
expect_grep "already applied" out.txt
expect_exit 1 "known by its bytes, but another key refused" -- "$SPARKC" apply plan.yaml --require-signature other.pub
expect_grep "does not match" err.txt
expect_exit 1 "a private key is not a public key" -- "$SPARKC" apply plan.yaml --require-signature key.pem

expect_exit 0 "graph" -- "$SPARKC" graph plan.yaml
expect_grep 'subgraph "cluster_prep"' out.txt
expect_grep '"ok" \[label="ok", shape=diamond' out.txt
expect_grep '"c" \[label="c", shape=octagon' out.txt
expect_grep '"a" -> "b" \[color="#c0392b", penwidth=2.5\]' out.txt
cp out.txt plan.dot
expect_exit 0 "rollback graph" -- "$SPARKC" graph plan.yaml --rollback
expect_grep '"b" -> "a" \[color="#c0392b", penwidth=2.5\]' out.txt
if command -v dot >/dev/null; then
  dot -Tsvg plan.dot -o plan.svg || fail "Graphviz cannot render the DOT"
  expect_grep "<svg" plan.svg
fi
finish
