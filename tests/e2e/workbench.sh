#!/bin/sh
# The real workbench driven through tmux: keys in, screen text out.
# Launches on the generated data, waits for the range test's plots, starts
# 1cycle with the suggested bounds, edits the max LR by key and by :lr,
# restarts the cycle, types an invalid value, resizes the terminal to tiny
# and back, and quits; then checks the exit status and the run files.
. "$(dirname "$0")/lib.inc"

command -v tmux >/dev/null 2>&1 || { echo "  workbench.sh: tmux missing (make deps)"; exit 1; }
S="lrscope-e2e-$$"
BIN=$(cd "$(dirname "$LRSCOPE")" && pwd)/$(basename "$LRSCOPE")
cd "$E2E_TMP" || exit 1
tmux -f /dev/null new-session -d -s "$S" -x 120 -y 40 \
    "LANG=C.UTF-8 LC_ALL=C.UTF-8 '$BIN' --data synthetic --threads 1 --seed 3; echo \$? > status; sleep 5"
trap 'tmux kill-session -t "$S" 2>/dev/null; rm -rf "$E2E_TMP"' EXIT

screen() { tmux capture-pane -p -t "$S"; }
# wait_for TEXT SECONDS: polls the screen until TEXT shows.
wait_for() {
    i=0
    while [ "$i" -lt $(($2 * 10)) ]; do
        screen | grep -q -- "$1" && return 0
        sleep 0.1; i=$((i + 1))
    done
    echo "  (screen when '$1' did not show:)"; screen | sed 's/^/    | /'
    return 1
}
keys() { tmux send-keys -t "$S" "$@"; }

check "header shows the range test" wait_for "range test linear" 10
check "range test plots appear" wait_for "range test: loss" 5
check "range test ends with suggestions" wait_for "suggested lr" 30
braille=$(printf '\342[\240-\243]')   # UTF-8 lead bytes of U+2800..U+28FF
check "braille plots drawn" sh -c "tmux capture-pane -p -t '$S' | LC_ALL=C grep -q '$braille'"

keys ":iters 20000" Enter
check ":iters accepted" wait_for "next runs: 20000 iterations" 3
keys 1
check "1cycle starts" wait_for "RUNNING" 5
check "1cycle in the header" wait_for "1cycle smith" 3

before=$(screen | grep '^ lr ' | sed 's/  mom.*//')
keys "]"
check "] raises the max LR" wait_for "set\|-> " 3
after=$(screen | grep '^ lr ' | sed 's/  mom.*//')
check "status line bounds changed" test "$before" != "$after"

keys ":lr 0.05 0.5" Enter
check ":lr sets both bounds" wait_for "lr 0.05..0.5 " 3
keys R
check "R restarts the cycle" wait_for "cycle restarted at iteration" 3
keys ":lr 2 1" Enter
check "invalid :lr gives an inline error" wait_for "MIN <= MAX" 3
check "invalid :lr changes nothing" wait_for "lr 0.05..0.5 " 2
keys ":wd 3e-4" Enter
check ":wd applied" wait_for "weight decay 0.0001 -> 0.0003" 3
keys P
check "P writes the panels as a PNG" wait_for "wrote runs/.*panels.png" 5
check "the PNG is there" sh -c 'ls runs/*-1cycle/panels.png >/dev/null 2>&1'
keys "?"
check "? shows the key table" wait_for "lrscope keys" 3
keys x
check "help closes on a key" sh -c "! tmux capture-pane -p -t '$S' | grep -q 'lrscope keys'"

tmux resize-window -t "$S" -x 40 -y 10
check "tiny terminal gets a notice" wait_for "needs at least" 3
tmux resize-window -t "$S" -x 120 -y 40
check "enlarged terminal shows the panels again" wait_for "learning rate" 3

keys q
check "quit asks during a run" wait_for "Quit anyway" 3
keys n
check "n cancels" wait_for "quit cancelled" 3
keys q
keys y
i=0; while [ ! -s status ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "exit status 0" test "$(cat status 2>/dev/null)" = 0

run=$(ls -d runs/*-1cycle 2>/dev/null | head -1)
check "1cycle run folder" test -n "$run"
check "edits recorded" grep -q "set_bounds" "$run/events.csv"
check "restart recorded" grep -q ",restart," "$run/events.csv"
check "weight decay recorded" grep -q ",set_wd," "$run/events.csv"
check "closing recorded" grep -q ",interrupted," "$run/events.csv"
check "range test files" test -s "$(ls -d runs/*-range-test | head -1)/suggestions.txt"

# SIGHUP (an SSH session dropping) mid-run: files flushed, exit 130.
rm -f status
tmux kill-session -t "$S" 2>/dev/null
tmux -f /dev/null new-session -d -s "$S" -x 100 -y 30 \
    "'$BIN' --data synthetic --threads 1 --policy clr --iters 100000 --out hup; echo \$? > status; sleep 5"
check "run starts" wait_for "RUNNING" 10
pid=$(pgrep -f "^$BIN .*--out hup" | head -1)
kill -HUP "$pid"
i=0; while [ ! -s status ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "SIGHUP exits 130" test "$(cat status 2>/dev/null)" = 130
check "SIGHUP run keeps its rows" test "$(cat hup/*/metrics.csv | wc -l)" -gt 10

# A locale that is not UTF-8: plots fall back to ASCII by themselves.
tmux kill-session -t "$S" 2>/dev/null
tmux -f /dev/null new-session -d -s "$S" -x 100 -y 30 \
    "LANG=C LC_ALL=C '$BIN' --data synthetic --threads 1 --fps 20 --frames 200; sleep 5"
check "ASCII run starts" wait_for "RANGE TEST\|DONE" 10
check "ASCII axes drawn" wait_for "+---" 5
check "no braille without UTF-8" sh -c "! tmux capture-pane -p -t '$S' | LC_ALL=C grep -q '$braille'"

# Not a terminal: a polite refusal that points to the headless commands.
"$BIN" --data synthetic > out.txt 2> err.txt < /dev/null
check "non-tty exits 2" test $? -eq 2
check "non-tty points to headless" grep -q "lrscope train" err.txt

finish
