"""Runs the schedule function of an exported snippet (schedule_pytorch.py or
schedule_fastai.py) against the LR and momentum lrscope used, row by row of
the run's metrics.csv. PyTorch and fastai need not be installed: the few
names the snippets use at import time are stood in for.

usage: python3 export_check.py RUN_FOLDER SNIPPET.py [FROM_ITER [ORIGIN]]
FROM_ITER: compare from that iteration on (after a live edit); ORIGIN: the
iteration the exported plan starts at (a restarted cycle's), so the
snippet's step is the run's iteration - ORIGIN.
Says what differs and exits 1 on a difference above 1e-6 relative (the
CSV holds 7 significant digits)."""
import csv
import importlib.util
import sys
import types


def stub_modules():
    def no_grad():
        return lambda f: f

    torch = types.ModuleType("torch")
    torch.optim = types.SimpleNamespace(Optimizer=object, SGD=object,
                                        lr_scheduler=types.SimpleNamespace())
    torch.no_grad = no_grad
    torch.enable_grad = no_grad
    core = types.ModuleType("fastai.callback.core")
    core.Callback = object
    core.CancelFitException = Exception
    opt = types.ModuleType("fastai.optimizer")
    opt.SGD = object
    for name, mod in (("torch", torch), ("fastai", types.ModuleType("fastai")),
                      ("fastai.callback", types.ModuleType("fastai.callback")),
                      ("fastai.callback.core", core), ("fastai.optimizer", opt)):
        sys.modules[name] = mod


def close(got, want):
    return abs(got - want) <= 1e-6 * abs(want) if want != 0 else abs(got) <= 1e-12


def main():
    run, path = sys.argv[1], sys.argv[2]
    first = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    origin = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    stub_modules()
    spec = importlib.util.spec_from_file_location("snippet", path)
    snippet = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(snippet)
    if not hasattr(snippet, "lr_and_momentum"):
        return 0  # a framework scheduler: the unit tests check its parameters
    bad = 0
    with open(f"{run}/metrics.csv") as f:
        rows = [r for r in csv.DictReader(f) if int(r["iter"]) >= first]
    for row in rows:
        step = int(row["iter"])
        lr, mom = snippet.lr_and_momentum(step - origin)
        want_lr, want_mom = float(row["lr"]), float(row["momentum"])
        if not (close(lr, want_lr) and close(mom, want_mom)):
            bad += 1
            if bad <= 5:
                print(f"{path}: step {step}: lr {lr!r} momentum {mom!r}; "
                      f"lrscope used {want_lr!r} {want_mom!r}")
    if bad or not rows:
        print(f"{path}: {len(rows)} steps compared, {bad} differ")
    return 1 if bad or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
