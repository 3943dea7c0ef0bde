build-dev/tui/panels_lines.o: tui/panels_lines.c tui/workbench.h \
 engine/session.h datasets/dataset.h engine/err.h engine/rng.h \
 engine/mstore.h engine/trainer.h engine/lrest.h engine/net.h \
 engine/layers.h engine/sgd.h engine/sched.h engine/rangetest.h \
 engine/checkpoint.h engine/run_spec.h engine/runlog.h tui/chart_text.h \
 tui/chart.h tui/cli.h tui/keys.h tui/term.h tui/trace.h tui/headless.h \
 engine/run.h
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
tui/headless.h:
engine/run.h:
