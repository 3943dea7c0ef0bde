#!/bin/sh
# lrscope export-weights: a run's trained parameters and batch-norm
# statistics as a .npz that numpy.load reads, with names and shapes, and the
# values exactly those of the checkpoint's flat blocks.
. "$(dirname "$0")/lib.inc"
T=$E2E_TMP
PY=
for p in python3 /usr/bin/python3; do
    if "$p" -c 'import numpy' 2>/dev/null; then PY=$p; break; fi
done
expect_status 0 "a short run" "$LRSCOPE" train --data synthetic --model mlp-bn:64,32 \
    --iters 80 --threads 1 --quiet --out "$T/run"
expect_status 0 "export-weights" "$LRSCOPE" export-weights "$T/run" -o "$T/w.npz"
check "says what it wrote" stdout_has "wrote .*w.npz: 14 arrays of mlp-bn:64,32"
expect_status 2 "no checkpoint" "$LRSCOPE" export-weights "$T/nowhere" -o "$T/x.npz"
expect_status 2 "no output named" "$LRSCOPE" export-weights "$T/run"
"$LRSCOPE" range-test --data synthetic --iters 20 --threads 1 --quiet --out "$T/sweep" \
    >/dev/null 2>&1
expect_status 2 "a range test's checkpoint" "$LRSCOPE" export-weights "$T/sweep" -o "$T/x.npz"
check "says it holds no trained model" stderr_has "is a range test: its weights are the sweep's"
"$LRSCOPE" train --data synthetic --model mlp:64 --lr 5000 --iters 50 --threads 1 --quiet \
    --out "$T/diverged" >/dev/null 2>&1
expect_status 2 "a diverged run's checkpoint" "$LRSCOPE" export-weights "$T/diverged" \
    -o "$T/d.npz"
check "says where it diverged" stderr_has "diverged at iteration [1-9][0-9]*: its weights are"
check "no file for it" test ! -e "$T/d.npz"
mkdir "$T/dir.npz"
expect_status 1 "a folder as the output" "$LRSCOPE" export-weights "$T/run" -o "$T/dir.npz"
check "refuses to replace it" stderr_has "is not a regular file"
if [ -z "$PY" ]; then
    fail "python3 with numpy is needed to read the weights back (make deps installs it)"
    finish; exit
fi
cat > "$T/check.py" <<'PYEOF'
import struct, sys
import numpy as np
npz, ckpt = sys.argv[1], sys.argv[2]
d = np.load(npz)
want = {"dense1.weight": (256, 64), "dense1.bias": (64,), "bn1.weight": (64,),
        "bn1.bias": (64,), "bn1.running_mean": (64,), "bn1.running_var": (64,),
        "dense2.weight": (64, 32), "dense2.bias": (32,), "bn2.weight": (32,),
        "bn2.bias": (32,), "bn2.running_mean": (32,), "bn2.running_var": (32,),
        "dense3.weight": (32, 10), "dense3.bias": (10,)}
assert sorted(d.files) == sorted(want), d.files
for k, shape in want.items():
    assert d[k].shape == shape and d[k].dtype == np.float32, (k, d[k].shape, d[k].dtype)
# The checkpoint ends with params, velocity and state (float32), a range-test
# byte (0: a training run), the config digest and a CRC; params hold the weights region, then
# biases, then batch-norm scale/shift.
raw = open(ckpt, "rb").read()
n_params, n_state = struct.unpack_from("<QQ", raw, 16 + 128)
assert raw[-9] == 0
end = len(raw) - 9
params = np.frombuffer(raw[end - 4 * (2 * n_params + n_state):end - 4 * (n_params + n_state)], "<f4")
state = np.frombuffer(raw[end - 4 * n_state:end], "<f4")
order = ["dense1.weight", "dense2.weight", "dense3.weight", "dense1.bias", "dense2.bias",
         "dense3.bias", "bn1.weight", "bn1.bias", "bn2.weight", "bn2.bias"]
assert np.array_equal(np.concatenate([d[k].ravel() for k in order]), params)
stats = ["bn1.running_mean", "bn1.running_var", "bn2.running_mean", "bn2.running_var"]
assert np.array_equal(np.concatenate([d[k].ravel() for k in stats]), state)
assert (d["bn1.running_var"] > 0).all()
print("ok")
PYEOF
check "numpy reads names, shapes and the checkpoint's values" \
    sh -c "'$PY' '$T/check.py' '$T/w.npz' '$T/run/checkpoint' >/dev/null"
finish
