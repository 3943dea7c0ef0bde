#!/bin/sh
# `lrscope range-test` from a user's side: a short sweep on the generated data
# prints its table and suggestions and leaves the run folder; bad sweep
# settings are refused with what is allowed.
. "$(dirname "$0")/lib.inc"

expect_status 0 "--help" "$LRSCOPE" range-test --help
check "help lists --sweep" stdout_has "--sweep linear|exp"

out="$E2E_TMP/rt"
expect_status 0 "synthetic linear range test" "$LRSCOPE" range-test --data synthetic \
    --model mlp-bn:64,64 --iters 120 --eval-every 10 --threads 1 --out "$out"
check "says how the sweep ended" stdout_has "range test: linear sweep 0 -> 3 over 120"
check "prints Smith's pair" stdout_has "smith     base"
check "prints the valley" stdout_has "valley"
check "prints the signature" stdout_has "super-convergence signature:"
check "progress on stderr" stderr_has "120/120"
check "metrics.csv has 120 rows" test "$(wc -l < "$out/metrics.csv")" -eq 121
check "rangetest.csv has its header" \
    grep -q "^iter,lr,loss,loss_smooth,test_acc,test_loss$" "$out/rangetest.csv"
check "rangetest.csv has the first evaluation and 120 steps" \
    test "$(wc -l < "$out/rangetest.csv")" -eq 122
check "suggestions.txt has Smith's max" grep -q "^smith.max_lr = [0-9]" "$out/suggestions.txt"
check "suggestions.txt has the valley" grep -q "^fastai.valley_lr = " "$out/suggestions.txt"
check "suggestions.txt has the verdict" grep -q "^signature = " "$out/suggestions.txt"
check "config records the sweep" grep -q "^range_test.sweep = linear" "$out/config"
check "no NaN in Smith's pair" sh -c "! grep -q '^smith.max_lr = nan' '$out/suggestions.txt'"
check "a completed sweep ends with a done event, as a run does" \
    grep -q '^120,done,"swept 120 iterations up to lr ' "$out/events.csv"

# fastai's exponential sweep, and a plain MLP pushed to divergence: exit 0,
# the stop recorded as an event.
expect_status 0 "exponential sweep" "$LRSCOPE" range-test --data synthetic --sweep exp \
    --model mlp:64 --lr-max 1e4 --threads 1 --out "$E2E_TMP/exp"
check "says it stopped" stdout_has "stopped at iteration"
check "the stop is an event" grep -Eq ",(stopped|diverged)," "$E2E_TMP/exp/events.csv"
check "signature absent" grep -q "^signature = absent" "$E2E_TMP/exp/suggestions.txt"

expect_status 2 "exp sweep from 0 refused" "$LRSCOPE" range-test --data synthetic --sweep exp \
    --lr-min 0
check "says lr-min must be above 0" stderr_has "needs --lr-min > 0"
expect_status 2 "lr-min = lr-max refused" "$LRSCOPE" range-test --data synthetic \
    --lr-min 1 --lr-max 1
check "says lr-min must be below lr-max" stderr_has "must be below --lr-max"
expect_status 2 "lr-min above lr-max refused" "$LRSCOPE" range-test --data synthetic \
    --lr-min 2 --lr-max 1
expect_status 2 "too short refused" "$LRSCOPE" range-test --data synthetic --iters 3
check "says how long" stderr_has "at least 10"
expect_status 2 "a schedule policy refused" "$LRSCOPE" range-test --data synthetic \
    --policy 1cycle
check "points to --sweep" stderr_has "--sweep linear|exp"

# torch-lr-finder's sweep: lr_max at the last step, its readings printed and
# written; the other tools' readings of the same curve beside it.
expect_status 0 "lr-finder preset" "$LRSCOPE" range-test --data synthetic --preset lr-finder \
    --model mlp-bn:64,64 --threads 1 --out "$E2E_TMP/lrf"
check "says lr_max comes at the last step" stdout_has "over 100 iterations (lr_max at the last)"
check "prints torch-lr-finder's pick" stdout_has "^  lr-finder [0-9]"
check "prints fastai's slide" stdout_has "^  slide     [0-9]"
check "the last step trained at 10" grep -q "^99,10," "$E2E_TMP/lrf/rangetest.csv"
check "suggestions.txt has its pick" \
    grep -q "^lr_finder.steepest_lr = [0-9]" "$E2E_TMP/lrf/suggestions.txt"
check "config records its stop rule" \
    grep -q "^range_test.stop_smoothing = lr-finder" "$E2E_TMP/lrf/config"
expect_status 2 "unknown preset refused" "$LRSCOPE" range-test --data synthetic --preset keras
check "lists the presets" stderr_has "lr-finder"
# A preset names its sweep; --sweep beside it conflicts even when it is the default's.
expect_status 2 "--preset with --sweep linear refused" "$LRSCOPE" range-test --data synthetic \
    --preset fastai --sweep linear
check "says to give one" stderr_has "give it or --sweep, not both"

# SIGTERM mid-sweep: suggestions from the curve so far, files written, 130.
"$LRSCOPE" range-test --data synthetic --model mlp-bn:64,64 --iters 200000 --lr-max 0.5 \
    --threads 1 --out "$E2E_TMP/sig" >"$E2E_TMP/out" 2>"$E2E_TMP/err" &
pid=$!
sleep 1.5
kill -TERM "$pid"
wait "$pid"
check "SIGTERM exits 130" test $? -eq 130
check "still prints suggestions" stdout_has "smith     base"
check "cancellation recorded" grep -q "^stop = cancelled" "$E2E_TMP/sig/suggestions.txt"
check "interruption is an event" grep -q ",interrupted," "$E2E_TMP/sig/events.csv"

finish
