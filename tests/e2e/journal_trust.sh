# Rollback runs the plan the journal stored only when it is the plan that
# ran: the stored plan is checked against the run's digest on every load,
# and `rollback --require-signature` also wants the signature the apply
# checked, which the journal keeps with the key that approved the run.
source "$(dirname "$0")/lib.sh" "$@"

openssl genpkey -algorithm ed25519 -out key.pem 2>/dev/null
openssl pkey -in key.pem -pubout -out key.pub 2>/dev/null
openssl genpkey -algorithm ed25519 -out other.pem 2>/dev/null
openssl pkey -in other.pem -pubout -out other.pub 2>/dev/null
cat > spec.spark <<'SPEC'
step a { do = exec("true"); undo = exec("touch", "undone-a") }
step b { after = [a]; do = exec("true"); undo = exec("touch", "undone-b") }
SPEC
"$SPARKC" plan spec.spark -o plan.yaml 2>/dev/null && "$SPARKC" sign plan.yaml --key key.pem >/dev/null || fail "plan and sign"
fingerprint=$(openssl pkey -pubin -in key.pub -outform DER | sha256sum | cut -d' ' -f1)

expect_exit 0 "apply a signed plan" -- "$SPARKC" apply plan.yaml --require-signature key.pub
expect_exit 0 "status" -- "$SPARKC" status
expect_grep "plan signed by key sha256:$fingerprint (--require-signature key.pub" out.txt
[ "$(sqlite3 .sparkc/state.db "SELECT approved_by FROM approvals WHERE step = ''")" = "sha256:$fingerprint" ] ||
  fail "the journal does not name the approving key"

cp -a .sparkc pristine
# Whoever can write state.db rewrites what the undo runs.
sqlite3 .sparkc/state.db "UPDATE runs SET plan = replace(plan, 'undone-b', 'pwned')"
expect_exit 4 "rollback of a tampered plan" -- "$SPARKC" rollback
expect_grep "run 1 holds a plan that is not the one it ran" err.txt
expect_exit 4 "status of a tampered plan" -- "$SPARKC" status
expect_no_file pwned

# A forger who also recomputes the digest: only the signature tells.
python3 - <<'PY'
import hashlib, json, sqlite3
db = sqlite3.connect(".sparkc/state.db")
plan = json.loads(db.execute("SELECT plan FROM runs WHERE id = 1").fetchone()[0])
del plan["digest"]
digest = "sha256:" + hashlib.sha256(json.dumps(plan, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
plan["digest"] = digest
db.execute("UPDATE runs SET plan = ?, digest = ? WHERE id = 1", (json.dumps(plan, separators=(",", ":")), digest))
db.commit()
PY
expect_exit 1 "rollback --require-signature of a re-hashed plan" -- "$SPARKC" rollback --require-signature key.pub
expect_grep "error\[E0904\]: run 1 was not applied from a plan signed with \`key.pub\`" err.txt
expect_no_file pwned

rm -rf .sparkc && cp -a pristine .sparkc
expect_exit 1 "rollback with another key" -- "$SPARKC" rollback --require-signature other.pub
expect_grep "E0904" err.txt
expect_exit 0 "rollback with the key that signed it" -- "$SPARKC" rollback --require-signature key.pub
expect_file undone-a
expect_file undone-b

# A run applied without a signature cannot be rolled back with one required.
expect_exit 0 "apply unsigned" -- "$SPARKC" apply spec.spark --state unsigned
expect_exit 1 "rollback --require-signature of an unsigned run" -- "$SPARKC" rollback --state unsigned --require-signature key.pub
expect_grep "no signature in its journal verifies" err.txt

# verify --require-signature checks the plan file like apply.
"$SPARKC" plan spec.spark -o unsigned.yaml 2>/dev/null
expect_exit 1 "verify an unsigned plan file" -- "$SPARKC" verify unsigned.yaml --state unsigned --require-signature key.pub
expect_grep "E0904" err.txt
expect_exit 0 "verify the signed plan file" -- "$SPARKC" verify plan.yaml --state unsigned --require-signature key.pub
finish
