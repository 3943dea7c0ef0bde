build-dev/tui/replicate_runs.o: tui/replicate_runs.c tui/replicate.h \
 engine/err.h engine/replicate.h engine/runlog.h engine/trainer.h \
 datasets/dataset.h engine/rng.h engine/lrest.h engine/net.h \
 engine/layers.h engine/sgd.h engine/sched.h
tui/replicate.h:
engine/err.h:
engine/replicate.h:
engine/runlog.h:
engine/trainer.h:
datasets/dataset.h:
engine/rng.h:
engine/lrest.h:
engine/net.h:
engine/layers.h:
engine/sgd.h:
engine/sched.h:
