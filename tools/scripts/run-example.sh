#!/usr/bin/env bash
# The README's main job: check, plan and apply the example spec, then show
# the journal. Runs in build/example-run so the repository stays clean.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
sparkc="$root/build/tools/sparkc/sparkc"
spec="$root/specs/example/example.spark"
run="$root/build/example-run"
rm -rf "$run" && mkdir -p "$run" && cd "$run"
step() { echo; echo "\$ sparkc $*"; "$sparkc" "$@"; }
step check "$spec"
step plan "$spec" -o plan.yaml
step apply plan.yaml -j 2
step status
echo
echo "The plan is $run/plan.yaml; the journal is $run/.sparkc/state.db."
echo "Undo it with: (cd $run && $sparkc rollback)"
