#!/bin/sh
# The real workbench driven through tmux: keys in, screen text out, and the
# files the engine wrote checked afterwards (metrics.csv, events.csv), not
# the screen's echo of them.
#   120x40: range test, its offer (surviving an unrelated message), 1cycle
#     on the offer, a burst of ], :lr, R, an invalid value, :wd, P, the help
#     pages, resize, quit cancelled; a short run's result line, a ghost and
#     the comparison line.
#   80x24: a constant-LR run: the layout, a long message wrapped whole, a
#     burst of ] checked in metrics.csv's lr column, pause and resume events.
#   SIGHUP, SIGTERM after Ctrl-S, a non-UTF-8 locale, and a non-terminal
#     stdout.
. "$(dirname "$0")/lib.inc"

command -v tmux >/dev/null 2>&1 || { echo "  workbench.sh: tmux missing (make deps)"; exit 1; }
S="lrscope-e2e-$$"
BIN=$(cd "$(dirname "$LRSCOPE")" && pwd)/$(basename "$LRSCOPE")
cd "$E2E_TMP" || exit 1
tmux -f /dev/null new-session -d -s "$S" -x 120 -y 40 \
    "LANG=C.UTF-8 LC_ALL=C.UTF-8 '$BIN' --data synthetic --threads 1 --seed 3; echo \$? > status; sleep 5"
trap 'tmux kill-session -t "$S" 2>/dev/null; rm -rf "$E2E_TMP"' EXIT

. "$E2E_DIR/tmux.inc"
# bottom N: the last N screen lines joined into one, spaces squeezed: a
# wrapped message reads whole again only if no line was cut mid-word.
bottom() { screen | tail -"$1" | tr '\n' ' ' | tr -s ' '; }
has_whole() { bottom "$1" | grep -q -- "$2"; }
# last_lr FILE: the lr column of metrics.csv's last row.
last_lr() { tail -1 "$1" | cut -d, -f3; }

check "header shows the range test" wait_for "range test linear" 10
check "range test owns the panels" wait_for "range test: accuracy" 5
check "range test ends with an offer" wait_for "OFFER press 1 for 1cycle" 30
check "the verdict is on screen" wait_for "signature: \(present\|absent\)" 3
check "why it stopped is on screen" wait_for "DONE range test of mlp-bn:512,512: \(completed\|diverged\|stopped\)" 3
check "bounds marked with the model" wait_for "max [0-9.]* mlp-bn:512,512" 3
braille=$(printf '\342[\240-\243]')   # UTF-8 lead bytes of U+2800..U+28FF
check "braille plots drawn" sh -c "tmux capture-pane -p -t '$S' | LC_ALL=C grep -q '$braille'"
offer=$(screen | grep -o 'OFFER press 1 for 1cycle [0-9.]*\.\.[0-9.]*' | sed 's/.* //')
keys S
check "S writes a screenshot" wait_for "wrote .*screen.png" 5
check "the offer survives other messages" wait_for "OFFER press 1 for 1cycle $offer" 1

keys ":iters 20000" Enter
check ":iters accepted" wait_for "next runs: 20000 iterations" 3
keys 1
check "1cycle starts" wait_for "RUNNING" 5
check "1cycle in the header" wait_for "1cycle smith" 3
check "the offer is taken" sh -c "! tmux capture-pane -p -t '$S' | grep -q OFFER"
check "the header shows the offer's bounds" wait_for "lr $offer  mom" 3
check "legends carry values" wait_for "test [0-9.]* %" 10

keys "]]]"
check "a burst of ] lands as three edits" wait_for "+2 max [0-9.]*" 5
keys ":lr 0.05 0.5" Enter
check ":lr sets both bounds" wait_for "lr 0.05..0.5  mom" 3
keys R
check "R restarts the cycle" wait_for "cycle restarted at iteration" 3
check "R says the run got longer" wait_for "ends at iteration [0-9]*, not 20000" 3
keys ":lr 2 1" Enter
check "invalid :lr gives an inline error" wait_for "MIN must not exceed MAX" 3
check "invalid :lr changes nothing" wait_for "lr 0.05..0.5  mom" 2
keys ":wd 3e-4" Enter
check ":wd applied" wait_for "weight decay 0.0001 -> 0.0003" 3
check "the header shows the session's wd" wait_for "wd 0.0003 " 3
keys l
check "l says what it did" wait_for "loss axis: linear" 3
keys P
check "P writes the panels as a PNG" wait_for "wrote runs/.*panels.png" 5
check "the PNG is there" sh -c 'ls runs/*-1cycle/panels.png >/dev/null 2>&1'
keys ":" Enter
check "a bare : does nothing quietly" wait_for "wrote runs/.*panels.png" 1
keys "?"
check "? shows the key table" wait_for "lrscope keys" 3
keys x
check "help closes on a key" sh -c "! tmux capture-pane -p -t '$S' | grep -q 'lrscope keys'"

