#!/bin/sh
# The include directions lrscope keeps: tui -> engine -> datasets -> leaves.
#   leaves   engine/err, rng, clock, and the memory probe sysmem: include
#            nothing of lrscope but other leaves
#   datasets may include only the leaves
#   engine   may include engine and datasets, never tui
#   tui      may include anything
# Prints every include that points the wrong way and exits 1 if there is one.
cd "$(dirname "$0")/.." || exit 2
bad=0
leaves="engine/err.h engine/rng.h engine/clock.h engine/sysmem.h"

# report FILE TARGET WHY
report() { echo "check-layers: $1 includes $2: $3"; bad=1; }

for f in engine/*.[ch] datasets/*.[ch]; do
    [ -f "$f" ] || continue
    base=${f%.[ch]}
    grep -o '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*"' "$f" |
        sed 's/.*"\(.*\)"/\1/' > "${TMPDIR:-/tmp}/lrscope-layers.$$"
    while read -r inc; do
        case " $leaves " in
        *" $base.h "*)
            case " $leaves " in *" $inc "*) ;; *) report "$f" "$inc" "a leaf includes only other leaves" ;; esac
            continue ;;
        esac
        case "$f:$inc" in
        datasets/*:datasets/*) ;;
        datasets/*:*)
            case " $leaves " in *" $inc "*) ;; *) report "$f" "$inc" "datasets may use only the leaves ($leaves)" ;; esac ;;
        engine/*:tui/*) report "$f" "$inc" "the engine never includes the front end" ;;
        esac
    done < "${TMPDIR:-/tmp}/lrscope-layers.$$"
    rm -f "${TMPDIR:-/tmp}/lrscope-layers.$$"
done
[ "$bad" -eq 0 ] && echo "check-layers: tui -> engine -> datasets -> leaves, no arrow back"
exit "$bad"
