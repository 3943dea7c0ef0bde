#!/bin/sh
# Runs that survive, from a user's side: `train --config` repeats a run byte
# for byte, a run or range test stopped by a signal and resumed ends as if
# never stopped, a finished run is not trained again, and bad checkpoints or configs are
# refused without touching the run folder.
. "$(dirname "$0")/lib.inc"
T=$E2E_TMP
RUN="--data synthetic --model mlp-bn:64 --threads 1 --quiet --policy clr --lr-min 0.05 --lr-max 0.5"

expect_status 0 "a short run" "$LRSCOPE" train $RUN --iters 400 --eval-every 25 --out "$T/a"
check "it leaves a checkpoint" test -s "$T/a/checkpoint"
expect_status 0 "train --config repeats it" "$LRSCOPE" train --config "$T/a/config" --out "$T/b"
check "byte-identical metrics.csv" cmp -s "$T/a/metrics.csv" "$T/b/metrics.csv"
check "the same config" cmp -s "$T/a/config" "$T/b/config"
# Options before --config are replaced by it, the schedule's too; after it, they win.
expect_status 0 "--iters before --config" "$LRSCOPE" train --iters 7 --lr-max 3 \
    --config "$T/a/config" --out "$T/before"
check "  ...gives the config's run" cmp -s "$T/a/config" "$T/before/config"
expect_status 0 "--iters after --config" "$LRSCOPE" train --config "$T/a/config" --iters 7 \
    --out "$T/after"
check "  ...shortens it" grep -qx "sched.total = 7" "$T/after/config"

# Edits in the config are replayed at their iterations (the workbench
# writes them as it applies live edits).
cp "$T/a/config" "$T/edited"
printf 'edit = 40 set_bounds 0.01 0.2\nedit = 90 restart\n' >> "$T/edited"
expect_status 0 "a config with edits" "$LRSCOPE" train --config "$T/edited" --out "$T/c"
check "the edit is an event" grep -q '^40,set_bounds,' "$T/c/events.csv"
check "the restart is an event" grep -q '^90,restart,' "$T/c/events.csv"
check "the restart lengthens the run" test "$(tail -n 1 "$T/c/metrics.csv" | cut -d, -f1)" -eq 489

# interrupted DIR ARGS...: runs lrscope ARGS... --out DIR in the background
# and sends SIGINT once DIR/metrics.csv has 150 lines (or after 10 s); its
# stderr goes to $T/err, and its exit status is this function's.
interrupted() {
    dir=$1
    shift
    "$LRSCOPE" "$@" --out "$dir" >/dev/null 2>"$T/err" &
    pid=$!
    n=0
    while [ "$n" -lt 200 ] && [ "$(cat "$dir/metrics.csv" 2>/dev/null | wc -l)" -lt 150 ]; do
        sleep 0.05; n=$((n + 1))
    done
    kill -INT "$pid"
    wait "$pid"
}

# Stopped by SIGINT mid-run, then resumed: the same bytes as straight.
LONG="--model mlp-bn:256,256 --iters 2500"
"$LRSCOPE" train --config "$T/edited" $LONG --out "$T/s" >/dev/null 2>&1
# The signal comes after the edit and the restart (rows 40 and 90), mid-run.
interrupted "$T/i" train --config "$T/edited" $LONG
check "interrupted: exit 130" test $? -eq 130
check "interrupted: says how to continue" grep -q "lrscope resume" "$T/err"
check "interrupted: an event" grep -q ',interrupted,' "$T/i/events.csv"
expect_status 0 "resume continues it" "$LRSCOPE" resume "$T/i" --quiet
check "resumed: a resumed event" grep -q ',resumed,' "$T/i/events.csv"
check "resumed: byte-identical metrics.csv" cmp -s "$T/s/metrics.csv" "$T/i/metrics.csv"
expect_status 0 "a finished run is not resumed" "$LRSCOPE" resume "$T/i"
check "says it finished" stdout_has "finished at iteration"
expect_status 0 "...quietly with --quiet" "$LRSCOPE" resume "$T/i" --quiet
check "  ...saying nothing" test ! -s "$E2E_TMP/out"
# A new run never writes over a finished one: refused before the data loads,
# the folder unchanged.
cp "$T/i/metrics.csv" "$T/before.csv"
expect_status 2 "a new run into a run's folder is refused" "$LRSCOPE" train $RUN --iters 5 \
    --out "$T/i"
check "it says the folder holds a run" stderr_has "already holds a run"
check "the run's rows are untouched" cmp -s "$T/before.csv" "$T/i/metrics.csv"
expect_status 2 "a range test into it is refused" "$LRSCOPE" range-test --data synthetic \
    --threads 1 --quiet --iters 20 --out "$T/i"

# A range test stopped by a signal resumes too: the same curve, the same
# suggestions as the sweep that went straight through.
SWEEP="--data synthetic --model mlp-bn:256,256 --threads 1 --quiet --iters 600 --eval-every 20"
"$LRSCOPE" range-test $SWEEP --out "$T/rs" >/dev/null 2>&1
interrupted "$T/ri" range-test $SWEEP
check "range test interrupted: exit 130" test $? -eq 130
check "range test interrupted: says how to continue" grep -q "lrscope resume .*ri" "$T/err"
check "range test interrupted: its suggestions marked partial" \
    grep -q "^partial = yes" "$T/ri/suggestions.txt"
expect_status 0 "resume continues the range test" "$LRSCOPE" resume "$T/ri" --quiet
for f in rangetest.csv metrics.csv suggestions.txt; do
    check "range test resumed: byte-identical $f" cmp -s "$T/rs/$f" "$T/ri/$f"
done
expect_status 0 "an ended range test is not resumed" "$LRSCOPE" resume "$T/ri"
check "says it ended" stdout_has "is a range test that ended (.* after [0-9]* iterations)"
# Its files lost after its last checkpoint (a crash, a full disk): resume
# writes them again, the same bytes, and no second stop event.
rm "$T/ri/rangetest.csv" "$T/ri/suggestions.txt"
expect_status 0 "resume writes an ended range test's missing files" "$LRSCOPE" resume "$T/ri"
for f in rangetest.csv suggestions.txt; do
    check "written again: byte-identical $f" cmp -s "$T/rs/$f" "$T/ri/$f"
done
check "one stop event" test "$(grep -c ',stopped,\|,diverged,' "$T/ri/events.csv")" -eq \
    "$(grep -c ',stopped,\|,diverged,' "$T/rs/events.csv")"

# Refusals leave the folder as it was.
cp -r "$T/a" "$T/bad"
head -c 1000 "$T/a/checkpoint" > "$T/bad/checkpoint"
sed -i '$d' "$T/bad/metrics.csv"
cp "$T/bad/metrics.csv" "$T/bad-metrics"
expect_status 2 "a truncated checkpoint" "$LRSCOPE" resume "$T/bad"
check "names the file" stderr_has "bad/checkpoint is truncated"
check "metrics.csv untouched" cmp -s "$T/bad/metrics.csv" "$T/bad-metrics"
sed -i 's/^model = .*/model = mlp:32/' "$T/bad/config"
cp "$T/a/checkpoint" "$T/bad/checkpoint"
printf '\000' | dd of="$T/bad/checkpoint" bs=1 seek=20 conv=notrunc 2>/dev/null
expect_status 2 "a corrupt checkpoint" "$LRSCOPE" resume "$T/bad"
check "CRC mismatch named" stderr_has "CRC mismatch"
expect_status 2 "no run folder" "$LRSCOPE" resume "$T/nowhere"
expect_status 2 "options that change the run" "$LRSCOPE" resume "$T/a" --lr-max 3
expect_status 2 "a negative interval" "$LRSCOPE" resume "$T/a" --checkpoint-every -1
check "is named as out of range, not as an option" stderr_has "'-1' is out of range"

