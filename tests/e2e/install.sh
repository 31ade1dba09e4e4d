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
finish
