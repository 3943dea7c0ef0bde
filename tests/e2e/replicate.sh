#!/bin/sh
# `lrscope replicate` on the mini suite (the generated data, seconds): a
# suite stopped mid-way continues where it stopped (finished runs are not
# redone, a stopped training run resumes from its checkpoint), the report's
# numbers are those of the run folders, --report rebuilds it, and bad input
# is refused.
. "$(dirname "$0")/lib.inc"
T=$E2E_TMP
CHECK="$(dirname "$0")/replicate_check.py"

expect_status 0 "--list" "$LRSCOPE" replicate --list
check "--list names the suites" stdout_has "quick: a few minutes"
expect_status 0 "--list of one suite" "$LRSCOPE" replicate quick --list
check "it shows the conv range tests" stdout_has "range-test .*--model resnet:8"
expect_status 2 "an unknown suite" "$LRSCOPE" replicate nosuch
check "names the suites" stderr_has "use mini, quick, full"
expect_status 2 "--seeds 0" "$LRSCOPE" replicate mini --seeds 0
expect_status 2 "cifar without --data" "$LRSCOPE" replicate cifar
check "says what cifar needs" stderr_has "needs --data"
expect_status 2 "an unknown experiment" "$LRSCOPE" replicate mini --only nosuch --out "$T/x"
expect_status 2 "--report of a folder without a suite" "$LRSCOPE" replicate --report "$T"

# Stopped while a training run is half way (it checkpoints on the signal).
"$LRSCOPE" replicate mini --out "$T/r" --jobs 2 >/dev/null 2>"$T/err1" &
pid=$!
i=0
while [ $i -lt 600 ]; do
    i=$((i + 1))
    busy=$(for f in "$T"/r/short-vs-long/*/metrics.csv; do
        [ -f "$f" ] || continue
        d=$(dirname "$f")
        grep -q ',done,' "$d/events.csv" 2>/dev/null && continue
        [ "$(wc -l < "$f")" -gt 50 ] && echo "$d"
    done | head -n 1)
    [ -n "$busy" ] && break
    sleep 0.05
done
check "a training run got under way" test -n "$busy"
kill -TERM "$pid"
wait "$pid"
check "stopped: exit 130" test $? -eq 130
check "stopped: says how to continue" grep -q "continue with the same command" "$T/err1"
check "stopped: the run is interrupted" grep -q ',interrupted,' "$busy/events.csv"
check "stopped: it has a checkpoint" test -s "$busy/checkpoint"
check "stopped: a partial report" test -s "$T/r/report.md"
# What finished before the stop, byte for byte.
find "$T/r" -name events.csv | while read -r f; do
    d=$(dirname "$f")
    if grep -q ',done,' "$f" || grep -q '^partial = no' "$d/suggestions.txt" 2>/dev/null; then
        cksum "$d/metrics.csv"
    fi
done | sort > "$T/finished-before"
check "some runs finished before the stop" test -s "$T/finished-before"

expect_status 0 "the same command continues" "$LRSCOPE" replicate mini --out "$T/r" --jobs 2
check "it counts the finished runs" stderr_has "finished before"
check "the stopped run resumed" grep -q ',resumed,' "$busy/events.csv"
n_before=$(wc -l < "$T/finished-before")
n_kept=$(find "$T/r" -name metrics.csv -exec cksum {} + | sort | comm -12 - "$T/finished-before" | wc -l)
check "finished runs were not redone ($n_kept of $n_before kept)" test "$n_kept" -eq "$n_before"
check "every training run is done once" test "$(cat "$T"/r/*/*/events.csv | grep -c ',done,')" -eq 12
check "every range test finished" test "$(grep -l '^partial = no' "$T"/r/signature/*/suggestions.txt | wc -l)" -eq 4
check "the report's numbers are the run folders'" python3 "$CHECK" "$T/r"
check "a summary of verdicts" grep -q '^| 3 | Weight decay at a large LR | ' "$T/r/report.md"

# --report rebuilds the same report from the folders.
grep -v '^Suite `mini`' "$T/r/report.md" > "$T/report-1"
rm "$T/r/report.md" "$T"/r/fig-*.png
expect_status 0 "--report" "$LRSCOPE" replicate --report "$T/r"
grep -v '^Suite `mini`' "$T/r/report.md" > "$T/report-2"
check "the same report" cmp -s "$T/report-1" "$T/report-2"
check "the figures again" test -s "$T/r/fig-signature.png"
expect_status 0 "a third run does nothing" "$LRSCOPE" replicate mini --out "$T/r"
check "all finished before" stderr_has "16 runs (16 finished before)"
# An experiment with more runs than one figure overlays gets several
# figures, each naming its runs: the 8 runs of the full suite's limited-data
# experiment (finished mini runs copied in their place) make two of 4.
mkdir -p "$T/f/limited-data"
printf 'suite = full\ndata = synthetic\nseeds = 1\ncommand = x\n' > "$T/f/suite.txt"
set -- "$T"/r/short-vs-long/*-s? "$T"/r/weight-decay/*-s?
for name in 1cycle-5k step-3x-5k 1cycle-10k step-3x-10k 1cycle-20k step-3x-20k 1cycle-all \
            step-3x-all; do
    cp -r "$1" "$T/f/limited-data/$name-s1"
    shift
done
: > "$T/f/fig-limited-data.png"
expect_status 0 "--report of 8 runs" "$LRSCOPE" replicate --report "$T/f"
check "two figures" test -s "$T/f/fig-limited-data-1.png" -a -s "$T/f/fig-limited-data-2.png"
check "no third" test ! -e "$T/f/fig-limited-data-3.png"
check "the single figure of before is gone" test ! -e "$T/f/fig-limited-data.png"
check "the first names its runs" grep -q '^\*Figure 1 of 2, seed 1: 1cycle-5k, step-3x-5k, 1cycle-10k, step-3x-10k\.\*$' "$T/f/report.md"
check "the second names its runs" grep -q '^\*Figure 2 of 2, seed 1: 1cycle-20k, step-3x-20k, 1cycle-all, step-3x-all\.\*$' "$T/f/report.md"

expect_status 2 "another suite into the same folder" "$LRSCOPE" replicate quick --out "$T/r"
check "says what the folder holds" stderr_has "holds the mini suite on synthetic"
finish
