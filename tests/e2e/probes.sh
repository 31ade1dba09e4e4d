# Network probes against servers this test starts on 127.0.0.1: http.get via
# libcurl, tls.cert via OpenSSL (a certificate from the test's own CA, and the
# same server seen without that CA), tcp.open; in checks and runtime invariants.
source "$(dirname "$0")/lib.sh" "$@"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
HTTP_PORT=$(free_port)
TLS_PORT=$(free_port)
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null; rm -rf "$WORK"' EXIT

mkdir www && echo "ok" > www/healthz
python3 -m http.server "$HTTP_PORT" --bind 127.0.0.1 --directory www >/dev/null 2>&1 &
PIDS+=($!)

openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=sparkc test CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' > san.ext
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 30 -extfile san.ext 2>/dev/null
openssl s_server -accept "$TLS_PORT" -cert srv.pem -key srv.key -www -quiet >/dev/null 2>&1 &
PIDS+=($!)

for _ in $(seq 50); do
  (exec 3<>/dev/tcp/127.0.0.1/"$HTTP_PORT") 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/"$TLS_PORT") 2>/dev/null && break
  sleep 0.1
done

cat > spec.spark <<SPEC
import std.checks
const base = "http://127.0.0.1:$HTTP_PORT"
step probe {
  do    = noop
  undo  = none
  check = http.get("\${base}/healthz").status == 200 and http.get("\${base}/healthz").body contains "ok" and
          tcp.open("127.0.0.1:$HTTP_PORT")
}
invariant healthy { std.checks.http_ok("http://127.0.0.1:$HTTP_PORT/healthz") }
invariant fast    { std.checks.http_fast("http://127.0.0.1:$HTTP_PORT/healthz", 5 s) }
invariant cert    { tls.cert("127.0.0.1:$TLS_PORT").verified and tls.cert("127.0.0.1:$TLS_PORT").days_left >= 28 }
invariant issuer  { tls.cert("127.0.0.1:$TLS_PORT").issuer contains "sparkc test CA" }
SPEC

export SPARKC_CA_FILE="$WORK/ca.pem"
expect_exit 0 "plan" -- "$SPARKC" plan spec.spark -o plan.yaml
expect_exit 0 "apply: http and tcp checks pass" -- "$SPARKC" apply plan.yaml
expect_exit 0 "verify: invariants hold with the test CA" -- "$SPARKC" verify plan.yaml
expect_grep "5 of 5 checks hold" out.txt

unset SPARKC_CA_FILE
expect_exit 5 "verify: an unknown CA does not verify" -- "$SPARKC" verify plan.yaml
expect_grep "DRIFT  invariant cert" out.txt
expect_grep "ok     invariant issuer" out.txt

export SPARKC_CA_FILE="$WORK/ca.pem"
kill "${PIDS[0]}"; wait "${PIDS[0]}" 2>/dev/null
expect_exit 5 "verify: the HTTP server is gone" -- "$SPARKC" verify plan.yaml
expect_grep "DRIFT  probe" out.txt
expect_grep "DRIFT  invariant healthy" out.txt
finish
