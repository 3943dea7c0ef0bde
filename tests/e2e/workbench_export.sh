#!/bin/sh
# The workbench's :export, driven through tmux: after a live edit, the code
# it writes next to the run gives the LR the engine used from the edit on
# (metrics.csv), and its view scrolls, switches framework and closes.
. "$(dirname "$0")/lib.inc"

command -v tmux >/dev/null 2>&1 || { echo "  workbench_export.sh: tmux missing (make deps)"; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "  workbench_export.sh: python3 missing (make deps)"; exit 1; }
S="lrscope-e2e-export-$$"
BIN=$(cd "$(dirname "$LRSCOPE")" && pwd)/$(basename "$LRSCOPE")
CHECK=$(cd "$(dirname "$0")" && pwd)/export_check.py
cd "$E2E_TMP" || exit 1
tmux -f /dev/null new-session -d -s "$S" -x 100 -y 30 \
    "LANG=C.UTF-8 LC_ALL=C.UTF-8 '$BIN' --data synthetic --threads 1 --policy 1cycle \
     --lr-min 0.05 --lr-max 0.5 --iters 1500 --fps 20; sleep 5"
trap 'tmux kill-session -t "$S" 2>/dev/null; rm -rf "$E2E_TMP"' EXIT

. "$E2E_DIR/tmux.inc"

check "the run starts" wait_for "RUNNING" 20
keys ']'
check "the edit shows" wait_for "0.625" 5
keys ':export' Enter
check "the PyTorch code is on screen" wait_for "schedule_pytorch.py  (arrows" 5
check "with the edited bounds" wait_for "1cycle smith 0.05->0.625" 5
check "and the edit noted" wait_for "after 1 live edit" 5
keys NPage
check "it scrolls" wait_for "lines 2[0-9]-" 5
keys f
check "f shows the fastai code" wait_for "schedule_fastai.py  (arrows" 5
keys q
check "q closes the view, the files stay" wait_for "wrote runs/.*schedule_fastai.py" 5
check "the workbench goes on" wait_for "DONE" 30
keys q
sleep 1

run=$(ls -d runs/*/ | head -1)
edit=$(grep ',set_bounds,' "$run/events.csv" | head -1 | cut -d, -f1)
check "the edit is in events.csv" test -n "$edit"
check "schedule_pytorch.py gives the LR used from the edit on" \
    python3 "$CHECK" "$run" "$run/schedule_pytorch.py" "$edit"
check "schedule_fastai.py too" python3 "$CHECK" "$run" "$run/schedule_fastai.py" "$edit"

finish
