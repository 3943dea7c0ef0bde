build-dev/tui/panels.o: tui/panels.c tui/workbench.h engine/session.h \
 datasets/dataset.h engine/err.h engine/rng.h engine/mstore.h \
 engine/trainer.h engine/lrest.h engine/net.h engine/layers.h \
 engine/sgd.h engine/sched.h engine/rangetest.h engine/checkpoint.h \
 engine/run_spec.h engine/runlog.h tui/chart_text.h tui/chart.h tui/cli.h \
 tui/keys.h tui/term.h tui/trace.h tui/chart_png.h tui/png_canvas.h \
 tui/headless.h engine/run.h
tui/workbench.h:
engine/session.h:
datasets/dataset.h:
engine/err.h:
engine/rng.h:
engine/mstore.h:
engine/trainer.h:
engine/lrest.h:
engine/net.h:
engine/layers.h:
engine/sgd.h:
engine/sched.h:
engine/rangetest.h:
engine/checkpoint.h:
engine/run_spec.h:
engine/runlog.h:
tui/chart_text.h:
tui/chart.h:
tui/cli.h:
tui/keys.h:
tui/term.h:
tui/trace.h:
tui/chart_png.h:
tui/png_canvas.h:
tui/headless.h:
engine/run.h:
