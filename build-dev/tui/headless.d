build-dev/tui/headless.o: tui/headless.c tui/headless.h \
 engine/checkpoint.h engine/err.h engine/trainer.h datasets/dataset.h \
 engine/rng.h engine/lrest.h engine/net.h engine/layers.h engine/sgd.h \
 engine/sched.h engine/run.h engine/run_spec.h engine/runlog.h tui/cli.h \
 engine/clock.h tui/setup.h
tui/headless.h:
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
engine/run.h:
engine/run_spec.h:
engine/runlog.h:
tui/cli.h:
engine/clock.h:
tui/setup.h:
