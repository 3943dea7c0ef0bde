#!/bin/sh
# `lrscope plot` from a user's side: two short runs overlaid in one PNG,
# chosen panels and sizes, a range test against LR, hand-written CSVs with
# their own column order, and refusals (exit status 2) for bad input.
. "$(dirname "$0")/lib.inc"

# is_png FILE: the file starts with the PNG signature.
is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; }

# png_size_is FILE W H: the IHDR chunk says W x H pixels.
png_size_is() {
    set -- "$1" "$2" "$3" $(od -An -tu1 -j16 -N8 "$1")
    [ $(( ($4 << 24) + ($5 << 16) + ($6 << 8) + $7 )) -eq "$2" ] &&
        [ $(( ($8 << 24) + ($9 << 16) + (${10} << 8) + ${11} )) -eq "$3" ]
}

a="$E2E_TMP/onecycle"
b="$E2E_TMP/step"
expect_status 0 "1cycle run" "$LRSCOPE" train --data synthetic --iters 80 --threads 1 \
    --quiet --policy 1cycle --out "$a"
expect_status 0 "step run" "$LRSCOPE" train --data synthetic --iters 80 --threads 1 \
    --quiet --policy step --lr 0.1 --stepsize 30 --out "$b"

png="$E2E_TMP/fig.png"
expect_status 0 "plot two runs overlaid" "$LRSCOPE" plot "$a" "$b" -o "$png"
check "the figure exists" test -s "$png"
check "it is a PNG" is_png "$png"
check "says where it wrote" stderr_has "wrote $png"
check "default: four panels, two a row, at scale 2" png_size_is "$png" 2560 1200
expect_status 0 "the same runs again" "$LRSCOPE" plot "$a" "$b" -o "$E2E_TMP/again.png"
check "same input, same bytes" cmp -s "$png" "$E2E_TMP/again.png"
check "no temporary files left" test "$(ls -A "$E2E_TMP" | grep -c tmp)" -eq 0

expect_status 0 "chosen panels, size and scale" "$LRSCOPE" plot "$a" -o "$E2E_TMP/small.png" \
    --panels loss,acc --width 600 --height 400 --scale 1
check "the size asked for" png_size_is "$E2E_TMP/small.png" 600 400

# Columns are found by name: a hand-written folder with its own order.
hand="$E2E_TMP/hand"
mkdir -p "$hand"
printf 'test_acc,lr,iter,train_loss\n,0.1,0,2.3\n0.5,0.1,1,1.9\n,0.05,2,1.5\n0.7,0.05,3,1.2\n' \
    > "$hand/metrics.csv"
expect_status 0 "columns in another order" "$LRSCOPE" plot "$hand" -o "$E2E_TMP/hand.png"
check "hand-written figure is a PNG" is_png "$E2E_TMP/hand.png"

if "$LRSCOPE" range-test --help >/dev/null 2>&1; then
    rt="$E2E_TMP/range"
    expect_status 0 "a short range test" "$LRSCOPE" range-test --data synthetic --iters 60 \
        --threads 1 --quiet --out "$rt"
    expect_status 0 "plot the range test" "$LRSCOPE" plot "$rt" -o "$E2E_TMP/range.png"
    check "range test: loss over accuracy, one panel wide" png_size_is "$E2E_TMP/range.png" 1600 1200
fi

expect_status 2 "output folder missing" "$LRSCOPE" plot "$a" -o "$E2E_TMP/nowhere/fig.png"
check "names the path" stderr_has "nowhere/fig.png"
check "leaves nothing behind" test ! -e "$E2E_TMP/nowhere"
expect_status 2 "output is a folder" "$LRSCOPE" plot "$a" -o "$E2E_TMP"
expect_status 2 "no output given" "$LRSCOPE" plot "$a"
expect_status 2 "missing run folder" "$LRSCOPE" plot "$E2E_TMP/missing" -o "$png"
check "names the folder" stderr_has "missing"
mkdir -p "$E2E_TMP/empty"
expect_status 2 "folder without metrics.csv" "$LRSCOPE" plot "$E2E_TMP/empty" -o "$png"
check "names metrics.csv" stderr_has "metrics.csv"
expect_status 2 "unknown panel" "$LRSCOPE" plot "$a" -o "$png" --panels loss,bogus
check "lists the panels" stderr_has "loss, acc, lr, range"
expect_status 2 "range panel without a range test" "$LRSCOPE" plot "$a" -o "$png" --panels range
expect_status 2 "bad width" "$LRSCOPE" plot "$a" -o "$png" --width 0
rm -f "$png"
expect_status 2 "a width too large at its scale" "$LRSCOPE" plot "$a" -o "$png" --width 8000 --scale 8
check "says the pixel limit" stderr_has "64000 pixels: at most 16384"
check "no figure written" test ! -e "$png"
expect_status 0 "help" "$LRSCOPE" plot --help
check "help lists --panels" stdout_has "--panels"

finish
