# Parameters: one spec, values from the command line, a YAML file or the
# environment, read with their type's units. The same values give the same
# plan digest whichever way they came; other values give another plan. A
# required parameter without a value, an unknown name and a wrong type are
# errors that say where; a plan file keeps the values it was built with.
source "$(dirname "$0")/lib.sh" "$@"

cat > spec.spark <<'SPEC'
enum Tier { nvme, hdd }
param window: duration = 30 min
param size: size
param tier: Tier = nvme
param cluster: string = "prod"
step reserve { do = exec("sh", "-c", "echo \"$@\" > reserved", "x", "${size}", "${window}", "${tier}", cluster); undo = none }
SPEC
expect_exit 1 "a required parameter without a value" -- "$SPARKC" check spec.spark
expect_grep 'error\[E0214\]: parameter `size` has no value' err.txt
expect_grep 'give it: --var size=VALUE, `size: VALUE` in a --var-file, or SPARKC_VAR_size=VALUE' err.txt

expect_exit 0 "plan from --var" -- "$SPARKC" plan spec.spark --var size=50GiB --var window=1h -o a.yaml
printf 'size: 50 GiB\nwindow: 60min\n' > vars.yaml
expect_exit 0 "plan from --var-file" -- "$SPARKC" plan spec.spark --var-file vars.yaml -o b.yaml
expect_exit 0 "plan from the environment" -- env SPARKC_VAR_size=53687091200B SPARKC_VAR_window=3600s "$SPARKC" plan spec.spark -o c.yaml
digest() { grep '^digest:' "$1"; }
[ "$(digest a.yaml)" = "$(digest b.yaml)" ] || fail "--var and --var-file give different plans"
[ "$(digest a.yaml)" = "$(digest c.yaml)" ] || fail "--var and the environment give different plans"
expect_grep 'size: "50 GiB"' a.yaml
expect_grep 'window: "1 h"' a.yaml
expect_exit 0 "the command line wins over the file" -- "$SPARKC" plan spec.spark --var-file vars.yaml --var size=10GiB -o d.yaml
[ "$(digest a.yaml)" != "$(digest d.yaml)" ] || fail "another value gave the same plan"
expect_grep 'size: "10 GiB"' d.yaml
"$SPARKC" diff a.yaml d.yaml > diff.txt
expect_grep '^~ param size$' diff.txt
expect_grep '^    value: 50 GiB -> 10 GiB$' diff.txt
# A changed argv reads as the command line, not as JSON.
expect_grep "^    do: exec sh -c 'echo \"\$@\" > reserved' x '50 GiB' '1 h' nvme prod -> exec sh -c" diff.txt

expect_exit 0 "apply the plan" -- "$SPARKC" apply a.yaml
[ "$(cat reserved)" = "50 GiB 1 h nvme prod" ] || fail "the step got '$(cat reserved)'"
expect_exit 2 "a plan file does not take --var" -- "$SPARKC" apply a.yaml --var size=1GiB
expect_grep "a plan file was built with its parameters' values" err.txt
# SPARKC_VAR_ in the environment does not touch a plan file.
expect_exit 0 "a plan file ignores SPARKC_VAR_" -- env SPARKC_VAR_size=1GiB "$SPARKC" apply a.yaml

expect_exit 1 "unknown and wrong values" -- "$SPARKC" check spec.spark --var sise=1GiB --var size=50GX --var tier=nvm --var window=30
expect_grep 'error\[E0215\]: `--var sise=1GiB`: the spec has no parameter `sise`' err.txt
expect_grep 'did you mean `size`?' err.txt
expect_grep 'parameter `size` (--var size=50GX): unknown unit `GX`' err.txt
expect_grep '`nvm` is not a member of enum `Tier` (nvme, hdd); did you mean `nvme`?' err.txt
expect_grep 'parameter `window` (--var window=30): expected a duration with its unit' err.txt
printf 'size: [1, 2]\n' > bad.yaml
expect_exit 2 "a var file that is not name: value" -- "$SPARKC" check spec.spark --var-file bad.yaml
expect_grep "bad.yaml:1: each entry is \`name: value\`" err.txt
finish
