build-dev/tui/cli_config.o: tui/cli_config.c tui/cli.h engine/err.h \
 engine/run_spec.h engine/net.h engine/layers.h engine/rng.h \
 engine/sched.h engine/sgd.h engine/trainer.h datasets/dataset.h \
 engine/lrest.h tui/cli_table.h tui/quantity.h
tui/cli.h:
engine/err.h:
engine/run_spec.h:
engine/net.h:
engine/layers.h:
engine/rng.h:
engine/sched.h:
engine/sgd.h:
engine/trainer.h:
datasets/dataset.h:
engine/lrest.h:
tui/cli_table.h:
tui/quantity.h:
