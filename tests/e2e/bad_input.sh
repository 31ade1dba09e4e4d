# Hostile input gets a clear error and a non-zero exit, never a crash.
source "$(dirname "$0")/lib.sh" "$@"

check_clean_error() {  # FILE DESCRIPTION
  "$SPARKC" check "$1" >out.txt 2>err.txt
  local code=$?
  if [ "$code" -ne 1 ]; then fail "$2: exit $code, expected 1"; sed 's/^/  /' err.txt >&2; fi
  grep -q "error\[E" err.txt || fail "$2: no diagnostic code in: $(head -c 300 err.txt)"
  grep -qiE "terminate|abort|segmentation|stack" err.txt && fail "$2: crash output: $(head -c 300 err.txt)"
}

: > empty.spark
check_clean_error empty.spark "an empty file"
expect_grep "declares no steps" err.txt

head -c 4096 /dev/urandom > random.spark
check_clean_error random.spark "random bytes"

printf 'step caf\xe9 { do = noop; undo = none }\n' > latin1.spark
check_clean_error latin1.spark "invalid UTF-8"
expect_grep "latin1.spark:1:9" err.txt

printf 'step a { do = noop;\0 undo = none }\n' > nul.spark
check_clean_error nul.spark "a NUL byte"
expect_grep "NUL byte" err.txt

python3 -c "print('step a { do = noop; undo = none; check = ' + '(' * 10000 + 'true' + ')' * 10000 + ' }')" > deep.spark
check_clean_error deep.spark "10,000-deep nesting"
expect_grep "E0005" err.txt

python3 -c "print('step a { do = noop; undo = none; check = ' + ' + '.join(['1'] * 20000) + ' == 1 }')" > long.spark
"$SPARKC" check long.spark >out.txt 2>err.txt
code=$?
[ "$code" -eq 1 ] || fail "a 20,000-term sum: exit $code"

expect_exit 1 "a missing file" -- "$SPARKC" plan missing.spark
expect_grep "cannot read \`missing.spark\`" err.txt

mkdir dir.spark
expect_exit 1 "a directory" -- "$SPARKC" plan dir.spark

expect_exit 2 "an unknown command" -- "$SPARKC" frobnicate
expect_exit 2 "no command" -- "$SPARKC"
expect_exit 2 "a bad option value" -- "$SPARKC" apply x.spark -j 0

printf 'step a { do = noop; undo = none }\n' > ok.spark
mkdir locked && chmod 000 locked
if [ "$(id -u)" != 0 ]; then
  expect_exit 4 "an unreadable state directory" -- "$SPARKC" apply ok.spark --state locked/state
  expect_grep "error\[E0903\]" err.txt
fi
touch not_a_dir
expect_exit 4 "a state path that is a file" -- "$SPARKC" apply ok.spark --state not_a_dir/state
expect_grep "error\[E0903\]" err.txt
chmod 755 locked

head -c 2000 /dev/urandom > garbage.yaml
expect_exit 1 "a garbage plan" -- "$SPARKC" apply garbage.yaml
expect_grep "E0901" err.txt
# Found by the plan fuzzer: invalid UTF-8 inside a plan once aborted sparkc.
expect_exit 1 "a plan with invalid UTF-8" -- "$SPARKC" apply "$ROOT/tests/fuzz/regressions/plan-invalid-utf8"
expect_grep "E0901.*invalid UTF-8 at byte" err.txt
# A string literal over the 1 MiB limit.
python3 -c 'print("step s { do = exec(\"echo\", \"" + "x" * 1100000 + "\"); undo = none }")' > long.spark
expect_exit 1 "a string literal over 1 MiB" -- "$SPARKC" check long.spark
expect_grep "error\[E0010\]: this string is 1100000 bytes; the limit is 1048576 bytes" err.txt
# A fan-out over more instances than a plan may hold is refused before any is made.
python3 -c '
print("const items = [" + ",".join(str(i) for i in range(1000001)) + "]")
print("step s[i in items] { do = noop; undo = none }")' > many.spark
expect_exit 1 "a fan-out over 1,000,001 elements" -- "$SPARKC" check many.spark
expect_grep "error\[E0305\]: fan-out \`s\` would have 1000001 instances; a plan holds at most 1000000 steps" err.txt
finish
