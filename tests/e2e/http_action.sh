# http.request as an action against a server this test starts on 127.0.0.1:
# method, headers (one a secret), body, expected status, a failing request,
# and a dry run that shows the secret by reference only.
source "$(dirname "$0")/lib.sh" "$@"

cat > server.py <<'PY'
import http.server, json, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        with open("requests.log", "a") as log:
            log.write(json.dumps({"method": self.command, "path": self.path, "body": body,
                                  "auth": self.headers.get("Authorization"),
                                  "type": self.headers.get("Content-Type")}) + "\n")
        status = 500 if self.path == "/fail" else 201 if self.command == "POST" else 204
        self.send_response(status)
        payload = b"backend exploded" if status == 500 else b""
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
    do_GET = do_POST = do_PUT = do_DELETE = handle_any
    def log_message(self, *args): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
start_http_server server.py

cat > spec.spark <<SPEC
secret token = env("API_TOKEN")
const api = "http://127.0.0.1:$PORT"
step register {
  do   = http.request("POST", "\${api}/items") {
    headers = { "Content-Type" = "application/json", Authorization = token },
    body    = "{\"name\": \"spark\"}",
    expect  = 201
  }
  undo = http.request("DELETE", "\${api}/items/spark")
}
step announce { after = [register]; do = http.request("PUT", "\${api}/status") { body = "ready" }; undo = none }
SPEC
export API_TOKEN="Bearer s3cr3t-t0ken"

expect_exit 0 "dry run" -- "$SPARKC" apply spec.spark --dry-run
expect_grep "register: http POST http://127.0.0.1:$PORT/items  \[Authorization=<secret env:API_TOKEN>, Content-Type=application/json, body='{\"name\": \"spark\"}'\]" out.txt
grep -q s3cr3t out.txt && fail "the dry run shows the secret's value"
[ -e requests.log ] && fail "the dry run sent a request"

expect_exit 0 "apply" -- "$SPARKC" apply spec.spark
python3 - <<'PY' || fail "requests the server saw"
import json
log = [json.loads(l) for l in open("requests.log")]
assert log[0] == {"method": "POST", "path": "/items", "body": '{"name": "spark"}',
                  "auth": "Bearer s3cr3t-t0ken", "type": "application/json"}, log[0]
assert log[1]["method"] == "PUT" and log[1]["body"] == "ready", log[1]
PY

expect_exit 0 "rollback sends the inverse request" -- "$SPARKC" rollback
tail -1 requests.log | grep -q '"method": "DELETE", "path": "/items/spark"' || fail "no DELETE on rollback"

# A status other than the expected one fails the step, with the body.
cat > fail.spark <<SPEC
step call { do = http.request("POST", "http://127.0.0.1:$PORT/fail"); undo = none; retries = 1 }
SPEC
expect_exit 3 "a 500 fails the step" -- "$SPARKC" apply fail.spark --state fail-state
expect_grep "FAIL   call  POST http://127.0.0.1:$PORT/fail: status 500, expected 2xx" out.txt
expect_grep "| backend exploded" out.txt
[ "$(grep -c '"/fail"' requests.log)" = 2 ] || fail "retries = 1 should send the request twice"
finish