tmux resize-window -t "$S" -x 40 -y 10
check "tiny terminal gets a notice" wait_for "needs at least" 3
tmux resize-window -t "$S" -x 120 -y 40
check "enlarged terminal shows the panels again" wait_for "learning rate" 3

keys q
check "quit asks during a run" wait_for "Quit anyway" 3
keys n
check "n cancels" wait_for "quit cancelled" 3

# A short run ends with a result line; kept as a ghost, the step baseline
# after it is compared with it at the same iteration.
keys ":iters 150" Enter 1
check "a result line after DONE" wait_for "DONE  test [0-9.]* %  loss [0-9.]*  in 150 it, [0-9.]* s" 20
keys g s
check "a ghost comparison line" wait_for "multistep [0-9.]*: [0-9.]* %  vs  1cycle [0-9.]*-[0-9.]*: [0-9.]* %  ([-+][0-9.]*) at it" 20
check "the step baseline ends" wait_for "DONE  test" 20
# Kept twice, one run has one ghost, brought up to date.
keys g
check "the baseline kept as a second ghost" wait_for "kept 'multistep [0-9.]*' as a ghost" 3
keys g
check "kept again, its ghost catches up" wait_for "ghost 2 'multistep [0-9.]*' brought up to date" 3
keys ":ghost 9" Enter
check "still two ghosts" wait_for "no ghost 9: there are 2" 3

