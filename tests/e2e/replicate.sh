#!/bin/sh
# `lrscope replicate` on the mini suite (the generated data, seconds): a
# suite stopped mid-way continues where it stopped (finished runs are not
# redone, a stopped training run or range test resumes from its
# checkpoint), the report's numbers are those of the run folders, --report
# rebuilds it, a report uses every seed finished in the folder (also beyond
# --seeds) and every run in its figures, and bad input is refused.
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
n_done=0
for d in "$T"/r/*/*/; do
    [ -e "$d/rangetest.csv" ] && continue   # range tests end with a done event of their own
    n_done=$((n_done + $(grep -c ',done,' "$d/events.csv")))
done
check "every training run is done once ($n_done)" test "$n_done" -eq 12
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
# A folder with more seeds than asked: the report uses every seed finished
# there, and says so.
section() { sed -n "/^## $1\\. /,/^## /p" "$T/r/report.md"; }
section_has() { section "$1" | grep -q -- "$2"; }
seeds_in() { section_has "$1" "^| run | seed 1 | seed 2 |$2 mean"; }
expect_status 0 "a third seed of one experiment" "$LRSCOPE" replicate mini --out "$T/r" --seeds 3 --only weight-decay
check "it ran three runs of seed 3" test "$(ls -d "$T"/r/weight-decay/*-s3 | wc -l)" -eq 3
expect_status 0 "the suite again with --seeds 2" "$LRSCOPE" replicate mini --out "$T/r" --seeds 2
check "nothing to run" stderr_has "16 runs (16 finished before)"
check "suite.txt records the 2 seeds asked" grep -q '^seeds = 2$' "$T/r/suite.txt"
check "weight decay shows seed 3" seeds_in 3 " seed 3 |"
check "the signature shows 2 seeds" seeds_in 1 ""
check "short-vs-long shows 2 seeds" seeds_in 2 ""
check "the section says where seed 3 comes from" section_has 3 '2 asked; seed 3 was finished in this folder'
check "the header says so too" grep -q 'are used too: weight-decay (seeds 1-3)' "$T/r/report.md"
check "its rerun command asks for 3 seeds" grep -q -- '--seeds 3 --out .* --only weight-decay' "$T/r/report.md"
check "seed 3's numbers are the run folders'" python3 "$CHECK" "$T/r"
grep -v '^Suite `mini`' "$T/r/report.md" > "$T/report-3"
expect_status 0 "--report with more seeds on disk" "$LRSCOPE" replicate --report "$T/r"
grep -v '^Suite `mini`' "$T/r/report.md" > "$T/report-4"
check "the same report" cmp -s "$T/report-3" "$T/report-4"
# Seed 3 with a run missing is left out, and the report says why.
mv "$T/r/weight-decay/wd-1e-5-s3" "$T/wd-1e-5-s3"
expect_status 0 "--report with seed 3 incomplete" "$LRSCOPE" replicate --report "$T/r"
check "weight decay back to 2 seeds" seeds_in 3 ""
check "it names the incomplete seed" section_has 3 'Seed 3 is in this folder with 2 of 3 runs finished'
mv "$T/wd-1e-5-s3" "$T/r/weight-decay/wd-1e-5-s3"

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

# A range test stopped part way resumes from its checkpoint too. The mini
# suite's sweeps end in well under a second, too fast to stop reliably: one
# is replaced by a longer sweep stopped by a signal, as a suite stopped
# there would have left it.
rt="$T/r/signature/mlp-bn-s1"
rm -rf "$rt"
"$LRSCOPE" range-test --data synthetic --model mlp-bn:512,512 --iters 3000 --threads 1 \
    --quiet --out "$rt" >/dev/null 2>&1 &
pid=$!
i=0
while [ $i -lt 200 ] && [ "$(cat "$rt/metrics.csv" 2>/dev/null | wc -l)" -lt 50 ]; do
    sleep 0.05; i=$((i + 1))
done
kill -INT "$pid"
wait "$pid"
check "a stopped range test: its suggestions partial" grep -q '^partial = yes' "$rt/suggestions.txt"
expect_status 0 "the suite continues" "$LRSCOPE" replicate mini --out "$T/r"
check "  ...resuming the range test" stderr_has "resuming signature/mlp-bn-s1"
check "  ...which ends whole" grep -q '^partial = no' "$rt/suggestions.txt"
check "  ...from its checkpoint" grep -q ',resumed,' "$rt/events.csv"
finish
