#!/bin/sh
# Fault injection: what lrscope does when the world misbehaves. A full disk
# (a small tmpfs when this system lets an unprivileged user namespace mount
# one, /dev/full links and a file size limit otherwise), a checkpoint that
# cannot be written, standard output on /dev/full, stop signals at the first
# instant and mid-run, nohup, a FIFO where a data file should be, a gzip file
# without its trailer, a data set larger than the memory allowed, and PNG
# targets that are not regular files.
# Each case checks the exit status, the message, and what the files hold.
. "$(dirname "$0")/lib.inc"

T=$E2E_TMP
LRSCOPE=$(cd "$(dirname "$LRSCOPE")" && pwd)/$(basename "$LRSCOPE")   # the tests change folder
FAST="--data synthetic --model mlp:32 --threads 1 --eval-every 10"

# Every line of a CSV file is complete: ends with a newline, has $2 commas.
rows_complete() {
    [ -s "$1" ] && [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ] &&
        awk -F, -v n="$2" 'NF != n + 1 { bad = 1 } END { exit bad }' "$1"
}

# ---- disk full ---------------------------------------------------------
mkdir -p "$T/full"
ln -s /dev/full "$T/full/metrics.csv"
expect_status 1 "metrics.csv on a full disk" "$LRSCOPE" train $FAST --iters 20 --out "$T/full"
check "names metrics.csv and the reason" \
    stderr_has "full/metrics.csv: No space left on device"
rm -f "$T/full/metrics.csv" "$T/full/events.csv"
ln -s /dev/full "$T/full/events.csv"
expect_status 1 "events.csv on a full disk" "$LRSCOPE" train $FAST --iters 20 --out "$T/full"
check "names events.csv" stderr_has "full/events.csv: No space left on device"

# Mid-run: a file size limit stands for the disk filling up (SIGXFSZ is
# ignored, as a full disk sends no signal: write(2) fails with EFBIG).
(trap '' XFSZ; ulimit -f 8; exec "$LRSCOPE" train $FAST --epochs 50 --out "$T/fsize") \
    >"$T/out" 2>"$T/err"
check "a write failing mid-run exits 1" test $? -eq 1
check "message names the file and the reason" stderr_has "fsize/metrics.csv: File too large"
check "the run stopped at the failure" stderr_has "training stopped at iteration"
check "metrics.csv ends with a complete row" rows_complete "$T/fsize/metrics.csv" 10
check "metrics.csv kept its rows" test "$(wc -l < "$T/fsize/metrics.csv")" -gt 20
check "no final summary after a failure" sh -c "! grep -q 'final test accuracy' '$T/out'"

# A real full disk: a 12 KB tmpfs in a user namespace, when allowed.
if unshare -r -m true 2>/dev/null; then
    mkdir -p "$T/tmpfs"
    unshare -r -m sh -c "mount -t tmpfs -o size=12k tmpfs '$T/tmpfs' &&
        '$LRSCOPE' train $FAST --epochs 50 --out '$T/tmpfs/run' 2>'$T/err';
        echo \$? > '$T/status'; cp '$T/tmpfs/run/metrics.csv' '$T/tmpfs-metrics.csv'"
    check "tmpfs full: exit 1" test "$(cat "$T/status")" = 1
    check "tmpfs full: names the file and ENOSPC" \
        stderr_has "run/metrics.csv: No space left on device"
    check "tmpfs full: complete rows" rows_complete "$T/tmpfs-metrics.csv" 10
else
    echo "  faults.sh: no user namespaces here; the tmpfs case is skipped"
fi

# A checkpoint that cannot be written (a folder in its place) does not stop
# the run: every row is still written, and stderr says so at each failed
# attempt (each epoch end, about every 47 iterations here, and the end).
mkdir -p "$T/ckpt-train/checkpoint" "$T/ckpt-range/checkpoint"
expect_status 0 "train with an unwritable checkpoint" \
    "$LRSCOPE" train $FAST --iters 100 --out "$T/ckpt-train"
check "train: names the checkpoint and the reason" \
    stderr_has "cannot write the checkpoint .*ckpt-train/checkpoint: Is a directory"
check "train: no earlier checkpoint, training goes on" \
    stderr_has "(there is no earlier checkpoint); training goes on"
check "train: says so at each attempt" \
    test "$(grep -c 'cannot write the checkpoint' "$T/err")" -eq 3
check "train: every row written" test "$(wc -l < "$T/ckpt-train/metrics.csv")" -eq 101
check "train: done recorded" grep -q ",done," "$T/ckpt-train/events.csv"
expect_status 0 "range test with an unwritable checkpoint" \
    "$LRSCOPE" range-test $FAST --iters 100 --out "$T/ckpt-range"
check "range test: says it goes on" \
    stderr_has "(there is no earlier checkpoint); the range test goes on"
check "range test: its curve written" test "$(wc -l < "$T/ckpt-range/rangetest.csv")" -gt 20

# Standard output that cannot be written is a failure.
"$LRSCOPE" train $FAST --iters 10 --out "$T/stdout" >/dev/full 2>"$T/err"
check "train > /dev/full exits 1" test $? -eq 1
check "says stdout failed" stderr_has "cannot write to standard output: No space left"

# ---- signals -----------------------------------------------------------
# Waits (up to 5 s) until process $1 has signal number $3 in its /proc mask
# $2 (SigCgt: caught, SigIgn: ignored): before main() runs (exec, dynamic
# loading) nothing of lrscope's is in place yet.
wait_mask() {
    i=0
    while [ "$i" -lt 500 ]; do
        mask=$(awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null)
        low=$(printf '%s' "$mask" | tail -c 8)
        [ -n "$low" ] && [ $((0x$low >> ($3 - 1) & 1)) -eq 1 ] && return 0
        sleep 0.01
        i=$((i + 1))
    done
    return 1
}

# 0.05 s after main() starts lrscope is still loading its data (Fashion-MNIST
# when installed): the signal must still give 130 and a message.
# A SIGHUP this script inherited as ignored (run under nohup) stays ignored in
# lrscope, as it must: then only INT and TERM can be tried here.
n_INT=2 n_TERM=15 n_HUP=1
early="INT TERM HUP"
ign=$(awk '$1 == "SigIgn:" { print $2 }' /proc/$$/status | tail -c 8)
[ -n "$ign" ] && [ $((0x$ign & 1)) -eq 1 ] && early="INT TERM"
for sig in $early; do
    "$LRSCOPE" train --threads 1 --iters 20 --out "$T/early-$sig" >/dev/null 2>"$T/err" &
    pid=$!
    eval "num=\$n_$sig"
    wait_mask "$pid" SigCgt "$num"
    sleep 0.05
    kill -"$sig" "$pid"
    wait "$pid"
    check "SIG$sig at 0.05 s exits 130" test $? -eq 130
    check "SIG$sig at 0.05 s says so" stderr_has "interrupted"
done

# interrupt SIG COMMAND...: runs the command (output to $T/out, $T/err),
# sends SIG after 1.5 s, and leaves its exit status in $status.
interrupt() {
    sig=$1; shift
    "$@" >"$T/out" 2>"$T/err" &
    pid=$!
    sleep 1.5
    kill -"$sig" "$pid"
    wait "$pid"
    status=$?
}

interrupt INT "$LRSCOPE" train $FAST --iters 1000000 --out "$T/mid"
check "SIGINT mid-run exits 130" test "$status" -eq 130
check "interruption recorded at its iteration" grep -q "^[1-9][0-9]*,interrupted," "$T/mid/events.csv"
check "interrupted run: complete rows" rows_complete "$T/mid/metrics.csv" 10

# nohup: the ignored SIGHUP stays ignored, the run finishes. (nohup execs
# lrscope: the same process, once SIGINT is caught it is lrscope's main.)
nohup "$LRSCOPE" train $FAST --iters 20000 --out "$T/nohup" >/dev/null 2>&1 &
pid=$!
wait_mask "$pid" SigCgt 2
kill -HUP "$pid"
sleep 0.5
check "SIGHUP sent while the nohup run trains" kill -HUP "$pid"
wait "$pid"
check "nohup run survives SIGHUP" test $? -eq 0
check "nohup run finished" grep -q ",done," "$T/nohup/events.csv"

# An interrupted range test: its iteration, the partial curve, suggestions.
interrupt TERM "$LRSCOPE" range-test $FAST --iters 100000 --out "$T/rt"
check "range test interrupted: 130" test "$status" -eq 130
check "range test: iteration recorded" grep -q "^[1-9][0-9]*,interrupted," "$T/rt/events.csv"
check "range test: partial curve kept" test "$(wc -l < "$T/rt/rangetest.csv")" -gt 5
check "range test: suggestions marked partial" grep -q "^partial = yes" "$T/rt/suggestions.txt"
check "range test: stdout says PARTIAL" stdout_has "PARTIAL"

# ---- the workbench -----------------------------------------------------
if command -v tmux >/dev/null 2>&1; then
    S="lrscope-faults-$$"
    BIN=$LRSCOPE
    trap 'tmux kill-session -t "$S" 2>/dev/null; rm -rf "$E2E_TMP"' EXIT
    screen_has() {   # TEXT SECONDS
        i=0
        while [ "$i" -lt $(($2 * 10)) ]; do
            tmux capture-pane -p -t "$S" 2>/dev/null | grep -q -- "$1" && return 0
            sleep 0.1
            i=$((i + 1))
        done
        return 1
    }
    wait_status() {
        i=0; while [ ! -s "$1" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    }
    # A write failing mid-run: the state says so, the screen stays, exit 1.
    mkdir -p "$T/wb" && cd "$T/wb" || exit 1
    tmux -f /dev/null new-session -d -s "$S" -x 120 -y 30 \
        "sh -c \"trap '' XFSZ; ulimit -f 8; exec '$BIN' $FAST --policy 1cycle --iters 100000\"; echo \$? > status; sleep 5"
    check "workbench: WRITE FAILED shown as the run's state" screen_has "WRITE FAILED" 15
    check "workbench: the file and reason on screen" screen_has "metrics.csv: File too large" 2
    sleep 0.5
    check "workbench: the screen stays up after the failure" test ! -s status
    tmux send-keys -t "$S" q
    wait_status status
    check "workbench: exits 1 after a write failure" test "$(cat status 2>/dev/null)" = 1
    check "workbench: metrics.csv ends with a complete row" \
        rows_complete "$(ls -d runs/*-1cycle)/metrics.csv" 10
    tmux kill-session -t "$S" 2>/dev/null

    # Closed during its range test: the iteration reached, the partial curve.
    tmux -f /dev/null new-session -d -s "$S" -x 120 -y 30 \
        "'$BIN' $FAST --iters 100000 --out rt; echo \$? > status2; sleep 5"
    check "workbench: range test starts" screen_has "RANGE TEST" 15
    sleep 1
    kill -HUP "$(pgrep -f "^$BIN .*--out rt" | head -1)"
    wait_status status2
    check "workbench: SIGHUP exits 130" test "$(cat status2 2>/dev/null)" = 130
    rt=$(ls -d rt/*-range-test 2>/dev/null | head -1)
    check "workbench: range test interrupted at its iteration" \
        grep -q "^[1-9][0-9]*,interrupted," "$rt/events.csv"
    check "workbench: partial rangetest.csv kept" test "$(wc -l < "$rt/rangetest.csv")" -gt 5
    check "workbench: suggestions marked partial" grep -q "^partial = yes" "$rt/suggestions.txt"
    tmux kill-session -t "$S" 2>/dev/null

    # ...and --resume takes the range test up where the signal stopped it.
    rows=$(wc -l < "$rt/metrics.csv")
    tmux -f /dev/null new-session -d -s "$S" -x 120 -y 30 \
        "'$BIN' --resume '$rt'; echo \$? > status3; sleep 5"
    check "workbench --resume: the range test goes on" screen_has "resumed the range test" 15
    sleep 1
    check "workbench --resume: new rows after the old ones" \
        test "$(wc -l < "$rt/metrics.csv")" -gt "$rows"
    tmux send-keys -t "$S" q
    sleep 0.3
    tmux send-keys -t "$S" y
    wait_status status3
    check "workbench --resume: quit mid-test exits 0" test "$(cat status3 2>/dev/null)" = 0
    check "workbench --resume: resumed, then interrupted again" sh -c \
        "grep -q ',resumed,' '$rt/events.csv' &&
         test \$(grep -c ',interrupted,' '$rt/events.csv') -eq 2"
    check "workbench --resume: no row twice" sh -c \
        "cut -d, -f1 '$rt/metrics.csv' | sort | uniq -d | grep -q . && exit 1 || exit 0"
    tmux kill-session -t "$S" 2>/dev/null
    cd "$T" || exit 1
fi

# ---- inputs ------------------------------------------------------------
# Small valid IDX files: 2 images of 4 x 4.
idx_dir() {
    mkdir -p "$1"
    { printf '\000\000\010\003\000\000\000\002\000\000\000\004\000\000\000\004'
      printf '0123456789abcdefghijklmnopqrstuv'; } > "$1/train-images-idx3-ubyte"
    printf '\000\000\010\001\000\000\000\002\001\002' > "$1/train-labels-idx1-ubyte"
    cp "$1/train-images-idx3-ubyte" "$1/t10k-images-idx3-ubyte"
    cp "$1/train-labels-idx1-ubyte" "$1/t10k-labels-idx1-ubyte"
}

idx_dir "$T/fifo"
rm "$T/fifo/t10k-labels-idx1-ubyte"
mkfifo "$T/fifo/t10k-labels-idx1-ubyte"
"$LRSCOPE" train --data "$T/fifo" --iters 5 --out "$T/fifo-run" >/dev/null 2>"$T/err" &
pid=$!
i=0
while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
wait "$pid"
check "FIFO in the data folder: refused at once (exit 2)" test $? -eq 2
check "FIFO named as such" stderr_has "t10k-labels-idx1-ubyte: is a FIFO"

idx_dir "$T/gz"
gzip -n "$T/gz/train-images-idx3-ubyte"
size=$(wc -c < "$T/gz/train-images-idx3-ubyte.gz")
head -c $((size - 4)) "$T/gz/train-images-idx3-ubyte.gz" > "$T/cut.gz"
mv "$T/cut.gz" "$T/gz/train-images-idx3-ubyte.gz"
expect_status 2 "gzip trailer cut off: refused" "$LRSCOPE" train --data "$T/gz" --iters 5 \
    --out "$T/gz-run"
check "says truncated before the trailer" stderr_has "truncated: the gzip stream ends before its trailer"

# A header announcing 2 GB in a sparse file, under a 1.5 GB address limit.
idx_dir "$T/big"
{ printf '\000\000\010\003\000\036\204\200\000\000\000\040\000\000\000\040'; } \
    > "$T/big/train-images-idx3-ubyte"
truncate -s $((16 + 2000000 * 1024)) "$T/big/train-images-idx3-ubyte"
printf '\000\000\010\001\000\036\204\200' > "$T/big/train-labels-idx1-ubyte"
truncate -s $((8 + 2000000)) "$T/big/train-labels-idx1-ubyte"
(ulimit -v 1500000; exec "$LRSCOPE" train --data "$T/big" --threads 1 --iters 5 \
    --out "$T/big-run") >/dev/null 2>"$T/err"
check "data larger than memory: refused (exit 2)" test $? -eq 2
check "says what it needs and what is available" stderr_has "needs 1.9 GB of memory but only"
check "no run folder for refused data" test ! -e "$T/big-run"

# A model that fits a 1.5 GB address limit only without room for OpenBLAS's
# work buffers (128 MB a thread, mapped mid-step): refused with its sizes, or
# where more room was left, trained; never OpenBLAS retrying for ever (the
# timeout turns a hang into a failure).
(ulimit -v 1500000; exec timeout -s KILL 60 "$LRSCOPE" train --data synthetic \
    --model mlp:8192,10500 --iters 1 --threads 2 --quiet --out "$T/ulimit") >/dev/null 2>"$T/err"
status=$?
check "a model at the address limit: refused or trained, not hung (exit $status)" \
    test "$status" -eq 2 -o "$status" -eq 0
if [ "$status" -eq 2 ]; then
    check "the refusal names the model's size" stderr_has "needs about .* but only"
fi

# ---- PNG targets that are not regular files ----------------------------
mkdir -p "$T/png"
ln -s /dev/null "$T/png/null.png"
expect_status 2 "plot -o a symlink to a device: refused" "$LRSCOPE" plot "$T/mid" -o "$T/png/null.png"
check "says it is a link" stderr_has "null.png: it is a symbolic link"
check "the link is untouched" test -L "$T/png/null.png"
mkfifo "$T/png/fifo.png"
expect_status 2 "plot -o a FIFO: refused" "$LRSCOPE" plot "$T/mid" -o "$T/png/fifo.png"
check "says it is a FIFO" stderr_has "it is a FIFO"
mkdir "$T/png/dir.png"
expect_status 2 "plot -o a folder: refused" "$LRSCOPE" plot "$T/mid" -o "$T/png/dir.png"
(trap '' XFSZ; ulimit -f 2; exec "$LRSCOPE" plot "$T/mid" -o "$T/png/big.png") 2>"$T/err"
check "PNG write error: exit 1" test $? -eq 1
check "PNG write error gives the reason" stderr_has "big.png: File too large"
check "no PNG and no temporary left" test -z "$(ls -A "$T/png" | grep -v 'null.png\|fifo.png\|dir.png')"

finish