# :sweep narrows the next range test; an invalid one changes nothing.
keys ":sweep 0 0.4 over 30" Enter
check ":sweep says what r will sweep" wait_for "next range test (r): linear sweep 0 -> 0.4 over 30 iterations" 3
keys ":sweep exp 0 1" Enter
check "an invalid :sweep is refused" wait_for "needs MIN > 0" 3
keys r
check "the narrowed range test ends" wait_for "DONE range test of mlp-bn:512,512: completed [0-9]* it up to lr 0.4" 30
# A plain MLP swept to LR 30 stops early on its own: the stop is an event.
keys ":model mlp:32" Enter
check ":model for the next run" wait_for "model mlp:32 from the next run on" 3
keys ":sweep 0 30 over 100" Enter
check ":sweep to 30" wait_for "next range test (r): linear sweep 0 -> 30 over 100 iterations" 3
keys r
check "the sweep to 30 stops early" wait_for "DONE range test of mlp:32: \(stopped\|diverged\)" 30
# The max LR key stops at 1e-12 rather than going subnormal (0.8^200 < 1e-19).
keys "$(printf '[%.0s' $(seq 200))"
check "[ stops at the LR floor" wait_for "1e-12 <= max <= 10000" 5
keys ":lr 0.01 0.1" Enter
check ":lr sets it back" wait_for "lr 0.01..0.1  mom" 3
keys q
i=0; while [ ! -s status ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "exit status 0" test "$(cat status 2>/dev/null)" = 0

run=$(ls -d runs/*-1cycle 2>/dev/null | head -1)
check "1cycle run folder" test -n "$run"
check "the burst and :lr recorded" test "$(grep -c ',set_bounds,' "$run/events.csv")" -eq 4
check "the burst adds up (x1.25^3)" sh -c "grep ',set_bounds,' '$run/events.csv' | sed -n 3p |
    awk -v o='$offer' -F'-> ' '{ split(o, a, \"[.][.]\"); split(\$2, b, \"[.][.]\");
        r = b[2] / a[2]; exit !(r > 1.9525 && r < 1.9537) }'"
check "restart recorded" grep -q ",restart," "$run/events.csv"
check "weight decay recorded" grep -q ",set_wd," "$run/events.csv"
check "the replaced run says so" grep -q ',interrupted,"a new run was started"' "$run/events.csv"
check "range test files" test -s "$(ls -d runs/*-range-test* | head -1)/suggestions.txt"
# How the sweep to 30 ended is an event, as headless range tests record it.
plain=$(ls -d runs/*-range-test* | tail -1)
case "$(sed -n 's/^stop = //p' "$plain/suggestions.txt")" in
    "loss rose") want=',stopped,"smoothed loss' ;;
    "loss not finite") want=',diverged,"loss became' ;;
    *) want="no such event" ;;
esac
check "the early stop is an event ($want)" grep -q "$want" "$plain/events.csv"
narrow=$(ls -d runs/*-range-test* | sed -n 2p)
check "the second range test swept to 0.4" grep -qx "sweep.lr_max = 0.4" "$narrow/suggestions.txt"
check "the second range test ran the 30 iterations :sweep asked for" \
    grep -qx "sweep.iters = 30" "$narrow/suggestions.txt"
check "its LRs stay within 0.4" awk -F, 'NR > 1 && $2 > 0.4 { bad = 1 } END { exit bad }' "$narrow/rangetest.csv"

# 80x24: a constant LR, so metrics.csv's lr column shows the edits exactly.
rm -f status
tmux kill-session -t "$S" 2>/dev/null
tmux -f /dev/null new-session -d -s "$S" -x 80 -y 24 \
    "LANG=C.UTF-8 LC_ALL=C.UTF-8 '$BIN' --data synthetic --threads 1 --policy const --lr 0.1 --iters 100000 --out c80; echo \$? > status; sleep 5"
check "80x24: the run starts" wait_for "RUNNING" 10
check "80x24: header with state and totals" sh -c "tmux capture-pane -p -t '$S' | head -2 | grep -q RUNNING &&
    tmux capture-pane -p -t '$S' | head -2 | grep -q 'it [0-9]*/100000'"
check "80x24: header with the values in force" wait_for "lr 0.1  mom 0.9  wd 0.0001  batch 128" 3
check "80x24: loss, accuracy and LR panels" sh -c "tmux capture-pane -p -t '$S' | grep -q '^loss' &&
    tmux capture-pane -p -t '$S' | grep -q '^accuracy' &&
    tmux capture-pane -p -t '$S' | grep -q 'learning rate'"
check "80x24: the key bar ends with help and quit" sh -c "tmux capture-pane -p -t '$S' | tail -1 | grep -q '? help  q quit\$'"
check "80x24: nothing wider than the screen" test "$(screen | LC_ALL=C.UTF-8 wc -L)" -le 80
# Help pages move an entry whole rather than split it: :sweep's syntax line
# shows with its two lines of description.
keys "?"
i=0
while [ "$i" -lt 4 ] && ! screen | grep -q ':sweep \[linear'; do keys " "; sleep 0.4; i=$((i + 1)); done
check "80x24: the help shows :sweep with its description" sh -c \
    "$(command -v tmux) capture-pane -p -t '$S' | grep -A2 ':sweep \[linear' | grep -q ':sweep alone shows it'"
keys z
keys ":fly 3" Enter
msg="unknown command 'fly': try lr, wd, mom, epochs, iters, policy, model, sweep, reading, ghost, png, export, q"
check "80x24: a long message wraps whole" sh -c "sleep 0.5; $(command -v tmux) capture-pane -p -t '$S' | tail -4 | tr '\n' ' ' | tr -s ' ' | grep -qF \"$msg\""
keys "]]]"
check "80x24: the burst lands" wait_for "0.1..0.156[0-9] -> 0.1..0.1953 at iteration" 5
# A held key: 81 presses at once, more than the session's queue holds
# between two steps, all reach the run (the UI reads keys as it has room).
keys "$(printf '[%.0s' $(seq 40))$(printf ']%.0s' $(seq 41))"
check "80x24: a held key loses no press" wait_for "-> [0-9.e-]*\.\.0\.2441 at iteration" 10
check "80x24: no key refused" sh -c "! $(command -v tmux) capture-pane -p -t '$S' | grep -q 'too many commands'"
keys " "
check "80x24: pause" wait_for "PAUSED" 3
keys " "
check "80x24: resume" wait_for "RUNNING" 3
# A typed file name keeps its accents (UTF-8), and Backspace takes a whole
# character.
LC_ALL=C.UTF-8 tmux send-keys -t "$S" ":png résuméx"
keys BSpace ".png" Enter
check "80x24: a typed UTF-8 name is kept" wait_for "wrote c80/.*/résumé.png" 5
check "80x24: ...and written under it" sh -c "test -s c80/*/résumé.png"
# Control keys are named, not printed (a raw Enter or Tab moves the cursor).
keys Enter
check "80x24: Enter is named" wait_for "key Enter does nothing" 3
keys Tab
check "80x24: Tab is named" wait_for "key Tab does nothing" 3
# A typed momentum above the keys' 0.99 is not lowered by m (raise).
keys ":mom 0.995 0.99" Enter
check "80x24: :mom up to 0.999" wait_for "0.995" 3
keys m
check "80x24: m does not lower it" wait_for "momentum stays 0.995..0.99" 3
sleep 0.5
keys q
check "80x24: quit asks" wait_for "Quit anyway" 3
keys y
i=0; while [ ! -s status ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
c80=$(ls -d c80/*-const 2>/dev/null | head -1)
check "80x24: run folder" test -n "$c80"
check "80x24: metrics.csv trains at 0.1 x 1.25^4" \
    awk -v lr="$(last_lr "$c80/metrics.csv")" 'BEGIN { exit !(lr > 0.2441405 && lr < 0.2441407) }'
check "80x24: 84 set_bounds events" test "$(grep -c ',set_bounds,' "$c80/events.csv")" -eq 84
check "80x24: pause and resume recorded" sh -c "grep -q ',pause,' '$c80/events.csv' && grep -q ',resume,' '$c80/events.csv'"
check "80x24: closing recorded" grep -q ',interrupted,"workbench closed"' "$c80/events.csv"

# SIGHUP (an SSH session dropping) mid-run: files flushed, exit 130, and
# events.csv names the signal.
rm -f status
tmux kill-session -t "$S" 2>/dev/null
tmux -f /dev/null new-session -d -s "$S" -x 100 -y 30 \
    "'$BIN' --data synthetic --threads 1 --policy clr --iters 100000 --out hup; echo \$? > status; sleep 5"
check "run starts" wait_for "RUNNING" 10
pid=$(pgrep -f "^$BIN .*--out hup" | head -1)
kill -HUP "$pid"
i=0; while [ ! -s status ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "SIGHUP exits 130" test "$(cat status 2>/dev/null)" = 130
check "SIGHUP run keeps its rows" test "$(cat hup/*/metrics.csv | wc -l)" -gt 10
check "events.csv names SIGHUP" grep -q ',interrupted,"SIGHUP"' hup/*/events.csv

# Ctrl-S is a key, not XOFF: a frozen terminal would block the screen's
# writes, and with them the answer to SIGTERM, while training went on.
rm -f status
tmux kill-session -t "$S" 2>/dev/null
tmux -f /dev/null new-session -d -s "$S" -x 100 -y 30 \
    "'$BIN' --data synthetic --threads 1 --policy clr --iters 100000 --out xoff; echo \$? > status; sleep 5"
check "xoff: run starts" wait_for "RUNNING" 10
keys C-s
check "Ctrl-S is named" wait_for "key Ctrl-S does nothing" 3
pid=$(pgrep -f "^$BIN .*--out xoff" | head -1)
kill -TERM "$pid"
i=0; while [ ! -s status ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "SIGTERM after Ctrl-S exits 130" test "$(cat status 2>/dev/null)" = 130
check "events.csv names SIGTERM" grep -q ',interrupted,"SIGTERM"' xoff/*/events.csv

# A locale that is not UTF-8: plots fall back to ASCII by themselves.
rm -f status
tmux kill-session -t "$S" 2>/dev/null
tmux -f /dev/null new-session -d -s "$S" -x 100 -y 30 \
    "LANG=C LC_ALL=C '$BIN' --data synthetic --threads 1 --fps 20 --frames 200 --out ascii; echo \$? > status; sleep 5"
check "ASCII run starts" wait_for "RANGE TEST\|DONE" 10
check "ASCII axes drawn" wait_for "+---" 5
check "no braille without UTF-8" sh -c "! tmux capture-pane -p -t '$S' | LC_ALL=C grep -q '$braille'"
# Closed before the folder is removed: a range test checkpoints on its way out.
pid=$(pgrep -f "^$BIN .*--out ascii" | head -1)
[ -n "$pid" ] && kill -TERM "$pid"
i=0; while [ ! -s status ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done

# Not a terminal: a polite refusal that points to the headless commands.
"$BIN" --data synthetic > out.txt 2> err.txt < /dev/null
check "non-tty exits 2" test $? -eq 2
check "non-tty points to headless" grep -q "lrscope train" err.txt

finish
