# `cmake --install`: the installed binary reads the stdlib installed next to
# it, and one whose share/sparkc/stdlib is gone says so, instead of reading
# the source tree it was built from.
source "$(dirname "$0")/lib.sh" "$@"

BUILD=$(cd "$(dirname "$SPARKC")/../.." && pwd)
expect_exit 0 "cmake --install" -- cmake --install "$BUILD" --prefix "$WORK/prefix"
INSTALLED="$WORK/prefix/bin/sparkc"
expect_file "$WORK/prefix/share/sparkc/stdlib/gpu.spark"
cat > spec.spark <<'SPEC'
import std.gpu
step s { do = noop; undo = none; timeout = 1 min }
invariant driver { std.gpu.supports(v550.54.15, v12.4) }
SPEC
expect_exit 0 "the installed binary checks with its stdlib" -- "$INSTALLED" check spec.spark
rm -r "$WORK/prefix/share/sparkc/stdlib"
expect_exit 1 "an installed binary without its stdlib" -- "$INSTALLED" check spec.spark
expect_grep "cannot find module \`std.gpu\`" err.txt
expect_grep "no standard library is installed next to this sparkc" err.txt
expect_grep "help: reinstall sparkc" err.txt
grep -q "$ROOT/stdlib" err.txt && fail "the installed binary looked in the source tree"
printf 'step s { do = noop; undo = none }\n' > plain.spark
expect_exit 1 "an installed binary without its stdlib, no import" -- "$INSTALLED" check plain.spark
expect_grep "cannot find the standard library's \`prelude.spark\`" err.txt
expect_grep "no standard library is installed next to this sparkc" err.txt
expect_exit 0 "SPARKC_PATH serves instead" -- env SPARKC_PATH="$ROOT/stdlib" "$INSTALLED" check spec.spark

# Completions and the man page, generated from the command definitions, are
# installed where the shells and man look, and work there.
P="$WORK/prefix/share"
for f in bash-completion/completions/sparkc zsh/site-functions/_sparkc fish/vendor_completions.d/sparkc.fish \
         man/man1/sparkc.1; do
  expect_file "$P/$f"
done
complete_bash() {  # complete_bash WORD...: what bash offers for the last word
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _sparkc; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$P/bash-completion/completions/sparkc" "$@"
}
[ "$(complete_bash sparkc ap | tr '\n' ' ')" = "apply approve " ] || fail "bash: sparkc ap -> $(complete_bash sparkc ap)"
[ "$(complete_bash sparkc appl)" = apply ] || fail "bash: sparkc appl -> $(complete_bash sparkc appl)"
[ "$(complete_bash sparkc apply --format '' | tr '\n' ' ')" = "text json github " ] || fail "bash: apply --format"
complete_bash sparkc status --f | grep -qx -- --failed || fail "bash: status --f"
if command -v fish >/dev/null; then
  [ "$(fish -c "source $P/fish/vendor_completions.d/sparkc.fish; complete -C 'sparkc rep'" | cut -f1)" = report ] ||
    fail "fish: sparkc rep"
  fish -c "source $P/fish/vendor_completions.d/sparkc.fish; complete -C 'sparkc logs --'" | grep -q -- "--attempt" ||
    fail "fish: logs --attempt"
else
  fail "fish is not installed: run tools/scripts/install-deps.sh"
fi
if command -v zsh >/dev/null; then
  zsh -n "$P/zsh/site-functions/_sparkc" || fail "zsh: the completion does not parse"
  grep -q "'--format\[.*\]:value:(text json github)'" "$P/zsh/site-functions/_sparkc" || fail "zsh: apply --format"
else
  fail "zsh is not installed: run tools/scripts/install-deps.sh"
fi
MANWIDTH=100 man -l "$P/man/man1/sparkc.1" > man.txt 2> man.err || fail "man cannot read the page"
[ -s man.err ] && { fail "man warns"; cat man.err >&2; }
expect_grep "^       sparkc - a policy compiler and plan executor" man.txt
expect_grep "^   logs step$" man.txt
expect_grep "^       --format text|json|github$" man.txt
finish
