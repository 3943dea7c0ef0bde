#!/bin/sh
# The real workbench built with sanitizers (ASan+UBSan for make san,
# ThreadSanitizer for make tsan), run for a bounded number of frames in tmux
# while keys arrive: a range test, a run, live edits, a resize. Passes when
# it exits 0 and the sanitizers report nothing.
#
# While curses owns the screen lrscope sends stderr to a file, so a report
# printed there could go unseen: every sanitizer writes to its own log_path
# instead, the first report stops the process (abort_on_error, halt_on_error:
# the exit status shows it too), and any log file fails the test.
# Needs LRSCOPE_SAN (the sanitizer build); skipped when it is not given.
. "$(dirname "$0")/lib.inc"

if [ -z "${LRSCOPE_SAN:-}" ]; then
    echo "  sanitized.sh: skipped (run through make san)"
    exit 0
fi
S="lrscope-san-$$"
BIN=$(cd "$(dirname "$LRSCOPE_SAN")" && pwd)/$(basename "$LRSCOPE_SAN")
cd "$E2E_TMP" || exit 1
tmux -f /dev/null new-session -d -s "$S" -x 100 -y 32 \
    "ASAN_OPTIONS=log_path=$E2E_TMP/asan:detect_leaks=1:abort_on_error=1 \
     UBSAN_OPTIONS=log_path=$E2E_TMP/ubsan:print_stacktrace=1:halt_on_error=1 \
     TSAN_OPTIONS=log_path=$E2E_TMP/tsan:halt_on_error=1 \
     '$BIN' --data synthetic --threads 1 --fps 20 --frames 400 --iters 300 --screenshot shot.png; echo \$? > status; sleep 5"
trap 'tmux kill-session -t "$S" 2>/dev/null; rm -rf "$E2E_TMP"' EXIT
sleep 3
for k in "?" x ":iters 400" Enter 1 "]" "[" ":lr 0.05 0.5" Enter R w W m M g x P S space space; do
    tmux send-keys -t "$S" "$k"
    sleep 0.3
done
tmux resize-window -t "$S" -x 40 -y 10; sleep 0.5
tmux resize-window -t "$S" -x 100 -y 32
i=0; while [ ! -s status ] && [ "$i" -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
check "sanitized workbench exits 0" test "$(cat status 2>/dev/null)" = 0
check "screenshot written on exit" test -s shot.png
reports=$(ls "$E2E_TMP"/asan* "$E2E_TMP"/ubsan* "$E2E_TMP"/tsan* 2>/dev/null)
check "no sanitizer reports" test -z "$reports"
[ -n "$reports" ] && head -30 $reports
finish
