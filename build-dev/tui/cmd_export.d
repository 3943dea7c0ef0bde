build-dev/tui/cmd_export.o: tui/cmd_export.c engine/run.h \
 engine/checkpoint.h engine/err.h engine/trainer.h datasets/dataset.h \
 engine/rng.h engine/lrest.h engine/net.h engine/layers.h engine/sgd.h \
 engine/sched.h engine/run_spec.h engine/runlog.h engine/sched_export.h \
 tui/commands.h engine/rangetest.h tui/cli.h tui/setup.h
engine/run.h:
engine/checkpoint.h:
engine/err.h:
engine/trainer.h:
datasets/dataset.h:
engine/rng.h:
engine/lrest.h:
engine/net.h:
engine/layers.h:
engine/sgd.h:
engine/sched.h:
engine/run_spec.h:
engine/runlog.h:
engine/sched_export.h:
tui/commands.h:
engine/rangetest.h:
tui/cli.h:
tui/setup.h:
