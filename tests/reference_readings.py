#!/usr/bin/env python3
"""Reference LR readings of fastai and torch-lr-finder, for lrscope's tests.

An independent implementation, in numpy, of the rules two LR finders publish,
used to write the golden table tests/golden/readings.txt that the Criterion
test tests/test_readings.c compares lrscope's picks with (same curve point).
`make test` does not run this script; run it when the rules or the curves
change:

    python3 tests/reference_readings.py > tests/golden/readings.txt

It also reads a run's rangetest.csv and prints what each tool would pick:

    python3 tests/reference_readings.py RUN/rangetest.csv --num-it 100 [--nan]

The rules, from the tools' sources:

fastai 2.7 (fastai/callback/schedule.py; the smoothed loss is the Recorder's
AvgSmoothLoss in fastai/learner.py: val = lerp(loss, val, 0.98), reported
debiased as val / (1 - 0.98**count)):
  LRFinder stops after the batch whose smoothed loss exceeds 4x the best so
  far (that loss is recorded) and does not stop on NaN; lr_find keeps
  recorder.losses[num_it//10:-5], cuts them at the first NaN and applies
  valley (O(n^2) longest decreasing subsequence, start = end - length),
  slide (lr_diff 15, thresh 0.005, adjust_value 1), steep and minimum.

torch-lr-finder 0.2.2 (torch_lr_finder/lr_finder.py): range_test keeps
history = smooth_f*loss + (1-smooth_f)*previous with smooth_f 0.05 and the
first loss raw, stops after the loss above diverge_th=5 x the best (recorded),
does not stop on NaN; plot(skip_start=10, skip_end=5) needs 17 points and
suggests lrs[argmin(np.gradient(losses))].

A tool that would raise an error (too few points) gives -1 here.
"""
import argparse
import math
import sys

import numpy as np

FASTAI_BETA = 0.98
LRF_SMOOTH_F = 0.05


# ---- the tools' records ------------------------------------------------------

def fastai_smooth(raw):
    """AvgSmoothLoss over the raw losses, as the Recorder reports it."""
    out, val = [], 0.0
    for count, loss in enumerate(raw, start=1):
        val = FASTAI_BETA * val + (1.0 - FASTAI_BETA) * loss   # lerp(loss, val, beta)
        out.append(val / (1.0 - FASTAI_BETA ** count))
    return out


def fastai_record(smooth, num_it):
    """recorder.losses of lr_find: the smoothed losses until LRFinder stops.
    `smooth` may run past the sweep's data with NaN (the tool keeps going)."""
    rec, best = [], math.inf
    for it in range(min(num_it, len(smooth))):
        s = smooth[it]
        rec.append(s)
        if s < best:
            best = s
        if s > 4 * best:
            break
    return rec


def lrfinder_history(raw, num_iter):
    """history["loss"] of range_test."""
    hist, best = [], None
    for it in range(min(num_iter, len(raw))):
        loss = raw[it]
        if it == 0:
            best = loss
        else:
            loss = LRF_SMOOTH_F * loss + (1 - LRF_SMOOTH_F) * hist[-1]
            if loss < best:
                best = loss
        hist.append(loss)
        if loss > 5 * best:
            break
    return hist


# ---- fastai's suggestion functions, on plain numpy arrays ----------------------

def valley(losses):
    n = len(losses)
    max_start, max_end = 0, 0
    lds = [1] * n
    for i in range(1, n):
        for j in range(0, i):
            if losses[i] < losses[j] and lds[i] < lds[j] + 1:
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    idx = max_start + int(sections) + int(sections / 2)
    return idx if idx >= 0 else idx + n          # Python's negative index


def slide(losses, lr_diff=15, thresh=0.005):
    n = len(losses)
    if n < lr_diff + 1:
        return -1                                # lrs[-16]: IndexError
    grad = np.gradient(np.asarray(losses, dtype=np.float64))
    r_idx = -1
    l_idx = r_idx - lr_diff
    pick = n + l_idx
    while l_idx >= -n and abs(grad[r_idx] - grad[l_idx]) > thresh:
        pick = n + l_idx
        r_idx -= 1
        l_idx -= 1
    return pick


def steep(lrs, losses):
    if len(losses) < 2:
        return -1                                # argmin of an empty tensor
    lrs = np.asarray(lrs, dtype=np.float64)
    losses = np.asarray(losses, dtype=np.float64)
    log_lrs = np.array([math.log(x) for x in lrs])   # the C library's log, as lrscope
    grads = (losses[1:] - losses[:-1]) / (log_lrs[1:] - log_lrs[:-1])
    return int(np.argmin(grads))


def minimum(losses):
    if len(losses) < 1:
        return -1
    return int(np.argmin(np.asarray(losses, dtype=np.float64)))


def fastai_readings(smooth, lrs, num_it):
    """Curve indices of valley, slide, steep, minimum (-1: fastai fails)."""
    rec = fastai_record(smooth, num_it)
    lo = num_it // 10
    window = rec[lo:-5]
    for k, v in enumerate(window):
        if math.isnan(v):
            window = window[:k]
            break
    m = len(window)
    if m == 0:
        return {"valley": -1, "slide": -1, "steep": -1, "minimum": -1}
    win_lrs = lrs[lo:lo + m]
    out = {"valley": valley(window), "slide": slide(window),
           "steep": steep(win_lrs, window), "minimum": minimum(window)}
    return {k: (v + lo if v >= 0 else -1) for k, v in out.items()}


def lrfinder_reading(raw, num_iter, n_recorded):
    """Curve index of torch-lr-finder's suggestion (-1: it fails, or it picks a
    step whose loss was not finite)."""
    hist = lrfinder_history(raw, num_iter)
    if len(hist) < 10 + 5 + 2:
        return -1                                # RuntimeError in plot()
    kept = np.asarray(hist[10:-5], dtype=np.float64)
    with np.errstate(invalid="ignore"):
        idx = 10 + int(np.argmin(np.gradient(kept)))
    return idx if idx < n_recorded else -1


# ---- lrscope's record of a sweep ---------------------------------------------------

def lrscope_sweep(raw, lrs, stop_factor, smoothing, smooth):
    """What lrscope's rangetest records: finite steps until a non-finite loss
    or its stop rule. Returns (n, stop, stop_loss)."""
    best, lrf, lrf_best = math.inf, None, math.inf
    for i, loss in enumerate(raw):
        if not math.isfinite(loss):
            return i, "nonfinite", loss
        best = min(best, smooth[i])
        lrf = loss if i == 0 else LRF_SMOOTH_F * loss + (1 - LRF_SMOOTH_F) * lrf
        lrf_best = min(lrf_best, lrf)
        watched, b = (lrf, lrf_best) if smoothing == "lr-finder" else (smooth[i], best)
        if stop_factor > 0 and watched > stop_factor * b:
            return i + 1, "loss_rose", watched
    return len(raw), "completed", math.nan


# ---- the fixed curves ----------------------------------------------------------------

def exp_lrs(n, lo=1e-7, hi=10.0, span=None):
    span = n if span is None else span
    return [lo * (hi / lo) ** (i / span) for i in range(n)]


def lin_lrs(n, lo=0.0, hi=3.0):
    return [lo + (hi - lo) * i / n for i in range(n)]


def descent(lr, floor=0.35, rise_at=0.3, rise=1.5):
    """A range-test shape: flat at 2.3, a descent over 1e-4..1e-1, a rise."""
    x = math.log10(lr) if lr > 0 else -9.0
    loss = floor + (2.3 - floor) / (1.0 + math.exp(2.2 * (x + 2.5)))
    if lr > rise_at:
        loss += rise * math.log10(lr / rise_at) ** 2
    return loss


def cases():
    rng = np.random.default_rng(20260101)
    out = []

    lrs = exp_lrs(100)
    raw = [descent(lr) for lr in lrs]
    out.append(dict(name="smooth descent", policy="exp", lrs=lrs, raw=raw, tail="end",
                    stop_factor=0.0))

    raw = [descent(lr) * math.exp(0.12 * rng.standard_normal()) for lr in lrs]
    out.append(dict(name="noisy", policy="exp", lrs=lrs, raw=raw, tail="end",
                    stop_factor=4.0))

    raw = [descent(lr, rise=40.0) * math.exp(0.12 * rng.standard_normal()) for lr in lrs]
    out.append(dict(name="noisy, diverging", policy="exp", lrs=lrs, raw=raw, tail="end",
                    stop_factor=4.0))

    raw = [descent(lr) * math.exp(0.08 * rng.standard_normal()) for lr in lrs[:72]]
    out.append(dict(name="NaN tail", policy="exp", lrs=lrs, raw=raw, tail="nan",
                    stop_factor=4.0))

    raw = [descent(lr) * math.exp(0.05 * rng.standard_normal()) for lr in lrs]
    raw[50] *= 100.0           # torch-lr-finder's 5x rule fires here, fastai's 4x does not
    out.append(dict(name="spike", policy="exp", lrs=lrs, raw=raw, tail="end",
                    stop_factor=4.0))

    raw = [descent(lr) for lr in lrs[:14]]
    out.append(dict(name="too short (inf at 14)", policy="exp", lrs=lrs, raw=raw,
                    tail="inf", stop_factor=4.0))

    raw = [2.3 - 0.02 * i + (60.0 * (i - 20) if i >= 20 else 0.0) for i in range(100)]
    out.append(dict(name="short (stopped by the 4x rule)", policy="exp", lrs=lrs, raw=raw,
                    tail="end", stop_factor=4.0))

    lrs_l = lin_lrs(200)
    raw = [0.3 + 2.0 * math.exp(-6.0 * lr) + 0.4 * max(0.0, lr - 2.0) ** 2
           + 0.04 * rng.standard_normal() for lr in lrs_l]
    out.append(dict(name="linear 0 -> 3", policy="linear", lrs=lrs_l, raw=raw, tail="end",
                    stop_factor=4.0))

    lrs_f = exp_lrs(100, span=99)
    raw = [descent(lr) * math.exp(0.08 * rng.standard_normal()) for lr in lrs_f[:80]]
    out.append(dict(name="lr-finder sweep, NaN at 80", policy="exp", lrs=lrs_f, raw=raw,
                    tail="nan", stop_factor=5.0, smoothing="lr-finder", end_at_max=True))

    # Hand-made smoothed losses (raw = smoothed): a window that only rises
    # (valley's start and end stay 0), and one whose only descent is its
    # first two points (start = -1: Python's index from the end).
    lrs_s = exp_lrs(30)
    rising = [1.0 + 0.01 * i + 0.001 * i * i for i in range(30)]
    out.append(dict(name="rising", policy="exp", lrs=lrs_s, raw=rising, smooth=rising,
                    tail="end", stop_factor=0.0))
    two = [1.0 + 0.01 * i for i in range(30)]
    two[3], two[4] = 0.9, 0.8
    out.append(dict(name="descent of two at the window's start", policy="exp", lrs=lrs_s,
                    raw=two, smooth=two, tail="end", stop_factor=0.0))
    return out


def fmt(v):
    return repr(float(v))


def write_case(f, c):
    lrs, raw = c["lrs"], c["raw"]
    planned = len(lrs)
    smooth = c.get("smooth") or fastai_smooth(raw)
    smoothing = c.get("smoothing", "ema")
    full_raw = list(raw) + ([math.nan] * (planned - len(raw)) if c["tail"] == "nan" else
                            [math.inf] if c["tail"] == "inf" else [])
    n, stop, stop_loss = lrscope_sweep(full_raw, lrs, c["stop_factor"], smoothing,
                                       list(smooth) + [math.nan] * (len(full_raw) - len(smooth)))
    # The tools see what lrscope saw: the recorded steps, then the event
    # that ended the sweep (a NaN loss keeps them going with NaN).
    seen_raw = list(raw[:n]) + ([math.nan] * (planned - n) if stop == "nonfinite" and
                                math.isnan(stop_loss) else
                                [math.inf] if stop == "nonfinite" else [])
    if c.get("smooth"):
        seen_smooth = list(smooth[:n]) + [math.nan if math.isnan(x) else x
                                         for x in seen_raw[n:]]
    else:
        seen_smooth = fastai_smooth(seen_raw)
    fa = fastai_readings(seen_smooth, lrs, planned)
    lf = lrfinder_reading(seen_raw, planned, n)

    f.write("case %s\n" % c["name"])
    f.write("policy %s\nplanned %d\nlr_min %s\nlr_max %s\n" %
            (c["policy"], planned, fmt(lrs[0]) if c["policy"] == "exp" else "0.0",
             fmt(10.0 if c["policy"] == "exp" else 3.0)))
    f.write("end_at_max %d\nstop_factor %s\nstop_smoothing %s\n" %
            (1 if c.get("end_at_max") else 0, fmt(c["stop_factor"]), smoothing))
    f.write("stop %s %s\n" % (stop, "nan" if math.isnan(stop_loss) else
                                    "inf" if math.isinf(stop_loss) else fmt(stop_loss)))
    f.write("points %d\n" % n)
    for i in range(n):
        f.write("%s %s %s\n" % (fmt(lrs[i]), fmt(raw[i]), fmt(smooth[i])))
    for k in ("valley", "slide", "steep", "minimum"):
        f.write("expect fastai.%s %d\n" % (k, fa[k]))
    f.write("expect lr_finder %d\n" % lf)
    f.write("end\n\n")


def read_csv(path):
    lrs, raw, smooth = [], [], []
    with open(path) as f:
        next(f)
        for line in f:
            cells = line.rstrip("\n").split(",")
            if cells[0] == "-1":
                continue
            lrs.append(float(cells[1]))
            raw.append(float(cells[2]))
            smooth.append(float(cells[3]))
    return lrs, raw, smooth


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("csv", nargs="?", help="a run's rangetest.csv")
    ap.add_argument("--num-it", type=int, help="the sweep's planned iterations")
    ap.add_argument("--nan", action="store_true",
                    help="the sweep ended on a NaN loss (the tools record NaN after it)")
    args = ap.parse_args()
    if not args.csv:
        sys.stdout.write("# Golden LR readings: written by tests/reference_readings.py, "
                         "do not edit.\n# Each case: the curve as lrscope records it "
                         "(lr, loss, loss_smooth),\n# then the curve point each tool's "
                         "rule picks (-1: none).\n\n")
        for c in cases():
            write_case(sys.stdout, c)
        return
    lrs, raw, smooth = read_csv(args.csv)
    num_it = args.num_it or len(lrs)
    n = len(lrs)
    tail = num_it - n if args.nan else 0
    fa = fastai_readings(smooth + [math.nan] * tail, lrs, num_it)
    lf = lrfinder_reading(raw + [math.nan] * tail, num_it, n)
    for k in ("valley", "slide", "steep", "minimum"):
        i = fa[k]
        lr = (lrs[i] / 10 if k == "minimum" else lrs[i]) if i >= 0 else math.nan
        print("fastai %-8s index %3d  lr %.4g" % (k, i, lr))
    print("lr-finder       index %3d  lr %.4g" % (lf, lrs[lf] if lf >= 0 else math.nan))


if __name__ == "__main__":
    main()
