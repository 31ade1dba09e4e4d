# `--state postgres://...`: the journal, the lock and resume in PostgreSQL
# (a server started here on 127.0.0.1): apply, status, the already-applied
# shortcut, rollback, a second runner refused while the first holds the
# lock, a killed runner resumed, a runner that loses its session stopped,
# the store's own tests, and the URL's password in no output, journal or
# step environment.
source "$(dirname "$0")/lib.sh" "$@"
PORT=25499
start_postgres $PORT || { fail "PostgreSQL did not start"; finish; }

cat > spec.spark <<'SPEC'
step one   { do = shell("echo one >> ran; env > env.txt"); undo = shell("echo undo-one >> ran") }
step two   { after = [one]; do = shell("echo two >> ran"); undo = shell("echo undo-two >> ran") }
SPEC
expect_exit 0 "apply with the journal in PostgreSQL" -- "$SPARKC" apply spec.spark --state "$URL" --progress plain
expect_grep "apply succeeded: 2 steps" out.txt
[ "$(psql_q "select count(*) from sparkc.steps where status = 'succeeded'")" = 2 ] ||
  fail "PostgreSQL should hold two succeeded steps"
expect_exit 0 "status reads it" -- "$SPARKC" status --state "$URL"
expect_grep "run 1: succeeded" out.txt
expect_exit 0 "a second apply of the same plan" -- "$SPARKC" apply spec.spark --state "$URL"
expect_grep "run 1 already applied this plan" out.txt
expect_exit 0 "rollback" -- "$SPARKC" rollback --state "$URL"
expect_grep "rollback complete" out.txt
[ "$(tr '\n' ' ' < ran)" = "one two undo-two undo-one " ] || fail "ran: $(cat ran)"
grep -q "SPARKC_STEP=postgres://postgres:\*\*\*@127.0.0.1:$PORT/postgres#1#one" env.txt ||
  fail "the step's tag should name the store without its password: $(grep SPARKC_STEP env.txt)"

# A second runner is refused while the first holds the lock; the first,
# killed, leaves it to the next, which resumes its run.
cat > slow.spark <<'SPEC'
step first  { do = shell("echo first >> slow-ran"); undo = none }
step second { after = [first]; do = shell("echo second >> slow-ran; [ -e resumed ] || sleep 30; touch second.done"); undo = none; check = file.exists("second.done") }
step third  { after = [second]; do = shell("echo third >> slow-ran"); undo = none }
SPEC
"$SPARKC" apply slow.spark --state "$URL" --new-run >slow.txt 2>&1 &
runner=$!
for _ in $(seq 200); do grep -q second slow-ran 2>/dev/null && break; sleep 0.05; done
expect_exit 7 "a second runner while the first runs" -- "$SPARKC" apply slow.spark --state "$URL"
expect_grep "is locked by pid $runner on" err.txt
kill -9 $runner; wait $runner 2>/dev/null
[ "$(psql_q "select status from sparkc.steps where run_id = 2 and step = 'second'")" = running ] ||
  fail "the journal should say second is running"
touch resumed
expect_exit 0 "the killed run resumes" -- "$SPARKC" apply slow.spark --state "$URL"
expect_grep "resuming run 2: 1 of 3 steps already succeeded" out.txt
[ "$(tr '\n' ' ' < slow-ran)" = "first second second third " ] || fail "slow-ran: $(cat slow-ran)"

# A holder that died on this machine while the server still has its
# session (as just after a SIGKILL): the next runner waits for the server
# to let it go instead of failing with exit 7.
sh -c 'exit 0' & dead=$!; wait $dead
psql_q "select pg_advisory_lock(126875781737315);
        update sparkc.lock_holder set holder = 'pid $dead on $(hostname) since then';
        select pg_sleep(1.5)" >/dev/null &
holder=$!
sleep 0.5
echo 'step only { do = noop; undo = none }' > wait.spark
expect_exit 0 "a runner waits for a dead local holder's lock" -- "$SPARKC" apply wait.spark --state "$URL"
wait $holder

# The lock and the journal share one session: a runner whose session is
# lost (the lock goes with it) stops at its next record instead of writing
# on while another runner may take the lock.
cat > lost.spark <<'SPEC'
step hold  { do = shell("echo hold >> lost-ran; sleep 3"); undo = none }
step later { after = [hold]; do = shell("echo later >> lost-ran"); undo = none }
SPEC
"$SPARKC" apply lost.spark --state "$URL" --new-run >lost.txt 2>&1 &
runner=$!
for _ in $(seq 200); do grep -q hold lost-ran 2>/dev/null && break; sleep 0.05; done
sessions=$(psql_q "select count(*) from pg_stat_activity where application_name = 'sparkc'")
[ "$sessions" = 1 ] || fail "a runner should hold one session, holds $sessions"
psql_q "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'sparkc'" >/dev/null
wait $runner
code=$?
[ $code = 4 ] || fail "the runner that lost its session exited $code, expected 4"
grep -q "error\[E0903\]" lost.txt || { fail "no E0903 for the lost session"; cat lost.txt >&2; }
grep -q later lost-ran && fail "the runner went on after losing its lock"
expect_exit 0 "another runner resumes the run" -- "$SPARKC" apply lost.spark --state "$URL"
[ "$(tr '\n' ' ' < lost-ran)" = "hold hold later " ] || fail "lost-ran: $(cat lost-ran)"

# A password given as ?password= is hidden too, in messages and in the
# steps' SPARKC_STEP; a URL libpq cannot read is refused without its text.
QURL="postgres://postgres@127.0.0.1:$PORT/postgres?password=$PASSWORD"
echo 'step tagged { do = shell("env > query-env.txt"); undo = none }' > query.spark
expect_exit 0 "apply with ?password=" -- "$SPARKC" apply query.spark --state "$QURL" --new-run
grep -q "SPARKC_STEP=postgres://postgres:\*\*\*@127.0.0.1:$PORT/postgres#" query-env.txt ||
  fail "the tag of a ?password= URL: $(grep SPARKC_STEP query-env.txt)"
expect_exit 4 "a URL libpq cannot read" -- "$SPARKC" status --state "postgres://postgres:$PASSWORD%zz@127.0.0.1:$PORT/postgres"
expect_grep "is not a PostgreSQL URL libpq can read" err.txt
expect_exit 4 "a password with an unencoded @" -- "$SPARKC" status --state "postgres://postgres:$PASSWORD@x@127.0.0.1:$PORT/postgres"
expect_grep "write \`@\` in a password as %40" err.txt

# A check detail cut inside a UTF-8 character, and bytes that are not
# UTF-8: PostgreSQL takes the journal entry, and the rollback happens.
cat > utf8.spark <<'SPEC'
step first { do = exec("true"); undo = shell("touch utf8-undone") }
step cut {
  after = [first]
  do    = exec("true")
  check = exec("sh", "-c", "printf 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\377aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\303\\251'").stdout == "x"
  undo  = none
}
SPEC
expect_exit 3 "a check detail that is not clean UTF-8" -- "$SPARKC" apply utf8.spark --state "$URL" --new-run
expect_grep "rollback complete" out.txt
expect_file utf8-undone
[ -n "$(psql_q "select 1 from sparkc.transitions where step = 'cut' and status = 'failed'")" ] ||
  fail "the failed check is not in the journal"

# A stopped backend: statements wait at most SPARKC_JOURNAL_TIMEOUT_MS; the
# run stops, resumable, and resumes once the server answers again.
cat > frozen.spark <<'SPEC'
step a { do = shell("sleep 1"); undo = none }
step b { after = [a]; do = shell("echo b >> frozen-ran"); undo = none }
SPEC
SPARKC_JOURNAL_TIMEOUT_MS=2000 "$SPARKC" apply frozen.spark --state "$URL" --new-run >frozen.txt 2>&1 &
runner=$!
sleep 0.5
backend=$(psql_q "select pid from pg_stat_activity where application_name = 'sparkc'")
[ -n "$backend" ] && kill -STOP $backend
start=$(date +%s)
for _ in $(seq 300); do alive $runner || break; sleep 0.1; done
alive $runner && { fail "apply hangs on a stopped backend"; kill -9 $runner; }
wait $runner
code=$?
[ $code = 4 ] || fail "apply on a stopped backend exited $code, expected 4: $(cat frozen.txt)"
grep -q "PostgreSQL did not answer within 2000 ms" frozen.txt || { fail "no timeout message"; cat frozen.txt >&2; }
[ -e frozen-ran ] && fail "a step ran whose start the journal could not record"
[ -n "$backend" ] && kill -CONT $backend
sleep 1
expect_exit 0 "the run resumes once the server answers" -- "$SPARKC" apply frozen.spark --state "$URL"
expect_file frozen-ran

# Each attempt's output is journaled there too, bytes that are not UTF-8
# (which PostgreSQL refuses) replaced; runs, status --run and logs read it.
cat > printing.spark <<'SPEC'
step talk { do = shell("echo said; printf 'bad \\377 byte\\n' >&2"); undo = none }
SPEC
expect_exit 0 "apply of a step that prints" -- "$SPARKC" apply printing.spark --state "$URL" --new-run
expect_exit 0 "logs from PostgreSQL" -- "$SPARKC" logs talk --state "$URL"
expect_grep "^said$" out.txt
expect_grep $'^bad \xef\xbf\xbd byte$' out.txt
last=$(psql_q "select max(id) from sparkc.runs")
expect_exit 0 "runs from PostgreSQL" -- "$SPARKC" runs --state "$URL"
expect_grep "^$last *succeeded" out.txt
expect_grep "^1 *rolled_back" out.txt
expect_exit 0 "status of run 1 from PostgreSQL" -- "$SPARKC" status --run 1 --state "$URL"
expect_grep "run 1: rolled_back" out.txt

# The store's own tests, against this server.
UNIT="$(dirname "$SPARKC")/../../tests/sparkc_unit_tests"
expect_exit 0 "the store's tests on PostgreSQL" -- env SPARKC_TEST_POSTGRES="$URL" "$UNIT" "[postgres]"

expect_exit 4 "a wrong password is E0903" -- "$SPARKC" status --state "postgres://postgres:wrong-pw@127.0.0.1:$PORT/postgres"
expect_grep "error\[E0903\]: cannot connect to \`postgres://postgres:\*\*\*@127.0.0.1:$PORT/postgres\`" err.txt
expect_grep "password authentication failed" err.txt
grep -q "wrong-pw" err.txt && fail "the error shows the password"
expect_exit 4 "no server is E0903" -- "$SPARKC" apply spec.spark --state "postgres://u:p@127.0.0.1:1/db"
expect_grep "Connection refused" err.txt
grep -lq "$PASSWORD" ./*.txt && fail "the password was written to an output: $(grep -l "$PASSWORD" ./*.txt)"
[ -z "$(psql_q "select 1 from sparkc.transitions t, sparkc.runs r where t.error like '%$PASSWORD%' or r.plan like '%$PASSWORD%' limit 1")" ] ||
  fail "the password is in the journal"
finish
