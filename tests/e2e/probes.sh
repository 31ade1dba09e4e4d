# Network probes against servers this test starts on 127.0.0.1: http.get via
# libcurl, tls.cert via OpenSSL (a certificate from the test's own CA, and the
# same server seen without that CA, an expired certificate, one from an
# unknown CA), tcp.open; in checks and runtime invariants.
source "$(dirname "$0")/lib.sh" "$@"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
HTTP_PORT=$(free_port)
TLS_PORT=$(free_port)
OLD_PORT=$(free_port)
ROGUE_PORT=$(free_port)
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
# Expired yesterday, from the same CA.
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out old.pem -days -1 -extfile san.ext 2>/dev/null
openssl s_server -accept "$OLD_PORT" -cert old.pem -key srv.key -www -quiet >/dev/null 2>&1 &
PIDS+=($!)
# Valid dates, but from a CA nobody trusts.
openssl req -x509 -newkey rsa:2048 -nodes -keyout rogue.key -out rogue.pem -days 2 -subj "/CN=rogue CA" 2>/dev/null
openssl x509 -req -in srv.csr -CA rogue.pem -CAkey rogue.key -CAcreateserial -out rsrv.pem -days 30 -extfile san.ext 2>/dev/null
openssl s_server -accept "$ROGUE_PORT" -cert rsrv.pem -key srv.key -www -quiet >/dev/null 2>&1 &
PIDS+=($!)

for _ in $(seq 50); do
  up=0
  for port in "$HTTP_PORT" "$TLS_PORT" "$OLD_PORT" "$ROGUE_PORT"; do
    (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && up=$((up + 1))
  done
  [ "$up" = 4 ] && break
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

# The expired and the rogue certificate are read, but do not verify.
cat > certs.spark <<SPEC
step inspect {
  do    = noop
  undo  = none
  check = not tls.cert("127.0.0.1:$OLD_PORT").verified and tls.cert("127.0.0.1:$OLD_PORT").days_left < 0 and
          not tls.cert("127.0.0.1:$ROGUE_PORT").verified and tls.cert("127.0.0.1:$ROGUE_PORT").issuer contains "rogue CA" and
          tls.cert("127.0.0.1:$ROGUE_PORT").days_left >= 28 and
          tls.cert("127.0.0.1:$OLD_PORT").error == "certificate has expired" and
          tls.cert("127.0.0.1:$ROGUE_PORT").error contains "local issuer certificate"
}
invariant old_valid   { tls.cert("127.0.0.1:$OLD_PORT").verified }
invariant rogue_valid { tls.cert("127.0.0.1:$ROGUE_PORT").verified }
SPEC
expect_exit 0 "apply: expired and unknown-CA certificates are seen as such" -- \
  "$SPARKC" apply certs.spark --state certs-state
expect_exit 5 "verify: an expired certificate and an unknown CA are drift" -- \
  "$SPARKC" verify certs.spark --state certs-state
expect_grep "DRIFT  invariant old_valid" out.txt
expect_grep "DRIFT  invariant rogue_valid" out.txt

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
