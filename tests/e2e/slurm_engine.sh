# `sparkc apply --engine slurm` on a real Slurm cluster of three nodes
# (slurmctld, three `slurmd -N nodeN`, munge, all on 127.0.0.1, started and
# stopped here) with the journal in PostgreSQL: a fan-out under
# `concurrency = 2` (the journal never shows more than two at once), a
# failure rolled back, a gate released by `sparkc approve`, a `sparkc step
# do` killed with SIGKILL and run again (the step succeeds once), a second
# submission refused with the holder named, --detach and `status --follow`,
# a cancel resumed, steps placed by their `slurm` block (a partition and a
# GPU, a node each), the plan's parallelism kept across jobs, a held job
# released without an approval, Ctrl-C of the attached submitter, and the
# undos of placed steps run where their steps ran. The store's password is
# in nothing Slurm keeps.
# SPARKC_E2E_PG_PORT and SPARKC_E2E_SLURM_PORT move it off its ports.
source "$(dirname "$0")/lib.sh" "$@"
if [ "$(id -u)" != 0 ]; then
  fail "the Slurm cluster runs as root (slurmd starts jobs as their submitter)"
  finish
fi
PORT=${SPARKC_E2E_PG_PORT:-25520}
start_postgres $PORT || { fail "PostgreSQL did not start"; finish; }
trap '"$ROOT/tests/support/slurm_cluster.sh" stop "$WORK/slurm" >/dev/null 2>&1;
      "$ROOT/specs/spec-to-proof-local/bin/pg" stop "$WORK/pgdata" >/dev/null 2>&1; rm -rf "$WORK"' EXIT
