build-dev/tui/main.o: tui/main.c tui/commands.h engine/err.h \
 engine/rangetest.h engine/sched.h engine/trainer.h datasets/dataset.h \
 engine/rng.h engine/lrest.h engine/net.h engine/layers.h engine/sgd.h \
 engine/sched_export.h tui/cli.h engine/run_spec.h tui/headless.h \
 engine/checkpoint.h engine/run.h engine/runlog.h tui/setup.h \
 tui/workbench.h engine/session.h engine/mstore.h tui/chart_text.h \
 tui/chart.h tui/keys.h tui/term.h tui/trace.h
tui/commands.h:
engine/err.h:
engine/rangetest.h:
engine/sched.h:
engine/trainer.h:
datasets/dataset.h:
engine/rng.h:
engine/lrest.h:
engine/net.h:
engine/layers.h:
engine/sgd.h:
engine/sched_export.h:
tui/cli.h:
engine/run_spec.h:
tui/headless.h:
engine/checkpoint.h:
engine/run.h:
engine/runlog.h:
tui/setup.h:
tui/workbench.h:
engine/session.h:
engine/mstore.h:
tui/chart_text.h:
tui/chart.h:
tui/keys.h:
tui/term.h:
tui/trace.h:
