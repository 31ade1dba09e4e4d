# Step outputs: a value taken from one step's result feeds later steps'
# argv, env and checks. The runner is SIGKILLed between producer and
# consumer: the resumed run gets the journaled value and the producer does
# not run again. A value derived from a secret is journaled sealed, never in
# clear, and redacted everywhere; a failed conversion fails the producer
# with the output's name and the text it read.
source "$(dirname "$0")/lib.sh" "$@"

cat > spec.spark <<'SPEC'
step find_leader {
  do = shell("echo run >> producer.log; printf '{\"leader\": {\"name\": \"node2\"}, \"members\": [\"node1\", \"node2\"], \"n\": \"3\"}\n\n'")
  undo = none
  outputs = { leader = json(stdout).leader.name, count = int(json(stdout).n), second = json(stdout).members[1] }
}
step snapshot {
  after = [find_leader]
  do = exec("sh", "-c", "touch started; sleep 2; echo \"$1 $2 $3 $LEADER\" > consumer.out", "x",
            find_leader.outputs.leader, "n=${find_leader.outputs.count}", find_leader.outputs.second) {
    env = { LEADER = find_leader.outputs.leader }
  }
  undo = exec("rm", "-f", "consumer.out")
  check = find_leader.outputs.count == 3 and file.exists("consumer.out")
}
SPEC
expect_exit 0 "plan" -- "$SPARKC" plan spec.spark -o plan.yaml
expect_grep 'from: "json(stdout).leader.name"' plan.yaml
expect_grep '- find_leader.leader' plan.yaml

expect_exit 0 "dry run" -- "$SPARKC" apply --dry-run plan.yaml
expect_grep "'<output find_leader.leader>' 'n=<output find_leader.count>'" out.txt
expect_grep "check: <output find_leader.count> == 3" out.txt
expect_grep "undo: exec rm -f consumer.out" out.txt
# The dry run's command lines paste back into a shell: the producer's shell
# script, quotes and all, runs as written.
line=$(grep " find_leader: shell " out.txt | sed 's/.* find_leader: shell //')
[ "$(eval "sh -c $line" 2>&1 | head -1)" = '{"leader": {"name": "node2"}, "members": ["node1", "node2"], "n": "3"}' ] ||
  fail "the dry run's shell line does not paste back: $line"
rm -f producer.log

"$SPARKC" apply plan.yaml >run1.log 2>&1 &
runner=$!
for _ in $(seq 100); do [ -e started ] && break; sleep 0.05; done
[ -e started ] || fail "the consumer never started"
kill -9 $runner
wait $runner 2>/dev/null
expect_no_file consumer.out
expect_exit 0 "resume after SIGKILL" -- "$SPARKC" apply plan.yaml
[ "$(cat consumer.out)" = "node2 n=3 node2 node2" ] || fail "consumer got '$(cat consumer.out)'"
[ "$(wc -l < producer.log)" = 1 ] || fail "the producer ran $(wc -l < producer.log) times"
[ "$(sqlite3 .sparkc/state.db "select value from outputs where step = 'find_leader' and name = 'count'")" = 3 ] ||
  fail "count is not journaled"
expect_exit 0 "verify evaluates checks with the journaled outputs" -- "$SPARKC" verify plan.yaml
expect_grep "ok     snapshot" out.txt
expect_exit 0 "rollback uses the journaled outputs" -- "$SPARKC" rollback
expect_no_file consumer.out

# A producer killed mid-step runs again, even with a check: only its action
# gives its outputs.
rm -rf .sparkc producer.log started
cat > slow.spark <<'SPEC'
step p {
  do = shell("echo run >> producer.log; touch started; sleep 2; echo value")
  undo = none
  check = file.exists("producer.log")
  outputs = { v = stdout }
}
step c { after = [p]; do = exec("sh", "-c", "echo $1 > c.out", "x", p.outputs.v); undo = none }
SPEC
"$SPARKC" plan slow.spark -o slow.yaml >/dev/null 2>&1 || fail "plan slow"
"$SPARKC" apply slow.yaml >run2.log 2>&1 &
runner=$!
for _ in $(seq 100); do [ -e started ] && break; sleep 0.05; done
kill -9 $runner
wait $runner 2>/dev/null
expect_exit 0 "resume a producer killed mid-step" -- "$SPARKC" apply slow.yaml
[ "$(cat c.out)" = value ] || fail "c got '$(cat c.out)'"
[ "$(wc -l < producer.log)" = 2 ] || fail "the killed producer ran $(wc -l < producer.log) times, expected 2"

