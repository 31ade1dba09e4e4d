# Probes against a peer that trickles one byte every half second (a TLS
# record that never ends): the step's timeout bounds the whole probe, and a
# second SIGINT abandons a probe in flight instead of waiting for it.
source "$(dirname "$0")/lib.sh" "$@"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > trickle.py <<'PY'
import socket, sys, threading, time
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", int(sys.argv[1])))
server.listen(8)
def trickle(conn):
    try:
        # A handshake record of 16 KiB, one byte every half second.
        for byte in b"\x16\x03\x03\x40\x00" + b"\x02" * 16384:
            conn.send(bytes([byte]))
            time.sleep(0.5)
    except OSError:
        pass
while True:
    conn, _ = server.accept()
    threading.Thread(target=trickle, args=(conn,), daemon=True).start()
PY
python3 trickle.py "$PORT" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break; sleep 0.1; done

# probe_spec FILE TIMEOUT: a step whose check asks the trickling peer.
probe_spec() {
  cat > "$1" <<SPEC
step probe {
  do      = exec("true")
  check   = tls.cert("127.0.0.1:$PORT").verified
  timeout = $2
  undo    = none
}
SPEC
}
probe_spec bounded.spark "2 s"
start=$(date +%s)
expect_exit 3 "a check against a trickling peer fails at the timeout" -- timeout 60 "$SPARKC" apply bounded.spark --state bounded
elapsed=$(( $(date +%s) - start ))
[ "$elapsed" -le 15 ] || fail "the probe took ${elapsed}s with a 2 s timeout"
expect_grep "TLS handshake with 127.0.0.1:$PORT: no answer within the timeout" out.txt

probe_spec waits.spark "10 min"
"$SPARKC" apply waits.spark --state waits >waits.txt 2>&1 &
runner=$!
sleep 1
kill -INT $runner
sleep 0.3
alive $runner || fail "one SIGINT ended the runner before its check"
kill -INT $runner
for _ in $(seq 100); do alive $runner || break; sleep 0.1; done
if alive $runner; then
  fail "a second SIGINT did not abandon the probe"
  kill -9 $runner
fi
wait $runner
code=$?
[ "$code" = 4 ] || fail "an abandoned check exits $code, expected 4: $(cat waits.txt)"
expect_grep "its check was abandoned; a resumed run checks it again" waits.txt
expect_grep "interrupted: no new step started" waits.txt
[ "$(sqlite3 waits/state.db "SELECT status FROM steps WHERE step = 'probe'")" = running ] ||
  fail "the abandoned step is not left running"
finish