# A checkpoint belongs to its run: another run's checkpoint, a config edited
# since, or rows missing from metrics.csv are refused, the folder unchanged.
interrupted "$T/x1" train $RUN --iters 2500
interrupted "$T/x2" train $RUN --iters 2500 --seed 7
cp -r "$T/x1" "$T/foreign"
cp "$T/x2/checkpoint" "$T/foreign/checkpoint"
cp "$T/foreign/metrics.csv" "$T/foreign-metrics"
expect_status 2 "another run's checkpoint" "$LRSCOPE" resume "$T/foreign" --quiet
check "says it is not this run's" stderr_has "not written by the run its config describes"
check "its metrics.csv untouched" cmp -s "$T/foreign/metrics.csv" "$T/foreign-metrics"
cp -r "$T/x1" "$T/edited-config"
sed -i 's/^seed = .*/seed = 5/' "$T/edited-config/config"
expect_status 2 "a config edited since the checkpoint" "$LRSCOPE" resume "$T/edited-config"
cp -r "$T/x1" "$T/gap"
truncate -s 500 "$T/gap/metrics.csv"
cp "$T/gap/metrics.csv" "$T/gap-metrics"
expect_status 2 "rows missing before the checkpoint" "$LRSCOPE" resume "$T/gap" --quiet
check "says it would leave a gap" stderr_has "resuming would leave a gap"
check "the short metrics.csv untouched" cmp -s "$T/gap/metrics.csv" "$T/gap-metrics"
expect_status 0 "the run itself resumes, on another thread count" \
    "$LRSCOPE" resume "$T/x1" --quiet --threads 2

printf 'model = mlp:8\nlearning_rate = 3\n' > "$T/cfg"
expect_status 2 "an unknown config key" "$LRSCOPE" train --config "$T/cfg"
check "names file, line and key" stderr_has "cfg line 2: learning_rate: unknown key"
printf 'wd = -1\n' > "$T/cfg"
expect_status 2 "a bad config value" "$LRSCOPE" train --config "$T/cfg"
check "says what is allowed" stderr_has "line 1: wd: '-1' is out of range: give a weight decay"
expect_status 2 "a missing config" "$LRSCOPE" train --config "$T/none"
expect_status 2 "--train-size above the data" "$LRSCOPE" train --data synthetic --train-size 999999
check "says how many there are" stderr_has "is more than the"
# A folder another lrscope is writing (a resume typed in a second SSH
# session) is refused before anything in it changes.
"$LRSCOPE" train $RUN --iters 100000 --out "$T/busy" >/dev/null 2>&1 &
pid=$!
n=0
while [ "$n" -lt 200 ] && [ ! -s "$T/busy/checkpoint" ]; do sleep 0.05; n=$((n + 1)); done
expect_status 2 "resuming a folder being written is refused" "$LRSCOPE" resume "$T/busy" --quiet
check "it says another process writes it" stderr_has "being written by another lrscope process"
expect_status 2 "training into it is refused" "$LRSCOPE" train $RUN --iters 10 --out "$T/busy"
kill -INT "$pid"
wait "$pid"
check "the writer's files are its own: one header, one interruption" sh -c \
    "test \$(grep -c '^iter,' '$T/busy/events.csv') -eq 1 &&
     test \$(grep -c ',interrupted,' '$T/busy/events.csv') -eq 1 &&
     test \$(grep -c '^iter,' '$T/busy/metrics.csv') -eq 1"
"$LRSCOPE" resume "$T/busy" --quiet >/dev/null 2>&1 &
pid=$!
n=0
while [ "$n" -lt 200 ] && ! grep -q ',resumed,' "$T/busy/events.csv"; do sleep 0.05; n=$((n + 1)); done
check "once the writer has stopped, the folder resumes" grep -q ',resumed,' "$T/busy/events.csv"
kill -INT "$pid"
wait "$pid"

finish