# A conversion that fails fails the producer, naming the output and the text.
rm -rf .sparkc
cat > parse.spark <<'SPEC'
step p { do = exec("echo", "abc"); undo = none; outputs = { count = int(stdout) } }
step c { after = [p]; do = exec("echo", "${p.outputs.count}"); undo = none }
SPEC
"$SPARKC" plan parse.spark -o parse.yaml >/dev/null 2>&1 || fail "plan parse"
expect_exit 3 "a failed conversion" -- "$SPARKC" apply parse.yaml
expect_grep 'output `count` (int(stdout)): `int` cannot convert this: expected an integer, found "abc"' out.txt

# Secret-derived outputs.
rm -rf .sparkc
export TOKEN=s3cr3t-token-value
cat > secret.spark <<'SPEC'
step login {
  do = exec("sh", "-c", "echo session-$TOKEN") { env = { TOKEN = env("TOKEN") } }
  undo = none
  outputs = { session = stdout }
}
step use {
  after = [login]
  do = exec("sh", "-c", "printf %s \"$S\" > used") { env = { S = login.outputs.session } }
  undo = none
  check = login.outputs.session == "wrong"
}
SPEC
expect_exit 0 "plan with a secret output" -- "$SPARKC" plan secret.spark -o secret.yaml
expect_grep "secret: true" secret.yaml
expect_exit 2 "no state key" -- "$SPARKC" apply secret.yaml
expect_grep "SPARKC_STATE_KEY" err.txt
expect_exit 3 "apply with the key" -- env SPARKC_STATE_KEY=key-one-0123456789 "$SPARKC" apply secret.yaml --report report.json
[ "$(cat used)" = session-s3cr3t-token-value ] || fail "the consumer got '$(cat used)'"
rm used
expect_grep 'check failed: output("login", "session") == "wrong" is false: "\*\*\*" == "wrong"' out.txt
for f in out.txt err.txt report.json .sparkc/*; do
  if grep -a -q "s3cr3t" "$f"; then fail "the secret is in $f"; fi
done
expect_grep "sealed:v1:" <(sqlite3 .sparkc/state.db "select value from outputs")
expect_exit 4 "a rollback with another key cannot open it" -- env SPARKC_STATE_KEY=key-two-0123456789 "$SPARKC" rollback
expect_grep "does not open with this SPARKC_STATE_KEY" err.txt

# Outputs in a request's URL, header and body, and outputs taken from a
# request's status and body.
cat > server.py <<'PY'
import http.server, json, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        with open("requests.log", "a") as log:
            log.write(json.dumps({"path": self.path, "body": body, "region": self.headers.get("X-Region")}) + "\n")
        payload = json.dumps({"id": 41 + len(body)}).encode()
        self.send_response(201)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
    def log_message(self, *args): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
start_http_server server.py
rm -rf .sparkc
cat > http.spark <<SPEC
step where { do = exec("echo", "http://127.0.0.1:$PORT,eu-1"); undo = none
  outputs = { base = split(stdout, ",")[0], region = split(stdout, ",")[1] } }
step create {
  after = [where]
  do = http.request("POST", "\${where.outputs.base}/items/\${where.outputs.region}") {
    headers = { "X-Region" = where.outputs.region }, body = where.outputs.region, expect = 201
  }
  undo = none
  outputs = { id = int(json(body).id), code = status }
}
step note { after = [create]; do = exec("sh", "-c", "echo \$1 \$2 > created", "x", create.outputs.id, "\${create.outputs.code}"); undo = none }
SPEC
expect_exit 0 "plan with http outputs" -- "$SPARKC" plan http.spark -o http.yaml
expect_exit 0 "apply with http outputs" -- "$SPARKC" apply http.yaml
expect_grep '"path": "/items/eu-1", "body": "eu-1", "region": "eu-1"' requests.log
[ "$(cat created)" = "45 201" ] || fail "record got '$(cat created)'"

# Refused at compile time: a secret output in argv, a use not after its producer.
cat > leak.spark <<'SPEC'
step login { do = exec("sh", "-c", "echo $T") { env = { T = env("TOKEN") } }; undo = none; outputs = { s = stdout } }
step leak { after = [login]; do = exec("echo", login.outputs.s); undo = none }
step early { do = exec("echo", "${login.outputs.s}") { env = { X = login.outputs.s } }; undo = none }
SPEC
expect_exit 1 "compile errors" -- "$SPARKC" check leak.spark
expect_grep 'error\[E0403\]: step `leak` passes `login.outputs.s` as an argument, and that output is a secret' err.txt
expect_grep 'error\[E0306\]: step `early` uses `login.outputs.s`, but it does not run after `login`' err.txt
finish
