#!/bin/sh
# The headless subcommands from a user's side: exit statuses, messages for
# bad input, and the run folder a training run leaves.
. "$(dirname "$0")/lib.inc"

expect_status 0 "--help" "$LRSCOPE" train --help
check "help lists --policy" stdout_has "--policy"
expect_status 0 "--version" "$LRSCOPE" --version
check "version printed" stdout_has "lrscope "

expect_status 2 "negative lr refused" "$LRSCOPE" train --data synthetic --lr -1
check "says what is allowed" stderr_has "give a learning rate from"
expect_status 2 "min above max refused" "$LRSCOPE" train --data synthetic --lr-min 1 --lr-max 0.1
check "names both bounds" stderr_has "above --lr-max"
expect_status 2 "a 1cycle maximum below its default minimum refused" "$LRSCOPE" train \
    --data synthetic --policy 1cycle --lr-max 0.05
check "says to give --lr-min, and a value" stderr_has "give --lr-min as well.*--lr-min 0.005"
expect_status 2 "unknown policy refused" "$LRSCOPE" train --data synthetic --policy warp
check "lists the policies" stderr_has "1cycle"
expect_status 2 "zero stepsize refused" "$LRSCOPE" train --data synthetic --stepsize 0
expect_status 2 "unknown option refused" "$LRSCOPE" train --frobnicate
expect_status 2 "unknown model refused" "$LRSCOPE" train --data synthetic --model resnet9000
expect_status 2 "unknown subcommand" "$LRSCOPE" fly

# A corrupt IDX folder: bad magic in the image file.
mkdir -p "$E2E_TMP/bad"
printf '\000\000\010\077\000\000\000\001\000\000\000\002\000\000\000\002abcd' \
    > "$E2E_TMP/bad/train-images-idx3-ubyte"
printf '\000\000\010\001\000\000\000\001\001' > "$E2E_TMP/bad/train-labels-idx1-ubyte"
cp "$E2E_TMP/bad/train-images-idx3-ubyte" "$E2E_TMP/bad/t10k-images-idx3-ubyte"
cp "$E2E_TMP/bad/train-labels-idx1-ubyte" "$E2E_TMP/bad/t10k-labels-idx1-ubyte"
expect_status 2 "corrupt data refused" "$LRSCOPE" train --data "$E2E_TMP/bad"
check "names the file" stderr_has "train-images-idx3-ubyte"
expect_status 2 "missing folder refused" "$LRSCOPE" train --data "$E2E_TMP/nowhere"

# A real (short) run writes metrics, events and config.
out="$E2E_TMP/run"
expect_status 0 "short training run" "$LRSCOPE" train --data synthetic --iters 60 \
    --eval-every 20 --lr 0.1 --threads 1 --out "$out"
check "final accuracy printed" stdout_has "final test accuracy"
check "metrics.csv has 60 rows" test "$(wc -l < "$out/metrics.csv")" -eq 61
check "evaluations every 20" test "$(awk -F, 'NR > 1 && $9 != ""' "$out/metrics.csv" | wc -l)" -ge 3
check "config records the policy" grep -q "sched.policy = const" "$out/config"
check "events.csv has its header" grep -q "^iter,kind,detail" "$out/events.csv"

# Divergence: a huge LR on a plain MLP is reported, with its own exit status.
expect_status 3 "divergence reported" "$LRSCOPE" train --data synthetic --model mlp:64 \
    --lr 5000 --iters 100 --threads 1 --out "$E2E_TMP/div"
check "says DIVERGED" stderr_has "DIVERGED at iteration"
check "divergence is an event" grep -q ",diverged," "$E2E_TMP/div/events.csv"

# SIGTERM mid-run: files flushed, status 130.
"$LRSCOPE" train --data synthetic --iters 1000000 --threads 1 --out "$E2E_TMP/sig" \
    >/dev/null 2>"$E2E_TMP/err" &
pid=$!
sleep 1.5
kill -TERM "$pid"
wait "$pid"
check "SIGTERM exits 130" test $? -eq 130
check "interrupted run keeps its rows" test "$(wc -l < "$E2E_TMP/sig/metrics.csv")" -gt 10
check "interruption is an event" grep -q ",interrupted," "$E2E_TMP/sig/events.csv"

expect_status 0 "bench runs" "$LRSCOPE" bench --threads 1 --model mlp:64 --batch 32
check "bench prints efficiency" stdout_has "of sgemm"
check "bench names OpenBLAS's kernels" stdout_has "^blas *OpenBLAS .* kernels"
check "bench of a net without Winograd has no im2col reference" \
    sh -c "! grep -q \"of im2col's sgemm\" '$E2E_TMP/out'"
if [ -n "${OPENBLAS_CORETYPE:-}" ]; then
    check "bench says the environment picked them" \
        stdout_has "set by OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE"
fi
expect_status 0 "bench of a ResNet on CIFAR-shaped input" "$LRSCOPE" bench --threads 1 \
    --model resnet:8,4 --input-shape 3x32x32 --batch 8 --by-layer
check "bench names the input shape" stdout_has "input 3x32x32"
check "bench times the GEMMs im2col would run beside Winograd's" \
    stdout_has "^against it .* % of im2col's sgemm"
# --by-layer: one row per layer of the graph (resnet:8 has 23), both lowerings
# (4 channels are too few for Winograd, 8 are not), and the layers' own time
# covering the step: what is left (loss, update) is a small share of it.
layer_rows=$(sed -n '/^  layer /,/^  rest /p' "$E2E_TMP/out" | grep -c '%$')
check "bench --by-layer lists the 23 layers and the rest" test "$layer_rows" -eq 24
for name in stem.conv s1b1.add s2b1.proj.bn s3b1.2.conv gap dense; do
    check "bench --by-layer has $name" stdout_has "^  $name "
done
check "bench --by-layer names the lowerings" sh -c \
    "grep -q 'conv im2col' '$E2E_TMP/out' && grep -q 'conv winograd' '$E2E_TMP/out'"
check "bench --by-layer: the layers take most of the step" \
    awk '/^  rest / { r = $(NF-1) } END { exit !(r > -5 && r < 30) }' "$E2E_TMP/out"
check "bench --by-layer sums by kind" stdout_has "^by kind  *conv "

# check-grad: gradients of a conv net against finite differences
expect_status 0 "check-grad passes on lenet" "$LRSCOPE" check-grad lenet --input-shape 1x16x16 \
    --threads 1
check "check-grad lists the tensors" stdout_has "conv2.w"
check "check-grad says passed" stdout_has "^passed:"
# small images and few channels put ReLU kinks next to many entries: one-sided
# differences must not turn them into failures
expect_status 0 "check-grad passes on resnet:8,4 over 3x8x8" "$LRSCOPE" check-grad resnet:8,4 \
    --input-shape 3x8x8 --threads 1
expect_status 2 "check-grad refuses an option it would ignore" "$LRSCOPE" check-grad lenet --by-layer
check "check-grad names the option" grep -q "by-layer is not an option of lrscope check-grad" \
    "$E2E_TMP/err"
# biases right before batch norm have a true gradient of zero: rounding noise must not fail them
expect_status 0 "check-grad passes on the mlp-bn preset" "$LRSCOPE" check-grad mlp-bn --threads 1
expect_status 0 "check-grad passes on cnn-bn at two threads (Winograd, split sums)" \
    "$LRSCOPE" check-grad cnn-bn --input-shape 1x16x16 --threads 2
expect_status 2 "a model the image shrinks away in is refused" "$LRSCOPE" check-grad lenet \
    --input-shape 1x12x12
check "the refusal names the layer" stderr_has "conv2"
expect_status 2 "train refuses arguments to a preset that takes none" "$LRSCOPE" train --data synthetic \
    --model cnn-bn:3 --iters 1
check "unknown model spelled out" stderr_has "takes no arguments"

finish
