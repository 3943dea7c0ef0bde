#!/bin/sh
# Bash completion (docs/lrscope.bash) as bash calls it: subcommands, the
# options each subcommand's --help lists, option values, run folders.
. "$(dirname "$0")/lib.inc"
script="$(cd "$(dirname "$0")/../.." && pwd)/docs/lrscope.bash"
prog=$(cd "$(dirname "$LRSCOPE")" && pwd)/$(basename "$LRSCOPE")

if ! command -v bash >/dev/null 2>&1; then
    fail "bash is needed to test the completion"; finish; exit
fi

# complete lrscope WORDS...: the completions bash would offer for the last
# word (the command word is the lrscope under test).
complete_words() {
    shift
    (cd "$E2E_TMP/cwd" && bash -c '
        source "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
        _lrscope
        printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$script" "$prog" "$@")
}
# offers DESCRIPTION EXPECTED WORDS...: the completions are exactly EXPECTED.
offers() {
    desc=$1 want=$2; shift 2
    got=$(complete_words "$@" | tr '\n' ' ' | sed 's/ $//')
    if [ "$got" = "$want" ]; then pass; else fail "$desc: got '$got', expected '$want'"; fi
}

mkdir -p "$E2E_TMP/cwd/runs/a-1cycle" "$E2E_TMP/cwd/runs/b-clr" "$E2E_TMP/cwd/runs/empty" \
    "$E2E_TMP/cwd/other"
touch "$E2E_TMP/cwd/runs/a-1cycle/metrics.csv" "$E2E_TMP/cwd/runs/b-clr/config"

offers "subcommands" "range-test" lrscope ra
# Every subcommand main() knows (it names them when refusing an unknown one).
subs=$("$prog" no-such-command 2>&1 | sed -n 's/.*use \(.*\) (see.*/\1/p' | sed 's/,\| or / /g')
offers "all subcommands" "$(printf '%s\n' $subs | sort | tr '\n' ' ' | sed 's/ $//')" lrscope ""
offers "model presets" "resnet:20 resnet:56" lrscope train --model res
offers "policies" "1cycle" lrscope train --policy 1c
offers "sgd forms" "caffe torch" lrscope train --sgd ""
offers "1cycle styles" "fastai" lrscope --style f
offers "panels, after a comma" "loss,acc" lrscope plot --panels loss,a
offers "run folders for export" "runs/a-1cycle runs/b-clr" lrscope export ""
offers "run folders for plot, by prefix" "runs/b-clr" lrscope plot runs/b
offers "export's options" "--fastai" lrscope export --f

# Options: exactly those --help lists, for the workbench and each subcommand.
for sub in "" $subs; do
    "$prog" $sub --help | grep -oE -- '--[a-z][a-z0-9-]*[a-z0-9]' | sort -u | tr '\n' ' ' |
        sed 's/ $//' > "$E2E_TMP/want"
    offers "options of 'lrscope $sub'" "$(cat "$E2E_TMP/want")" lrscope $sub --
done
offers "train has --sgd" "--sgd" lrscope train --sg

finish
