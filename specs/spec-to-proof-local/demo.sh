#!/usr/bin/env bash
# The local Spec-to-Proof migration, end to end, in a fresh directory:
# seed the legacy side, then check, plan, apply (approving the retirement
# gate from an approvals file), verify and show the status. With --fault,
# the restore fails and sparkc rolls back: the legacy side keeps serving.
#
#   specs/spec-to-proof-local/demo.sh [--fault] [WORK_DIR]
# SPARKC names the binary (default: build/tools/sparkc/sparkc).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
sparkc=$(realpath "${SPARKC:-$root/build/tools/sparkc/sparkc}")
fault=""
[ "${1:-}" = "--fault" ] && { fault=restore; shift; }
work=${1:-$(mktemp -d "${TMPDIR:-/tmp}/stp-demo.XXXXXX")}
mkdir -p "$work" && chmod 755 "$work" && cd "$work" || exit 2
# As root, the database servers run as `postgres`, who must reach this directory.
if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$work"; then
  echo "demo: the postgres user cannot enter $work; use a directory under one it can (e.g. /tmp)" >&2
  exit 2
fi
ln -sfn "$here/bin" bin
export STP_PG_PASSWORD=${STP_PG_PASSWORD:-demo-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')}
spec="$here/spec-to-proof-local.spark"
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

say "bin/seed-legacy"
bin/seed-legacy || exit 1
say "sparkc check $spec"
"$sparkc" check "$spec" || exit 1
say "sparkc plan $spec -o plan.yaml"
"$sparkc" plan "$spec" -o plan.yaml || exit 1
printf 'approvals:\n  - step: retire_legacy\n    by: dba\n    note: demo run\n' > approvals.yaml
if [ -n "$fault" ]; then
  say "STP_FAULT=$fault sparkc apply plan.yaml -j 2 --approvals approvals.yaml"
  STP_FAULT=$fault "$sparkc" apply plan.yaml -j 2 --approvals approvals.yaml --progress plain
  code=$?
  say "bin/client   # the legacy side still serves"
  bin/client
else
  say "sparkc apply plan.yaml -j 2 --approvals approvals.yaml"
  "$sparkc" apply plan.yaml -j 2 --approvals approvals.yaml --progress plain
  code=$?
  if [ $code = 0 ]; then
    say "sparkc verify plan.yaml"
    "$sparkc" verify plan.yaml
    code=$?
    say "bin/client   # the application now reads the new side"
    bin/client
  fi
fi
say "sparkc status"
"$sparkc" status
echo
echo "working directory: $work (stop its servers with: cd $work && bin/stop-all)"
exit $code
