#!/usr/bin/env bash
# The GPU check of issue 24, on a lent machine with an NVIDIA GPU, from the
# bundle tools/device/bundle.sh made: captures nvidia-smi fixtures, then
# check, apply and verify of a spec whose `require` and `check` are
# std.gpu.conforms against the real board, and a declaration that differs.
# Everything it shows lands in $OUT (the device tool brings it back).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${OUT:-/tmp/gpu-check}
mkdir -p "$out"
export LD_LIBRARY_PATH="$root/.device/lib"
export SPARKC_PATH="$root/.device/stdlib"
sparkc="$root/.device/bin/sparkc"
exec > >(tee "$out/log.txt") 2>&1
nvidia-smi -L
bash "$root/tests/fixtures/nvidia-smi/capture.sh" "$out/fixture"
cat "$out/fixture/CAPTURED"

# What to declare, from the capture: the real board, its count and driver.
name=$(awk -F', ' 'NR == 1 {print $3}' "$out/fixture/query.csv")
count=$(grep -c . "$out/fixture/query.csv")
driver=$(awk -F', ' 'NR == 1 {print $5}' "$out/fixture/query.csv")
case "$name" in
  *H200*NVL*) model=H200-NVL ;; *H200*) model=H200 ;; *H100*NVL*) model=H100-NVL ;; *H100*) model=H100 ;;
  *A100*80GB*) model=A100-80GB ;; *A100*) model=A100-40GB ;; *) model=unknown ;;
esac
echo "board: $name x $count, driver $driver, catalogue model $model"
work=$(mktemp -d)
cd "$work"
spec() {
  cat > "$1.spark" <<SPEC
import std.gpu
hardware node {
  gpu    = { model = "$model", count = $count, memory = std.gpu.model("$model").memory }
  driver = v$2
  cuda   = v12.4
}
require gpus "this machine's GPUs are the declared ones" { std.gpu.conforms(node) }
step probe {
  do    = exec("nvidia-smi", "-L")
  undo  = none
  check = std.gpu.conforms(node) and len(gpu.devices()) == $count and gpu.devices()[0].compute_capability >= v8.0
}
SPEC
}
spec match "$driver"
spec drift "1.2.3"
t() { local s=$(date +%s%N); "$@"; local rc=$?; echo "-> exit $rc in $(( ($(date +%s%N) - s) / 1000000 )) ms"; }
t "$sparkc" check match.spark
t "$sparkc" plan match.spark -o match.yaml
t "$sparkc" apply match.yaml --state match-state
t "$sparkc" verify match.yaml --state match-state
t "$sparkc" apply drift.spark --state drift-state
cp match.yaml "$out/"
echo "gpu check finished"
