# Shared helpers for the end-to-end tests: sourced, not run.
# Usage in a test: source "$(dirname "$0")/lib.sh" "$@"
set -u
SPARKC=$(realpath "$1")
ROOT=$(realpath "$2")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sparkc-e2e.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
FAILURES=0

fail() { echo "FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }

# expect_exit CODE DESCRIPTION -- COMMAND...: runs COMMAND, output in out.txt/err.txt.
expect_exit() {
  local want=$1 what=$2
  shift 3
  "$@" >out.txt 2>err.txt
  local got=$?
  if [ "$got" != "$want" ]; then
    fail "$what: exit $got, expected $want"
    sed 's/^/  stdout: /' out.txt >&2
    sed 's/^/  stderr: /' err.txt >&2
  fi
}

expect_file() { [ -e "$1" ] || fail "expected $1 to exist"; }
expect_no_file() { [ ! -e "$1" ] || fail "expected $1 to be gone"; }
expect_grep() { grep -q -- "$1" "$2" || { fail "expected '$1' in $2"; sed 's/^/  /' "$2" >&2; }; }

# start_postgres PORT: a PostgreSQL 15 server on 127.0.0.1:PORT for this
# test, stopped when it exits. Sets PASSWORD (not exported: the steps'
# environment must not hold it) and URL; psql_q SQL queries it, with the
# schema `sparkc` first on the search path. False if it did not start.
start_postgres() {
  PG_PORT=$1
  PASSWORD="e2e-$RANDOM-$RANDOM"
  URL="postgres://postgres:$PASSWORD@127.0.0.1:$PG_PORT/postgres"
  trap '"$ROOT/specs/spec-to-proof-local/bin/pg" stop "$WORK/pgdata" >/dev/null 2>&1; rm -rf "$WORK"' EXIT
  chmod 755 "$WORK"  # the server runs as `postgres` when the tests run as root
  STP_PG_PASSWORD=$PASSWORD "$ROOT/specs/spec-to-proof-local/bin/pg" start "$WORK/pgdata" "$PG_PORT"
}
psql_q() {
  PGPASSWORD=$PASSWORD PGOPTIONS="-c search_path=sparkc,public" psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc "$1"
}

# alive PID: the process exists and is not a zombie (an orphan's zombie
# stays until whoever adopted it reaps it).
alive() {
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
  [ -n "$state" ] && [ "$state" != Z ]
}

# rehash_plan FILE: recomputes the digest of a JSON plan, as a forger who
# edited it would (sparkc's digest: SHA-256 of the compact canonical JSON).
rehash_plan() {
  python3 - "$1" <<'PY'
import hashlib, json, sys
plan = json.load(open(sys.argv[1]))
del plan["digest"]
body = json.dumps(plan, separators=(",", ":"), ensure_ascii=False)
plan["digest"] = "sha256:" + hashlib.sha256(body.encode()).hexdigest()
json.dump(plan, open(sys.argv[1], "w"), indent=2)
PY
}

# start_http_server SCRIPT: runs the Python server SCRIPT on a free port of
# 127.0.0.1 for this test, stopped when it exits; sets PORT once it accepts.
start_http_server() {
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  python3 "$1" "$PORT" &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break; sleep 0.1; done
}

finish() {
  if [ "$FAILURES" -gt 0 ]; then
    echo "$FAILURES failure(s)" >&2
    exit 1
  fi
  echo "ok"
}
