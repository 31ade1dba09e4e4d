# The README's main flow on the example spec: check, plan, apply, rollback.
source "$(dirname "$0")/lib.sh" "$@"

expect_exit 0 "check" -- "$SPARKC" check "$ROOT/specs/example/example.spark"
expect_exit 0 "check as SARIF, nothing found" -- "$SPARKC" check --format sarif "$ROOT/specs/example/example.spark"
python3 -c 'import json,sys; r=json.load(open("out.txt"))["runs"][0]; assert r["results"] == [] and r["tool"]["driver"]["rules"] == []' ||
  fail "a clean check is SARIF without results"
# SARIF as code scanning reads it: every result names a rule of the run by id
# and index, locations are percent-encoded relative URIs with 1-based regions.
mkdir -p "odd dir"
printf 'step a { after = [b]; do = noop; undo = none }\nstep a { do = noop; undo = none }\n' >"odd dir/bad#1.spark"
expect_exit 1 "check as SARIF" -- "$SPARKC" check --format sarif "odd dir/bad#1.spark"
python3 - <<'PY' || fail "SARIF output is not what code scanning expects"
import json
log = json.load(open("out.txt"))
assert log["version"] == "2.1.0" and len(log["runs"]) == 1
run = log["runs"][0]
rules = run["tool"]["driver"]["rules"]
assert run["tool"]["driver"]["name"] == "sparkc" and run["columnKind"] == "unicodeCodePoints"
assert [r["id"] for r in rules] == ["E0101", "E0102"], rules
assert all(r["shortDescription"]["text"] and r["fullDescription"]["text"] for r in rules)
results = run["results"]
assert [r["ruleId"] for r in results] == ["E0102", "E0101"], results
for r in results:
    assert rules[r["ruleIndex"]]["id"] == r["ruleId"] and r["level"] == "error" and r["message"]["text"]
    for loc in r["locations"] + r.get("relatedLocations", []):
        art = loc["physicalLocation"]["artifactLocation"]
        assert art["uri"] == "odd%20dir/bad%231.spark" and art["uriBaseId"] == "%SRCROOT%", art
        reg = loc["physicalLocation"]["region"]
        assert 1 <= reg["startLine"] <= reg["endLine"] and reg["startColumn"] >= 1
assert "did you mean `a`?" in results[0]["message"]["text"]
assert results[1]["relatedLocations"][0]["message"]["text"].startswith("first declared here")
PY
expect_exit 0 "plan" -- "$SPARKC" plan "$ROOT/specs/example/example.spark" -o plan.yaml
expect_exit 0 "dry run" -- "$SPARKC" apply plan.yaml --dry-run
expect_grep "proven: it ends within" out.txt
expect_grep "^  +1 s         backup: exec cp" out.txt
expect_no_file work
expect_exit 0 "apply" -- "$SPARKC" apply plan.yaml -j 2
[ "$(cat work/current/app.conf)" = "listen = 8080" ] || fail "the configuration did not move"
expect_exit 0 "status" -- "$SPARKC" status
expect_grep "succeeded          switch_over" out.txt
expect_exit 0 "verify after apply" -- "$SPARKC" verify plan.yaml
expect_grep "5 of 5 checks hold" out.txt
expect_grep "ok     invariant config_served" out.txt
rm work/app.conf.bak
expect_exit 5 "verify reports drift" -- "$SPARKC" verify plan.yaml
expect_grep "DRIFT  backup" out.txt
cp work/legacy/app.conf work/app.conf.bak
rm work/current
expect_exit 5 "verify evaluates runtime invariants" -- "$SPARKC" verify plan.yaml
expect_grep "DRIFT  invariant config_served" out.txt
ln -s new work/current
expect_exit 0 "rollback" -- "$SPARKC" rollback
expect_no_file work/new
expect_no_file work/legacy
expect_exit 0 "explain" -- "$SPARKC" explain E0301
expect_grep "cycle" out.txt
finish
