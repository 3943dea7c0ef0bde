#!/bin/sh
# The man page against the program: every long option some --help lists is
# in docs/lrscope.1 and every option the man page names is one some --help
# lists; the subcommands agree; the page renders without warnings.
. "$(dirname "$0")/lib.inc"
page="$(dirname "$0")/../../docs/lrscope.1"

# The subcommands, as main() names them when refusing an unknown one.
"$LRSCOPE" no-such-command 2>"$E2E_TMP/sub" >/dev/null
subs=$(sed -n 's/.*use \(.*\) (see.*/\1/p' "$E2E_TMP/sub" | sed 's/,\| or / /g')
check "main names its subcommands" test -n "$subs"
for s in $subs; do
    expect_status 0 "lrscope $s --help works" "$LRSCOPE" $s --help
    check "man page has 'lrscope $s'" grep -q "^\.B lrscope $(echo $s | sed 's/-/\\\\-/g')\$" "$page"
done
check "man page names no other subcommand" test \
    "$(sed -n 's/^\.B lrscope \(.*\)$/\1/p' "$page" | sed 's/\\-/-/g' | sort -u | tr '\n' ' ')" = \
    "$(printf '%s\n' $subs | sort | tr '\n' ' ')"

long_opts() { grep -oE -- '--[a-z][a-z0-9-]*[a-z0-9]' | sort -u; }
{ "$LRSCOPE" --help; for s in $subs; do "$LRSCOPE" $s --help; done; } | long_opts > "$E2E_TMP/help"
sed 's/\\-/-/g' "$page" | long_opts > "$E2E_TMP/man"
check "--help lists options" test "$(wc -l < "$E2E_TMP/help")" -gt 40
for o in $(comm -23 "$E2E_TMP/help" "$E2E_TMP/man"); do fail "$o is in --help but not in the man page"; done
for o in $(comm -13 "$E2E_TMP/help" "$E2E_TMP/man"); do fail "$o is in the man page but in no --help"; done

if command -v groff >/dev/null 2>&1; then
    groff -man -Tutf8 -ww -z "$page" 2>"$E2E_TMP/groff"
    check "the man page renders without warnings" test ! -s "$E2E_TMP/groff"
    sed 's/^/    /' "$E2E_TMP/groff" | head -5
fi

finish
