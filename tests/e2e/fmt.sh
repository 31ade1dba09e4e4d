# `sparkc fmt`: rewrites files in place (keeping their permissions), walks
# directories, reads stdin, and with --check changes nothing and says where.
# A file that does not parse, or cannot be read, is reported and left alone.
source "$(dirname "$0")/lib.sh" "$@"

mkdir -p specs/nested
printf 'step a {\n    do=noop\n  undo = none // kept\n}\n' > specs/a.spark
printf 'step b { do = noop; undo = none }\n' > specs/nested/b.spark
printf 'step c {\n  do = exec("x"\n}\n' > broken.spark
printf 'step a {\n  do = noop\n  undo = none // kept\n}\n' > expected.spark
chmod 0640 specs/a.spark
cp specs/a.spark original.spark
cp broken.spark broken.orig

expect_exit 1 "--check finds the unformatted file" -- "$SPARKC" fmt --check specs
expect_grep "specs/a.spark:2: not formatted" err.txt
expect_grep 'found:    "    do=noop"' err.txt
expect_grep 'expected: "  do = noop"' err.txt
expect_grep "1 file not formatted" err.txt
cmp -s specs/a.spark original.spark || fail "--check changed the file"

expect_exit 0 "fmt --stdout prints and changes nothing" -- "$SPARKC" fmt --stdout specs/a.spark
cmp -s out.txt expected.spark || fail "--stdout printed something else: $(cat out.txt)"
cmp -s specs/a.spark original.spark || fail "--stdout changed the file"

expect_exit 0 "fmt - formats stdin to stdout" -- sh -c "\"$SPARKC\" fmt - < original.spark"
cmp -s out.txt expected.spark || fail "stdin was formatted as: $(cat out.txt)"

expect_exit 1 "fmt --check - checks stdin" -- sh -c "\"$SPARKC\" fmt --check - < original.spark"
expect_grep "<stdin>:2: not formatted" err.txt
[ -s out.txt ] && fail "--check printed the formatted text"
expect_exit 0 "fmt --check - passes formatted stdin" -- sh -c "\"$SPARKC\" fmt --check - < expected.spark"

expect_exit 0 "fmt rewrites the unformatted file of a directory" -- "$SPARKC" fmt specs
expect_grep "formatted specs/a.spark" err.txt
grep -q nested err.txt && fail "the formatted file b.spark was reported as changed"
cmp -s specs/a.spark expected.spark || fail "specs/a.spark is now: $(cat specs/a.spark)"
[ "$(stat -c %a specs/a.spark)" = 640 ] || fail "permissions changed to $(stat -c %a specs/a.spark)"
[ -z "$(find specs -name '*.tmp')" ] || fail "a temporary file was left behind"
expect_exit 0 "--check passes once formatted" -- "$SPARKC" fmt --check specs

expect_exit 1 "a file that does not parse is reported" -- "$SPARKC" fmt broken.spark specs/a.spark
expect_grep "broken.spark:3:1: error\[E0004\]" err.txt
cmp -s broken.spark broken.orig || fail "the file that does not parse was changed"

expect_exit 1 "a missing file is an error" -- "$SPARKC" fmt missing.spark
expect_grep "cannot read \`missing.spark\`" err.txt
expect_exit 2 "fmt needs a file" -- "$SPARKC" fmt
finish
