# GPU conformance through the real binary, with nvidia-smi replaced by a
# fake that replays tests/fixtures/nvidia-smi: `require`, `check`, runtime
# invariants and `verify` over std.gpu.conforms and gpu.devices(); a driver
# older than declared, MIG enabled, nvidia-smi missing, failing and hung.
source "$(dirname "$0")/lib.sh" "$@"

FIXTURES="$ROOT/tests/fixtures/nvidia-smi"
mkdir bin
ln -s "$ROOT/tests/support/fake-nvidia-smi" bin/nvidia-smi
export PATH="$WORK/bin:$PATH"
smi() { export NVIDIA_SMI_FIXTURE="$FIXTURES/$1"; }

cat > spark.spark <<'SPEC'
import std.gpu

hardware spark {
  gpu    = { model = "H100", count = 8, memory = std.gpu.model("H100").memory }
  driver = v550.54.15
  cuda   = v12.4
}

require gpus "the node's GPUs are Spark's" { std.gpu.conforms(spark) }

step burn_in {
  do    = exec("true")
  undo  = none
  check = std.gpu.conforms(spark) and len(gpu.devices()) == spark.gpu.count
}

invariant hopper "every GPU is Hopper or newer" { gpu.devices()[0].compute_capability >= v9.0 }
SPEC

expect_exit 0 "check" -- "$SPARKC" check spark.spark
expect_exit 0 "plan" -- "$SPARKC" plan spark.spark -o plan.yaml
expect_grep 'gpu.conforms(hardware = \\"spark\\", model = \\"H100\\", names = \[\\"NVIDIA H100 80GB HBM3\\"' plan.yaml
expect_grep 'driver = v550.54.15, cuda = v12.4, min_driver = v550.54.14)' plan.yaml

# A node with an older driver: the precondition is false, every mismatch is
# named with the declared and the found value, nothing starts, no run.
smi h100x8-driver-535
expect_exit 8 "apply on an older driver" -- "$SPARKC" apply plan.yaml
expect_grep "FALSE  require gpus" out.txt
expect_grep "declared driver v550.54.15, found v535.104.05 on GPUs 0-7" out.txt
expect_grep "driver v535.104.05 is older than v550.54.14, the minimum for CUDA v12.4 on GPUs 0-7" out.txt
expect_grep "declared CUDA v12.4, the driver supports CUDA up to v12.2 on GPUs 0-7" out.txt
expect_exit 0 "status after a refused apply" -- "$SPARKC" status
grep -q "run 1" out.txt && fail "a refused apply recorded a run"

# No nvidia-smi at all, and one that cannot reach the driver: the probe
# "cannot be evaluated", with nvidia-smi's own words.
PATH="/usr/bin:/bin" expect_exit 8 "apply without nvidia-smi" -- "$SPARKC" apply plan.yaml
expect_grep "FALSE  require gpus.*cannot be evaluated" out.txt
expect_grep "nvidia-smi is not on PATH" out.txt
smi no-driver
expect_exit 8 "apply without a driver" -- "$SPARKC" apply plan.yaml
expect_grep "cannot be evaluated: gpu.devices(): .* failed (exit code 9): NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver" out.txt

# The declared node: apply and verify hold.
smi h100x8
expect_exit 0 "apply on a conforming node" -- "$SPARKC" apply plan.yaml
expect_grep "ok     require gpus" out.txt
expect_exit 0 "verify on a conforming node" -- "$SPARKC" verify plan.yaml
expect_grep "2 of 2 checks hold" out.txt

# The driver changed under the run: verify reports drift, naming it; a
# driver that stopped answering is reported as such, and counted apart.
smi h100x8-driver-535
expect_exit 5 "verify after a driver downgrade" -- "$SPARKC" verify plan.yaml
expect_grep "DRIFT  burn_in: the GPUs of this machine do not conform to \`spark\`; declared driver v550.54.15, found v535.104.05" out.txt
smi no-nvml
expect_exit 5 "verify without NVML" -- "$SPARKC" verify plan.yaml
expect_grep "DRIFT  burn_in: cannot be evaluated: .*couldn't find libnvidia-ml.so" out.txt
expect_grep "0 of 2 checks hold, 2 could not be evaluated" out.txt

# One board on a node declared with eight.
smi h100x1
expect_exit 5 "verify on a node with one GPU" -- "$SPARKC" verify plan.yaml
expect_grep "declared 8 GPUs per node, found 1" out.txt

# MIG: declared off, found on for two of four A100s.
cat > rig.spark <<'SPEC'
import std.gpu
hardware rig {
  gpu    = { model = "A100-80GB", count = 4, memory = std.gpu.model("A100-80GB").memory, mig = false }
  driver = v550.54.15
}
step probe {
  do    = exec("true")
  undo  = none
  check = std.gpu.conforms(rig)
}
SPEC
smi a100x4-mig
expect_exit 3 "apply with MIG enabled" -- "$SPARKC" apply rig.spark --state rig-state
expect_grep "declared MIG disabled, found it enabled on GPUs 0, 1" out.txt

# nvidia-smi that never answers: the check's timeout ends it.
mkdir hung && touch hung/hang
sed 's/^  check = /  timeout = 2 s\n  check = /' rig.spark > hung.spark
export NVIDIA_SMI_FIXTURE="$WORK/hung"
expect_exit 3 "apply with a hung nvidia-smi" -- "$SPARKC" apply hung.spark --state hung-state
expect_grep "did not answer" out.txt

# Declarations the compiler refuses before anything runs.
cat > bad.spark <<'SPEC'
import std.gpu
hardware rig { gpu = { model = "H300", count = 8, memory = 80 GB } }
hardware laptop { }
require a "x" { std.gpu.conforms(rig) }
require b "y" { std.gpu.conforms(laptop) }
SPEC
expect_exit 1 "unknown GPU model" -- "$SPARKC" check bad.spark
expect_grep 'the GPU model "H300" of `rig` is not in std.gpu' err.txt
expect_grep 'did you mean "H100"?' err.txt
expect_grep '`laptop` declares no GPU to compare' err.txt
finish
