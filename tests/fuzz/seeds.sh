#!/bin/sh
# seeds.sh TARGET DIR — writes the seed corpus of a fuzz harness into DIR:
# small valid inputs and the corrupt variants the loaders must refuse, so
# the fuzzer starts from files that reach deep into the parsers. Each loader
# input is two files in the layout of memfile.h: a two-byte big-endian
# length, the first file, then the second.
set -eu
target=$1
dir=$2
mkdir -p "$dir"
export LC_ALL=C
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lrscope-seeds.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

byte() { printf "\\$(printf '%03o' $(($1 & 255)))"; }
be16() { byte $(($1 >> 8)); byte "$1"; }
be32() { byte $(($1 >> 24)); byte $(($1 >> 16)); byte $(($1 >> 8)); byte "$1"; }
# n bytes of a fixed pattern (no NUL: awk's %c cannot print it everywhere)
pattern() { awk -v n="$1" -v k="${2:-37}" 'BEGIN { for (i = 0; i < n; i++) printf "%c", (i * k) % 255 + 1 }'; }
# n bytes each below 10: labels
labels() { awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "%c", 48 + i % 10 }' | tr '0-9' '\000-\011'; }
# pair NAME FILE_A FILE_B: one seed
pair() { { be16 "$(wc -c < "$2")"; cat "$2" "$3"; } > "$dir/$1"; }

idx_images() {   # n rows cols pixel_bytes
    { be32 2051; be32 "$1"; be32 "$2"; be32 "$3"; pattern "$4"; } > "$tmp/img"
}
idx_labels() {   # n label_bytes
    { be32 2049; be32 "$1"; labels "$2"; } > "$tmp/lab"
}

case $target in
idx)
    idx_images 3 4 4 48; idx_labels 3 3
    pair good "$tmp/img" "$tmp/lab"
    gzip -n -c "$tmp/img" > "$tmp/img.gz"; gzip -n -c "$tmp/lab" > "$tmp/lab.gz"
    pair good-gz "$tmp/img.gz" "$tmp/lab.gz"
    pair mixed "$tmp/img.gz" "$tmp/lab"
    head -c $(($(wc -c < "$tmp/img.gz") - 4)) "$tmp/img.gz" > "$tmp/cut.gz"
    pair gz-trailer-cut "$tmp/cut.gz" "$tmp/lab.gz"
    pair swapped "$tmp/lab" "$tmp/img"
    idx_images 3 4 4 40; pair short-pixels "$tmp/img" "$tmp/lab"
    idx_images 3 4 4 60; pair extra-bytes "$tmp/img" "$tmp/lab"
    idx_images 1000000 28 28 48; pair huge-count "$tmp/img" "$tmp/lab"
    idx_images 3 4 4 48; idx_labels 4 4; pair count-mismatch "$tmp/img" "$tmp/lab"
    { be32 2049; be32 3; byte 1; byte 12; byte 3; } > "$tmp/lab"
    pair label-range "$tmp/img" "$tmp/lab"
    idx_images 2 28 28 1568; idx_labels 2 2; pair mnist-like "$tmp/img" "$tmp/lab"
    ;;
cifar)
    record() { byte "$1"; pattern 3072 "$2"; }   # label, pixel pattern
    { record 0 37; record 9 41; } > "$tmp/train"; record 3 43 > "$tmp/test"
    pair good "$tmp/train" "$tmp/test"
    { record 0 37; record 10 41; } > "$tmp/bad"; pair label-range "$tmp/bad" "$tmp/test"
    head -c 3000 "$tmp/test" > "$tmp/cut"; pair truncated "$tmp/train" "$tmp/cut"
    : > "$tmp/empty"; pair empty-test "$tmp/train" "$tmp/empty"
    ;;
checkpoint)
    # One file each (no length prefix): checkpoints of the run
    # fuzz_checkpoint.c rebuilds, written by the lrscope given in $LRSCOPE.
    bin=${LRSCOPE:-build/lrscope}
    run="--data synthetic --train-size 256 --model linear --batch 32 --threads 1 --quiet"
    "$bin" range-test $run --iters 40 --out "$tmp/ended" >/dev/null 2>&1 || true
    cp "$tmp/ended/checkpoint" "$dir/range-ended"
    "$bin" train $run --iters 20 --out "$tmp/train" >/dev/null 2>&1
    cp "$tmp/train/checkpoint" "$dir/train"
    # a sweep in progress: its first checkpoint (the first epoch's end)
    "$bin" range-test $run --iters 100000 --out "$tmp/running" >/dev/null 2>&1 &
    pid=$!
    i=0
    while [ ! -s "$tmp/running/checkpoint" ] && [ "$i" -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
    cp "$tmp/running/checkpoint" "$dir/range-running"
    kill -INT "$pid"
    wait "$pid" || true
    ;;
*)
    echo "seeds.sh: no seeds for '$target'" >&2
    ;;
esac
