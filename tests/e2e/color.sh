# Colour: on a terminal (a pseudo-terminal from script(1)) for diagnostics
# and step states; off in pipes and files, with NO_COLOR, with TERM=dumb and
# with --color never; forced with --color always; never inside JSON.
source "$(dirname "$0")/lib.sh" "$@"

cat > bad.spark <<'SPEC'
step s { do = exce("true"); undo = none }
SPEC
cat > ok.spark <<'SPEC'
step s { do = exec("true"); undo = none }
SPEC
ESC=$'\033'
on_tty() {  # on_tty FILE COMMAND...: COMMAND on a pseudo-terminal, its output in FILE
  local out=$1
  shift
  TERM=xterm script -qec "$(printf '%q ' "$@")" /dev/null > "$out" 2>&1
}

on_tty tty.txt "$SPARKC" check bad.spark
grep -q "${ESC}\[1;31merror\[E0102\]" tty.txt || { fail "no colour on a terminal"; cat -v tty.txt >&2; }
on_tty nocolor.txt env NO_COLOR=1 "$SPARKC" check bad.spark
grep -q "$ESC" nocolor.txt && fail "colour despite NO_COLOR"
on_tty dumb.txt env TERM=dumb "$SPARKC" check bad.spark
grep -q "$ESC" dumb.txt && fail "colour on a dumb terminal"
on_tty never.txt "$SPARKC" check bad.spark --color never
grep -q "$ESC" never.txt && fail "colour despite --color never"
grep -q "error\[E0102\]" never.txt || fail "no diagnostic without colour"

expect_exit 1 "check into a pipe" -- "$SPARKC" check bad.spark
grep -q "$ESC" err.txt && fail "colour in a pipe"
expect_exit 1 "check --color always" -- "$SPARKC" --color always check bad.spark
grep -q "${ESC}\[1;31merror\[E0102\]" err.txt || fail "--color always did not colour"
grep -q "${ESC}\[32mhelp${ESC}\[0m: did you mean" err.txt || fail "--color always: the help is not coloured"

expect_exit 0 "apply --color always" -- "$SPARKC" apply ok.spark --color always --state a
grep -q "${ESC}\[32mok    ${ESC}\[0m s" out.txt || { fail "a step's state is not coloured"; cat -v out.txt >&2; }
expect_exit 0 "apply --format json --color always" -- "$SPARKC" apply ok.spark --format json --color always --state b
grep -q "$ESC" out.txt && fail "colour inside JSON"
python3 -c 'import json,sys; [json.loads(l) for l in open("out.txt")]' || fail "the JSON stream does not parse"
finish
