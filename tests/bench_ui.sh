#!/bin/sh
# bench_ui.sh — what the UI costs as runs grow: the UI thread's CPU (percent
# of one core) and the process' resident memory, for `lrscope watch` on a
# Lightning-style log of N rows and for the workbench training N iterations.
# A benchmark, not a test: `make test` does not run it; run it on a quiet
# machine.
#
#   sh tests/bench_ui.sh watch 10000 1000000 5000000
#   sh tests/bench_ui.sh workbench 10000 200000
#
# watch: the log is written, then followed; "idle" is CPU while nothing is
# appended, "growing" while a writer appends 500 rows a second (a fast
# trainer's log), both over SECONDS (default 5) at the default 5 frames/s.
# workbench: a --model mlp:8 --batch 16 run (constant lr 0.01) of N iterations on the generated
# set; "training" is the UI thread's CPU over the run's last seconds (the
# session thread, which trains, is not counted), "idle" after DONE.
: "${LRSCOPE:=./build/lrscope}"
: "${SECONDS_EACH:=5}"
BIN=$(cd "$(dirname "$LRSCOPE")" && pwd)/$(basename "$LRSCOPE")
mode=$1; shift
T=$(mktemp -d /tmp/lrscope-bench.XXXXXX)
S="lrscope-bench-$$"
trap 'tmux kill-session -t "$S" 2>/dev/null; rm -rf "$T"' EXIT
HZ=$(getconf CLK_TCK)

# ticks PID [TID]: user + system clock ticks of a process or one thread.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/task/${2:-$1}/stat"; }
rss_mb() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
# cpu PID SECONDS: percent of one core the thread PID used over SECONDS.
cpu() {
    a=$(ticks "$1"); sleep "$2"; b=$(ticks "$1")
    awk -v d=$((b - a)) -v hz="$HZ" -v s="$2" 'BEGIN { printf "%.1f", 100 * d / hz / s }'
}
screen() { tmux capture-pane -p -t "$S"; }
wait_for() {
    i=0
    while ! screen | grep -q -- "$1"; do
        sleep 0.2; i=$((i + 1)); [ $i -lt $(($2 * 5)) ] || return 1
    done
}
ui_pid() { pgrep -n -f -- "$1"; }

lightning_log() {
    awk -v n="$1" 'BEGIN {
        print "epoch,lr-SGD,step,train_loss_step,val_acc,val_loss"
        for (s = 0; s < n; s++) {
            printf "%d,%.6g,%d,%.6g,,\n", s / 1000, 0.1 * (1 + sin(s / 5000)), s,
                   2 / (1 + s / 1e5) + 0.1 * sin(s * 1.7)
            if (s % 1000 == 999)
                printf "%d,,%d,,%.4f,%.4f\n", s / 1000, s, 0.9 - 0.5 / (1 + s / 1e5),
                       1 / (1 + s / 1e5)
        }
    }' > "$2"
}

case $mode in
watch)
    printf '%10s %10s %10s %10s %10s\n' rows load_s idle_% growing_% rss_MB
    for n in "$@"; do
        lightning_log "$n" "$T/metrics.csv"
        start=$(date +%s.%N)
        tmux -f /dev/null new-session -d -s "$S" -x 160 -y 50 \
            "LANG=C.UTF-8 LC_ALL=C.UTF-8 '$BIN' watch $T/metrics.csv; sleep 1"
        total=$((n + n / 1000))
        wait_for " $total rows" 600 || { echo "not all rows read"; screen | head -2; exit 1; }
        load=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
        pid=$(ui_pid "$BIN watch $T/metrics.csv")
        idle=$(cpu "$pid" "$SECONDS_EACH")
        awk -v n="$n" -v secs="$SECONDS_EACH" 'BEGIN {
            for (s = n; s < n + 500 * secs; s++) {
                printf "%d,%.6g,%d,%.6g,,\n", s / 1000, 0.1, s, 1.0 >> ARGV[1]
                fflush(ARGV[1])
                if (s % 50 == 0) system("sleep 0.1")
            }
        }' "$T/metrics.csv" &
        writer=$!
        grow=$(cpu "$pid" "$SECONDS_EACH")
        wait "$writer"
        printf '%10s %10s %10s %10s %10s\n' "$n" "$load" "$idle" "$grow" "$(rss_mb "$pid")"
        tmux kill-session -t "$S"
        sleep 0.5
    done
    ;;
workbench)
    printf '%10s %12s %10s %10s\n' iters training_% idle_% rss_MB
    for n in "$@"; do
        (cd "$T" && tmux -f /dev/null new-session -d -s "$S" -x 160 -y 50 \
            "LANG=C.UTF-8 LC_ALL=C.UTF-8 '$BIN' --data synthetic --model mlp:8 --batch 16 \
             --threads 1 --policy const --lr 0.01 --iters $n --eval-every 5000 --out $T/runs; sleep 1")
        sleep 1
        pid=$(ui_pid "$BIN --data synthetic --model mlp:8")
        # The UI thread (its id is the process') over the run's last full
        # window before DONE: the cost when the most points are stored.
        wait_for "RUNNING" 60
        train=
        while ! screen | grep -q DONE; do
            c=$(cpu "$pid" "$SECONDS_EACH")
            screen | grep -q DONE || train=$c
        done
        idle=$(cpu "$pid" "$SECONDS_EACH")
        printf '%10s %12s %10s %10s\n' "$n" "$train" "$idle" "$(rss_mb "$pid")"
        tmux send-keys -t "$S" q
        sleep 0.5
        tmux kill-session -t "$S" 2>/dev/null
    done
    ;;
*)
    echo "usage: sh tests/bench_ui.sh watch|workbench N..." >&2
    exit 2
    ;;
esac
