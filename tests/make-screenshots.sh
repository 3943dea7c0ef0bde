#!/bin/sh
# Regenerates the figures README shows, from fixed-seed runs on
# Fashion-MNIST (or the generated data when it is not installed):
#   range-test.png     the batch-norm MLP's range test against the plain MLP's
#   range-test-conv.png LeNet's range test against ResNet-8's
#   1cycle-vs-step.png 1cycle with the bounds the workbench offers against a
#                      step schedule (multistep from STEP_LR, x0.1 at 50 % and 75 %)
#   workbench.png      the workbench screen after a range test, 1cycle running
#   watch-lightning.png lrscope watch on the step run's metrics.csv rewritten in
#                      PyTorch Lightning's CSVLogger layout, the 1cycle run a ghost
# Usage: tests/make-screenshots.sh BUILD/lrscope OUTDIR
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
OUT=$(mkdir -p "$2" && cd "$2" && pwd)
TMP=$(mktemp -d /tmp/lrscope-shots.XXXXXX)
trap 'tmux kill-session -t lrscope-shots 2>/dev/null || true; rm -rf "$TMP"' EXIT
EPOCHS=${EPOCHS:-5}
STEP_LR=${STEP_LR:-0.1}     # the best starting LR for multistep of a small grid
cd "$TMP"

echo "screenshots: range tests"
"$BIN" range-test --seed 1 --quiet --out rt-bn
"$BIN" range-test --seed 1 --quiet --model mlp:512,512 --out rt-plain
"$BIN" plot rt-bn rt-plain --panels range -o "$OUT/range-test.png"

echo "screenshots: conv range tests"
"$BIN" range-test --seed 1 --threads 1 --quiet --model lenet --out rt-lenet
"$BIN" range-test --seed 1 --threads 1 --quiet --model resnet:8 --out rt-resnet8
"$BIN" plot rt-lenet rt-resnet8 --panels range -o "$OUT/range-test-conv.png"

# 1cycle with the bounds the workbench offers: (M/10, M), M = where
# accuracy stops improving.
max=$(sed -n 's/^smith.plateau_lr = //p' rt-bn/suggestions.txt)
min=$(awk -v m="$max" 'BEGIN { printf "%.4g", m / 10 }')
echo "screenshots: 1cycle $min..$max against multistep at $STEP_LR, $EPOCHS epochs each"
"$BIN" train --seed 1 --epochs "$EPOCHS" --policy 1cycle --lr-min "$min" --lr-max "$max" \
    --quiet --out onecycle > /dev/null
iters=$(sed -n 's/^sched.total = //p' onecycle/config)
"$BIN" train --seed 1 --epochs "$EPOCHS" --policy multistep --lr "$STEP_LR" \
    --milestones "$((iters / 2)),$((iters * 3 / 4))" --quiet --out step > /dev/null
"$BIN" plot onecycle step --panels loss,acc,lr -o "$OUT/1cycle-vs-step.png"

echo "screenshots: watch on a Lightning-layout log"
mkdir -p lightning
awk -f "$HERE/lightning_log.awk" step/metrics.csv > lightning/metrics.csv
tmux -f /dev/null new-session -d -s lrscope-shots -x 120 -y 40 \
    "LANG=C.UTF-8 LC_ALL=C.UTF-8 '$BIN' watch lightning/metrics.csv --ghost onecycle \
     --frames 15 --screenshot '$OUT/watch-lightning.png'; sleep 2"
while tmux has-session -t lrscope-shots 2>/dev/null && [ ! -s "$OUT/watch-lightning.png" ]; do
    sleep 0.5
done
tmux kill-session -t lrscope-shots 2>/dev/null || true

echo "screenshots: the workbench"
tmux -f /dev/null new-session -d -s lrscope-shots -x 120 -y 40 \
    "LANG=C.UTF-8 LC_ALL=C.UTF-8 '$BIN' --seed 1 --epochs 15 --screenshot '$OUT/workbench.png'; sleep 2"
i=0
until tmux capture-pane -p -t lrscope-shots | grep -q "suggested lr"; do
    i=$((i + 1)); [ "$i" -lt 600 ] || { echo "screenshots: range test did not finish"; exit 1; }
    sleep 0.1
done
tmux send-keys -t lrscope-shots 1
sleep 10                    # part of the way into a 15-epoch 1cycle run
# SIGTERM ends the workbench as a dropped session would; the screenshot
# is taken on the way out, of the last frame.
pkill -TERM -f -- "--screenshot $OUT/workbench.png" || true
while tmux has-session -t lrscope-shots 2>/dev/null && [ ! -s "$OUT/workbench.png" ]; do
    sleep 0.5
done
ls -l "$OUT"