eval "$("$ROOT/tests/support/slurm_cluster.sh" start "$WORK/slurm" 3 "${SPARKC_E2E_SLURM_PORT:-26820}")" ||
  { fail "the Slurm cluster did not start"; cat "$WORK"/slurm/log/* >&2; finish; }
[ "$(sinfo -h -p debug -t idle -o %D)" = 3 ] || fail "three idle nodes expected: $(sinfo)"

# Steps journaled by step and status, in journal order.
journal() { psql_q "select t.step || ' ' || t.status from sparkc.transitions t where t.run_id = $1 order by t.id"; }
# The most steps matching $2 the journal of run $1 shows running at once.
most_at_once() {
  journal "$1" | awk -v pat="$2" '$1 ~ pat { if ($2 == "running") n++; else if ($2 == "succeeded" || $2 == "failed") n--; if (n > m) m = n } END { print m + 0 }'
}

# 1. A DAG with a fan-out under concurrency = 2.
cat > fan.spark <<'SPEC'
objective { parallelism = 4 }
step prep { do = shell("echo prep >> ran"); undo = shell("echo undo-prep >> ran") }
step roll[n in ["a", "b", "c", "d", "e"]] {
  after = [prep]
  concurrency = 2
  do = shell("echo roll-${n} >> ran; sleep 1")
  undo = shell("echo undo-roll-${n} >> ran")
}
step last { after = [roll]; do = shell("echo last >> ran"); undo = none }
SPEC
"$SPARKC" plan fan.spark -o fan.json --format json >/dev/null 2>&1 || fail "plan fan.spark"
expect_exit 0 "a fan-out on Slurm" -- "$SPARKC" apply fan.json --engine slurm --state "$URL"
expect_grep "run 1: submitted 4 Slurm jobs" out.txt
expect_grep "run 1 succeeded" out.txt
[ "$(grep -c '^roll-' ran)" = 5 ] || fail "five roll steps should have run once each: $(cat ran)"
[ "$(head -1 ran)" = prep ] && [ "$(tail -1 ran)" = last ] || fail "order: $(tr '\n' ' ' < ran)"
at_once=$(most_at_once 1 '^roll')
[ "$at_once" -le 2 ] || fail "the journal shows $at_once roll steps at once under concurrency = 2"
[ "$(psql_q "select status from sparkc.runs where id = 1")" = succeeded ] || fail "run 1 should be succeeded"
expect_exit 0 "the same plan again" -- "$SPARKC" apply fan.json --engine slurm --state "$URL"
expect_grep "already applied" out.txt

# 2. A failure: the dependents are cancelled, and every step that acted is
# undone, in reverse order, by the undo jobs the finish job submits.
rm -f ran
cat > fail.spark <<'SPEC'
step one   { do = shell("echo one >> ran"); undo = shell("echo undo-one >> ran") }
step side  { do = shell("echo side >> ran"); undo = shell("echo undo-side >> ran") }
step two   { after = [one]; do = shell("echo two >> ran; exit 3"); undo = shell("echo undo-two >> ran") }
step three { after = [two]; do = shell("echo three >> ran"); undo = shell("echo undo-three >> ran") }
SPEC
"$SPARKC" plan fail.spark -o fail.json --format json >/dev/null 2>&1 || fail "plan fail.spark"
expect_exit 3 "a failed step on Slurm is rolled back" -- "$SPARKC" apply fail.json --engine slurm --state "$URL"
expect_grep "failed and was rolled back" out.txt
grep -q three ran && fail "a step after the failed one ran: $(cat ran)"
for s in one side two; do grep -qx "undo-$s" ran || fail "undo-$s should have run: $(tr '\n' ' ' < ran)"; done
[ "$(grep -n undo-two ran | cut -d: -f1)" -lt "$(grep -n undo-one ran | cut -d: -f1)" ] ||
  fail "two is undone before one: $(tr '\n' ' ' < ran)"
[ "$(psql_q "select status from sparkc.runs where id = 2")" = rolled_back ] || fail "run 2 should be rolled_back"

# 3. A gate is a held job; --detach, `status --follow`, `sparkc approve`.
rm -f ran
cat > gate.spark <<'SPEC'
step before { do = shell("echo before >> ran"); undo = none }
gate go { after = [before]; prompt = "go?" }
step after_go { after = [go]; do = shell("echo after >> ran"); undo = none }
SPEC
"$SPARKC" plan gate.spark -o gate.json --format json >/dev/null 2>&1 || fail "plan gate.spark"
expect_exit 0 "--detach submits and returns" -- "$SPARKC" apply gate.json --engine slurm --state "$URL" --detach
expect_grep "sparkc status --follow" out.txt
"$SPARKC" status --follow --state "$URL" > follow.txt 2>&1 &
follower=$!
for _ in $(seq 200); do grep -q "sparkc approve go" follow.txt && break; sleep 0.1; done
expect_grep "its job is held: release it with" follow.txt
grep -q after ran && fail "a step after the gate ran before the approval"
# While jobs wait, Slurm keeps their scripts and environments in its state
# (and slurmdbd would, with job_env): the store's password is in none of
# it, nor in the jobs' output. The jobs read it from a file of mode 600.
slurm_state_files=$(find "$WORK/slurm/state" -name environment | wc -l)
[ "$slurm_state_files" -gt 0 ] || fail "Slurm should be keeping the waiting jobs' environments"
leaks=$(grep -rlF --exclude=pgpass --exclude-dir=pgdata -- "$PASSWORD" "$WORK" 2>/dev/null)
[ -z "$leaks" ] || fail "the store's password is in: $leaks"
pgpass=$(find "$WORK" -name pgpass | head -1)
[ -n "$pgpass" ] && [ "$(stat -c %a "$pgpass")" = 600 ] || fail "the jobs' password file should be of mode 600"
SPARKC_APPROVER=nova expect_exit 0 "approve" -- "$SPARKC" approve go --state "$URL" --note "rehearsal passed"
expect_grep "released Slurm job" out.txt
wait $follower
code=$?
[ $code = 0 ] || { fail "status --follow exited $code"; cat follow.txt >&2; }
grep -q "run 3 succeeded" follow.txt || { fail "the follower should see run 3 succeed"; cat follow.txt >&2; }
[ "$(psql_q "select approved_by || '|' || source from sparkc.approvals where run_id = 3 and step = 'go'")" = "nova|sparkc approve" ] ||
  fail "the approval should be journaled as nova's"

# 4. Two submissions: the second is refused with the holder named; a local
# apply too. Then a cancel, and the run resumed.
rm -f ran
cat > slow.spark <<'SPEC'
step quick { do = shell("echo quick >> ran"); undo = none }
step slow  { after = [quick]; do = shell("echo slow >> ran; [ -e resumed ] || sleep 60"); undo = none }
SPEC
"$SPARKC" plan slow.spark -o slow.json --format json >/dev/null 2>&1 || fail "plan slow.spark"
expect_exit 0 "a slow run, detached" -- "$SPARKC" apply slow.json --engine slurm --state "$URL" --detach
for _ in $(seq 300); do grep -q slow ran 2>/dev/null && break; sleep 0.1; done
expect_exit 7 "a second submission" -- "$SPARKC" apply slow.json --engine slurm --state "$URL"
expect_grep "in use by run 4's" err.txt
expect_grep "submitted by pid" err.txt
expect_exit 7 "a local apply meanwhile" -- "$SPARKC" apply slow.json --state "$URL"
expect_exit 0 "cancel" -- "$SPARKC" cancel --state "$URL"
expect_grep "run 4: cancelled its" out.txt
[ -z "$(squeue -h -n sparkc-r4)" ] || fail "the run's jobs should be gone: $(squeue)"
[ "$(psql_q "select status from sparkc.runs where id = 4")" = stopped ] || fail "run 4 should be stopped"
touch resumed
expect_exit 0 "the cancelled run resumes" -- "$SPARKC" apply slow.json --engine slurm --state "$URL"
expect_grep "resuming run 4: 1 of 2 steps already succeeded" out.txt
expect_grep "run 4 succeeded" out.txt
[ "$(grep -c quick ran)" = 1 ] || fail "quick had succeeded and must not run again: $(cat ran)"

# 5. `sparkc step do` killed with SIGKILL and run again: the step succeeds
# once; meanwhile a second invocation is refused, naming the holder.
cat > kill.spark <<'SPEC'
step k { do = shell("echo attempt >> k.log; [ -e again ] || sleep 60; touch k.done"); undo = none; check = file.exists("k.done") }
SPEC
"$SPARKC" plan kill.spark -o kill.json --format json >/dev/null 2>&1 || fail "plan kill.spark"
run=$("$SPARKC" step begin kill.json --state "$URL" 2>/dev/null)
[ "$run" = 5 ] || fail "step begin should print run 5, printed '$run'"
"$SPARKC" step do kill.json k --state "$URL" --run 5 >/dev/null 2>&1 &
victim=$!
for _ in $(seq 200); do [ -s k.log ] && break; sleep 0.05; done
expect_exit 7 "a second claim of the same step" -- "$SPARKC" step do kill.json k --state "$URL" --run 5
expect_grep "step \`k\` of run 5 is claimed by pid $victim" err.txt
kill -9 $victim; wait $victim 2>/dev/null
touch again
expect_exit 0 "the step run again" -- "$SPARKC" step do kill.json k --state "$URL" --run 5
expect_exit 0 "and once more" -- "$SPARKC" step do kill.json k --state "$URL" --run 5
expect_grep "already succeeded" out.txt
[ "$(psql_q "select count(*) from sparkc.transitions where run_id = 5 and status = 'succeeded'")" = 1 ] ||
  fail "k should have succeeded exactly once: $(journal 5 | tr '\n' ' ')"
expect_exit 0 "step finish concludes the run" -- "$SPARKC" step finish kill.json --state "$URL" --run 5
expect_grep "run 5 succeeded" out.txt

# 6. Placement and parallelism: `slurm = { partition, gres }` lands on the
# GPU node, `nodelist = n` on each named node, and with parallelism = 1 the
# journal never shows two steps running, though Slurm starts every job.
rm -f ran
cat > place.spark <<'SPEC'
objective { parallelism = 1 }
step gpu_step {
  do = shell("echo gpu $SLURMD_NODENAME gres=$SLURM_JOB_GPUS >> ran; sleep 0.5")
  undo = none
  slurm = { partition = "gpu", gres = "gpu:1" }
}
step pinned[n in ["node2", "node3"]] {
  do = shell("echo pinned-${n} $SLURMD_NODENAME >> ran; sleep 0.5")
  undo = none
  slurm = { nodelist = n }
}
step free { do = shell("echo free >> ran; sleep 0.5"); undo = none }
SPEC
"$SPARKC" plan place.spark -o place.json --format json >/dev/null 2>&1 || fail "plan place.spark"
expect_exit 0 "the Slurm dry run" -- "$SPARKC" apply place.json --engine slurm --dry-run
expect_grep "gpu_step .*sbatch .*--partition=gpu --gres=gpu:1" out.txt
expect_grep "pinned\[node2\] .*--nodelist=node2" out.txt
expect_exit 2 "the Slurm engine needs a store every node reaches" -- \
  "$SPARKC" apply place.json --engine slurm --state ./local-store
expect_grep "state must be a postgres:// URL (found \`./local-store\`)" err.txt
expect_exit 0 "the local dry run notes the placement it ignores" -- "$SPARKC" apply place.json --dry-run
expect_grep "slurm: partition=gpu gres=gpu:1 (ignored by the local engine" out.txt
expect_exit 0 "placed steps on Slurm" -- "$SPARKC" apply place.json --engine slurm --state "$URL"
expect_grep "run 6 succeeded" out.txt
grep -qx "gpu node1 gres=0" ran || fail "gpu_step should run on node1 with its GPU: $(cat ran)"
grep -qx "pinned-node2 node2" ran || fail "pinned[node2] should run on node2: $(cat ran)"
grep -qx "pinned-node3 node3" ran || fail "pinned[node3] should run on node3: $(cat ran)"
at_once=$(most_at_once 6 .)
[ "$at_once" = 1 ] || fail "parallelism = 1, but the journal shows $at_once steps at once: $(journal 6 | tr '\n' ' ')"

# 7. A held job released behind sparkc's back (`scontrol release`, no
# approval journaled): the step refuses to pass, its dependents never
# start, and the follower exits 6 as a local apply stopped at a gate does.
rm -f ran
cat > manual.spark <<'SPEC'
step by_hand { do = manual("swap the cable"); undo = none }
step after_hand { after = [by_hand]; do = shell("echo after >> ran"); undo = none }
SPEC
"$SPARKC" plan manual.spark -o manual.json --format json >/dev/null 2>&1 || fail "plan manual.spark"
expect_exit 0 "a manual step on Slurm, detached" -- "$SPARKC" apply manual.json --engine slurm --state "$URL" --detach
held=$(squeue -h -n sparkc-r7 -t PENDING -r -o '%i %r' | awk '$2 ~ /Held/ { print $1 }')
[ -n "$held" ] || fail "the manual step's job should be held: $(squeue -n sparkc-r7)"
scontrol release "$held"
expect_exit 6 "the follower of a run stopped at an unapproved step" -- "$SPARKC" status --follow --state "$URL"
expect_grep "run 7 stopped: a step waits for" out.txt
[ -e ran ] && fail "the step after the manual one ran: $(cat ran)"

# 8. Ctrl-C of the attached submitter cancels the run's jobs, as `sparkc
# cancel` does, and leaves the run resumable.
rm -f ran
cat > attached.spark <<'SPEC'
step a { do = shell("echo a >> ran; [ -e go_on ] || sleep 60"); undo = none; check = file.exists("go_on") }
step b { after = [a]; do = shell("echo b >> ran"); undo = none }
SPEC
"$SPARKC" plan attached.spark -o attached.json --format json >/dev/null 2>&1 || fail "plan attached.spark"
"$SPARKC" apply attached.json --engine slurm --state "$URL" --new-run > attached.txt 2>&1 &
submitter=$!
for _ in $(seq 300); do grep -qx a ran 2>/dev/null && break; sleep 0.1; done
kill -INT $submitter
wait $submitter
code=$?
[ $code = 4 ] || { fail "an interrupted submitter should exit 4, exited $code"; cat attached.txt >&2; }
expect_grep "interrupted: cancelling run 8's Slurm jobs" attached.txt
expect_grep "run 8: cancelled its" attached.txt
[ -z "$(squeue -h -n sparkc-r8)" ] || fail "run 8's jobs should be gone: $(squeue)"
[ "$(psql_q "select status from sparkc.runs where id = 8")" = stopped ] || fail "run 8 should be stopped"
touch go_on
expect_exit 0 "the interrupted run resumes" -- "$SPARKC" apply attached.json --engine slurm --state "$URL"
expect_grep "run 8 succeeded" out.txt
[ "$(grep -cx b ran)" = 1 ] || fail "b should have run once: $(cat ran)"

# 9. A failure's rollback: each undo is a job placed as its step was, so
# that it acts on the node its step acted on, in the rollback's order. An
# undo that fails stops the undos of what its step depends on; the run is
# rollback_failed, and `step finish --engine slurm` submits what is left
# again, placed, for `status --follow` to follow.
rm -f ran undo_ok
cat > placed_undo.spark <<'SPEC'
step base { do = shell("echo base >> ran"); undo = shell("echo undo-base >> ran") }
step on[n in ["node2", "node3"]] {
  after = [base]
  do = shell("echo on-${n} $SLURMD_NODENAME >> ran")
  undo = shell("[ ${n} = node2 ] || [ -e undo_ok ] || exit 1; echo undo-on-${n} $SLURMD_NODENAME >> ran")
  slurm = { nodelist = n }
}
step gpu {
  after = [base]
  do = shell("echo gpu $SLURMD_NODENAME >> ran")
  undo = shell("echo undo-gpu $SLURMD_NODENAME gres=$SLURM_JOB_GPUS >> ran")
  slurm = { partition = "gpu", gres = "gpu:1" }
}
step breaks { after = [on, gpu]; do = shell("exit 3"); undo = none }
SPEC
"$SPARKC" plan placed_undo.spark -o placed_undo.json --format json >/dev/null 2>&1 || fail "plan placed_undo.spark"
expect_exit 0 "the dry run says where undos run" -- "$SPARKC" apply placed_undo.json --engine slurm --dry-run
expect_grep "after a failure, submits an undo job per step that acted, placed as its step" out.txt
expect_exit 4 "an undo fails on Slurm" -- "$SPARKC" apply placed_undo.json --engine slurm --state "$URL" --new-run
expect_grep "run 9 failed and its rollback is incomplete" out.txt
grep -q undo-base ran && fail "base was undone while on[node3] is still applied: $(tr '\n' ' ' < ran)"
[ "$(psql_q "select status from sparkc.runs where id = 9")" = rollback_failed ] || fail "run 9 should be rollback_failed"
touch undo_ok
expect_exit 0 "the rest of the rollback submitted again" -- \
  "$SPARKC" step finish .sparkc-slurm/run-9.plan.json --run 9 --engine slurm --state "$URL"
expect_grep "rolling back 2 steps as Slurm jobs" out.txt
expect_exit 3 "the rollback followed to its end" -- "$SPARKC" status --follow --state "$URL"
expect_grep "run 9 failed and was rolled back" out.txt
for n in node2 node3; do
  grep -qx "on-$n $n" ran || fail "on[$n] should run on $n: $(tr '\n' ' ' < ran)"
  grep -qx "undo-on-$n $n" ran || fail "the undo of on[$n] should run on $n: $(tr '\n' ' ' < ran)"
done
grep -qx "undo-gpu node1 gres=0" ran || fail "the undo of gpu should run on the GPU node with its GPU: $(tr '\n' ' ' < ran)"
[ "$(tail -1 ran)" = undo-base ] || fail "base is undone last: $(tr '\n' ' ' < ran)"
[ "$(grep -c '^undo-' ran)" = 4 ] || fail "four undos, each once: $(tr '\n' ' ' < ran)"
[ "$(psql_q "select status from sparkc.runs where id = 9")" = rolled_back ] || fail "run 9 should be rolled_back"
[ -z "$(squeue -h -n sparkc-r9-undo,sparkc-r9-finish)" ] || fail "run 9's rollback jobs should be gone: $(squeue)"

finish
