#!/bin/sh
# lrscope watch driven through tmux: a Lightning-style log growing line by
# line (a half-written line, a truncation) followed on screen; a run folder
# that a nohup'd `lrscope train` is writing, followed to its last row (the
# row count on screen against metrics.csv's); q and SIGTERM end it cleanly;
# a range test in progress drawn against the LR; a finished range test's
# offer marked from its folder; bad paths and
# columns are refused before the screen is touched; a screenshot that
# cannot be written exits 1.
. "$(dirname "$0")/lib.inc"

command -v tmux >/dev/null 2>&1 || { echo "  watch.sh: tmux missing (make deps)"; exit 1; }
S="lrscope-watch-e2e-$$"
BIN=$(cd "$(dirname "$LRSCOPE")" && pwd)/$(basename "$LRSCOPE")
cd "$E2E_TMP" || exit 1
trap 'tmux kill-session -t "$S" 2>/dev/null; [ -n "$TRAIN" ] && kill "$TRAIN" 2>/dev/null; rm -rf "$E2E_TMP"' EXIT

. "$E2E_DIR/tmux.inc"
start() {
    tmux -f /dev/null new-session -d -s "$S" -x 120 -y 40 \
        "LANG=C.UTF-8 LC_ALL=C.UTF-8 '$BIN' watch --fps 20 $*; echo \$? > status; sleep 5"
}
wait_status() {
    i=0
    while [ ! -s status ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    cat status 2>/dev/null
}

# Refusals, before any screen.
expect_status 2 "a missing path" "$BIN" watch no-such.csv
check "  ...is named" stderr_has "no-such.csv"
expect_status 2 "no path" "$BIN" watch
printf 'a,b\n1,2\n' > plain.csv
expect_status 2 "a log without the columns to draw" "$BIN" watch plain.csv
check "  ...names the options that pick them" stderr_has "name them with --loss COL"
printf 'iter,loss\n1,2\n' > named.csv
expect_status 2 "a column the header lacks" "$BIN" watch named.csv --loss nosuch
check "  ...is named" stderr_has "no column 'nosuch' in the header"
expect_status 0 "watch --help" "$BIN" watch --help
check "  ...names the formats" stdout_has "Lightning"

# A Lightning log growing while watched.
printf 'epoch,lr-SGD,step,train_loss_step,val_acc,val_loss\n' > metrics.csv
for s in 0 1 2 3 4 5 6 7 8 9; do printf '0,0.1,%d,%d.5,,\n' $s $((10 - s)) >> metrics.csv; done
start metrics.csv
check "the format is recognised" wait_for "metrics.csv (Lightning)  10 rows  step 9" 5
check "the x axis is the log's step" wait_for "^  *step  " 2
for s in 10 11 12; do printf '0,0.2,%d,1.0,,\n' $s >> metrics.csv; done
printf '0,,12,,0.75,0.9\n' >> metrics.csv
check "appended rows show" wait_for "14 rows  step 12" 5
check "the validation accuracy is drawn" wait_for "test 75 %" 3
printf '0,0.2,13,0.' >> metrics.csv
sleep 0.5
check "a half-written line waits" wait_for "14 rows  step 12" 2
printf '9,,\n' >> metrics.csv
check "...and is read once finished" wait_for "15 rows  step 13" 5
printf 'epoch,lr-SGD,step,train_loss_step,val_acc,val_loss\n0,0.1,0,2.0,,\n' > metrics.csv
check "a truncated log is read again" wait_for "1 rows  step 0" 5
check "  ...and says so" wait_for "truncated or replaced" 2
keys ":lr 0.1" Enter
check "training commands are refused" wait_for "watch only reads" 3
keys q
check "q quits with status 0" test "$(wait_status)" = 0
tmux kill-session -t "$S" 2>/dev/null; rm -f status

# A run folder written by a headless run in the background.
nohup "$BIN" train --data synthetic --model mlp:64 --iters 400000 --eval-every 500 \
    --threads 1 --out run --quiet >train.log 2>&1 &
TRAIN=$!
i=0; while [ ! -s run/metrics.csv ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
start run
check "the run folder is lrscope's" wait_for "run (lrscope)" 5
n1=$(screen | sed -n 's/.* \([0-9]*\) rows.*/\1/p' | head -1)
sleep 1
n2=$(screen | sed -n 's/.* \([0-9]*\) rows.*/\1/p' | head -1)
check "rows keep coming while it trains ($n1 -> $n2)" test "${n2:-0}" -gt "${n1:-0}"
kill -TERM "$TRAIN"; wait "$TRAIN" 2>/dev/null; TRAIN=
rows=$(($(wc -l < run/metrics.csv) - 1))
check "after the run stops, every row of metrics.csv is read ($rows)" wait_for " $rows rows" 10
check "the training was not disturbed: it ended on its signal" grep -q "interrupted" run/events.csv
tmux send-keys -t "$S" "" # keep the session alive
pid=$(pgrep -n -f "$BIN watch --fps 20 run") || pid=
if [ -n "$pid" ]; then kill -TERM "$pid"; fi
check "SIGTERM ends watch with status 130" test "$(wait_status)" = 130
tmux kill-session -t "$S" 2>/dev/null; rm -f status

# A range test in progress is drawn as one (against the LR) from its
# metrics.csv, before it has a rangetest.csv.
"$BIN" range-test --data synthetic --model mlp-bn:512,512 --iters 1500 --threads 1 \
    --quiet --out sweep >/dev/null 2>&1 &
TRAIN=$!
i=0; while [ ! -s sweep/metrics.csv ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
start sweep
check "a range test in progress: range-test panels" wait_for "range test: loss" 5
check "  ...against the learning rate" wait_for "learning rate" 2
check "  ...before its rangetest.csv exists" test ! -e sweep/rangetest.csv
kill -INT "$TRAIN"; wait "$TRAIN" 2>/dev/null; TRAIN=
# Interrupted, then resumed while watched: the offer marked is the whole
# sweep's once the resumed test has written its suggestions.
"$BIN" resume sweep --quiet >/dev/null 2>&1
offer=$(sed -n 's/^offer.lr_max = //p' sweep/suggestions.txt)
check "a resumed sweep's offer replaces the partial one (max $offer)" \
    wait_for "max $(printf %.2g "$offer") " 5
keys q
check "q quits" test "$(wait_status)" = 0
tmux kill-session -t "$S" 2>/dev/null; rm -f status

# A finished range test's folder: its offer marked as the workbench marks
# it, from what the run wrote (suggestions.txt), and :reading allowed.
"$BIN" range-test --data synthetic --threads 1 --quiet --out rt >/dev/null 2>&1
offer=$(sed -n 's/^offer.lr_max = //p' rt/suggestions.txt)
valley=$(sed -n 's/^fastai.valley_lr = //p' rt/suggestions.txt)
start rt
check "a range test's offer is marked (max $offer)" wait_for "max $(printf %.2g "$offer") " 5
check "  ...with its min" wait_for "min $(printf %.2g "$(echo "$offer" | awk '{print $1 / 10}')")" 2
keys ":reading valley" Enter
check ":reading works in watch (valley $valley)" wait_for "valley $(printf %.2g "$valley")" 3
keys q
check "q quits" test "$(wait_status)" = 0
tmux kill-session -t "$S" 2>/dev/null; rm -f status

# A screenshot that cannot be written is a failed run (exit 1), as in the workbench.
start rt --frames 3 --screenshot nodir/shot.png
check "an unwritable screenshot exits 1" test "$(wait_status)" = 1
tmux kill-session -t "$S" 2>/dev/null; rm -f status

finish
