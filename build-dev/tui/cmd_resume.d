build-dev/tui/cmd_resume.o: tui/cmd_resume.c tui/commands.h engine/err.h \
 engine/rangetest.h engine/sched.h engine/trainer.h datasets/dataset.h \
 engine/rng.h engine/lrest.h engine/net.h engine/layers.h engine/sgd.h \
 engine/sched_export.h tui/cli.h engine/run_spec.h engine/checkpoint.h \
 engine/run.h engine/runlog.h tui/headless.h tui/setup.h
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
engine/checkpoint.h:
engine/run.h:
engine/runlog.h:
tui/headless.h:
tui/setup.h:
