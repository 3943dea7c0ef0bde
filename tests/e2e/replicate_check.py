"""Checks a replicate report against its run folders: every per-seed value
in report.md equals what the run folder holds (final test accuracy in
metrics.csv, the signature in suggestions.txt, a divergence in events.csv),
every mean is the mean of the seeds, and the structure is complete.
Usage: replicate_check.py OUT"""
import csv
import os
import re
import statistics
import sys

out = sys.argv[1]
report = open(os.path.join(out, "report.md")).read()
problems = []


def final_acc(run):
    acc = None
    with open(os.path.join(run, "metrics.csv")) as f:
        for row in csv.DictReader(f):
            if row["test_acc"]:
                acc = float(row["test_acc"])
    return acc


def signature(run):
    keys = {}
    for line in open(os.path.join(run, "suggestions.txt")):
        if " = " in line:
            k, v = line.rstrip("\n").split(" = ", 1)
            keys[k] = v
    return keys["signature"], float(keys["signature.ratio"]), float(keys["smith.peak_value"])


sections = re.split(r"^## \d+\. ", report, flags=re.M)[1:]
if not sections:
    problems.append("no experiment sections")
for sec in sections:
    title = sec.splitlines()[0]
    for need in ("**Claim.**", "**The paper.**", "**Verdict: ", "Rule (fixed before the runs)",
                 "lrscope replicate ", "--only "):
        if need not in sec:
            problems.append(f"{title}: no {need!r}")
    fig = re.search(r"!\[[^]]*\]\((fig-[^)]+\.png)\)", sec)
    if not fig or open(os.path.join(out, fig.group(1)), "rb").read(8) != b"\x89PNG\r\n\x1a\n":
        problems.append(f"{title}: no PNG figure beside the report")
    exp = re.search(r"--only (\S+)", sec).group(1)
    rows = [l for l in sec.splitlines() if l.startswith("| ") and not l.startswith("| run")]
    if not rows:
        problems.append(f"{title}: no table rows")
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        name, seeds, mean = cells[0], cells[1:-2], cells[-2]
        values = []
        for s, cell in enumerate(seeds, 1):
            run = os.path.join(out, exp, f"{name}-s{s}")
            if cell.endswith("%"):
                want = f"{100 * final_acc(run):.2f} %"
                values.append(float(cell[:-1]))
            elif cell == "diverged":
                events = open(os.path.join(run, "events.csv")).read()
                want = cell if ",diverged," in events else "a run that did not diverge"
            else:
                verdict, ratio, peak = signature(run)
                want = verdict + (f" ({ratio:.3f}; " if ratio == ratio else " (")
                want += f"peak {100 * peak:.1f} % at lr"
                if ratio == ratio:
                    values.append(ratio)
                if cell.startswith(want):
                    want = cell
            if cell != want:
                problems.append(f"{exp}/{name}-s{s}: report says {cell!r}, run folder {want!r}")
        if values and mean != "-":
            m = float(mean.split()[0])
            if abs(m - statistics.mean(values)) > 0.006:
                problems.append(f"{exp}/{name}: mean {m} is not the mean of {values}")

for p in problems:
    print("  report:", p)
sys.exit(1 if problems else 0)
