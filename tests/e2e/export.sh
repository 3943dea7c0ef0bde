#!/bin/sh
# `lrscope export RUN`: the snippets it writes, and their schedule functions
# run in Python against the LR and momentum the run actually used.
. "$(dirname "$0")/lib.inc"
here=$(dirname "$0")

if ! command -v python3 >/dev/null 2>&1; then
    fail "python3 is needed to run the exported snippets (make deps installs it)"
    finish; exit
fi

train() {
    name=$1; shift
    "$LRSCOPE" train --data synthetic --threads 1 --quiet --eval-every 0 --iters 240 \
        --out "$E2E_TMP/$name" "$@" >/dev/null 2>&1
}

train smith --policy 1cycle --lr-min 0.05 --lr-max 0.6
train fastai_linear --policy 1cycle --style fastai --anneal linear --lr-max 0.6
train fastai_cos --policy 1cycle --style fastai --lr-max 0.6 --momentum 0.9
train pytorch --policy 1cycle --style pytorch --three-phase --lr-max 0.6 --sgd torch
train exp_range --policy exp_range --lr-min 0.05 --lr-max 0.5 --stepsize 25 --gamma 0.995
train multistep --policy multistep --lr 0.3 --milestones 80,160
train inv --policy inv --lr 0.3 --gamma 0.01
# A run with live edits: its config, with two edits added, repeated by
# --config (which replays them); the export is the schedule in force after.
cp "$E2E_TMP/smith/config" "$E2E_TMP/edited.config"
printf 'edit = 60 set_bounds 0.1 0.9\nedit = 150 restart\n' >> "$E2E_TMP/edited.config"
"$LRSCOPE" train --config "$E2E_TMP/edited.config" --out "$E2E_TMP/edited" --quiet \
    >/dev/null 2>&1

for run in smith fastai_linear fastai_cos pytorch exp_range multistep inv; do
    dir="$E2E_TMP/$run"
    expect_status 0 "export $run" "$LRSCOPE" export "$dir"
    check "$run: PyTorch snippet printed" stdout_has "import torch"
    check "$run: says where it wrote" stderr_has "schedule_fastai.py"
    for f in schedule_pytorch.py schedule_fastai.py; do
        check "$run/$f is valid Python" python3 -m py_compile "$dir/$f"
        check "$run/$f gives the run's LR and momentum" \
            python3 "$here/export_check.py" "$dir" "$dir/$f"
    done
done

expect_status 0 "export a run with live edits" "$LRSCOPE" export "$E2E_TMP/edited"
check "says the edits" stdout_has "after 2 live edits"
check "and the restart" stdout_has "restarted its cycle at iteration 150"
for f in schedule_pytorch.py schedule_fastai.py; do
    check "edited/$f gives the LR used since the restart" \
        python3 "$here/export_check.py" "$E2E_TMP/edited" "$E2E_TMP/edited/$f" 150 150
done

check "Smith's 1cycle: LambdaLR with the formula" grep -q "LambdaLR(" "$E2E_TMP/smith/schedule_pytorch.py"
check "three-phase: OneCycleLR" grep -q "three_phase=True" "$E2E_TMP/pytorch/schedule_pytorch.py"
check "--sgd torch: torch.optim.SGD" grep -q "return torch.optim.SGD(" "$E2E_TMP/pytorch/schedule_pytorch.py"
check "fastai style, cos: fit_one_cycle" grep -q "fit_one_cycle(" "$E2E_TMP/fastai_cos/schedule_fastai.py"
expect_status 0 "--fastai prints the fastai snippet" "$LRSCOPE" export --fastai "$E2E_TMP/smith"
check "fastai snippet on stdout" stdout_has "from fastai"

"$LRSCOPE" range-test --data synthetic --threads 1 --quiet --out "$E2E_TMP/sweep" >/dev/null 2>&1
expect_status 2 "a range test is not exported" "$LRSCOPE" export "$E2E_TMP/sweep"
check "says why" stderr_has "is a range test"
expect_status 2 "a folder without a config" "$LRSCOPE" export "$E2E_TMP/nowhere"
check "names the missing config" stderr_has "no config file"
expect_status 2 "unknown option" "$LRSCOPE" export --pytorch-2 "$E2E_TMP/smith"
expect_status 2 "no run folder" "$LRSCOPE" export
printf 'sched.policy = warp\n' > "$E2E_TMP/badcfg"
mkdir -p "$E2E_TMP/bad" && mv "$E2E_TMP/badcfg" "$E2E_TMP/bad/config"
expect_status 2 "a config with a bad schedule" "$LRSCOPE" export "$E2E_TMP/bad"
check "names the line" stderr_has "config line 1"

finish
