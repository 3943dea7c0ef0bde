build-dev/tui/trace.o: tui/trace.c tui/trace.h engine/trainer.h \
 datasets/dataset.h engine/err.h engine/rng.h engine/lrest.h engine/net.h \
 engine/layers.h engine/sgd.h engine/sched.h
tui/trace.h:
engine/trainer.h:
datasets/dataset.h:
engine/err.h:
engine/rng.h:
engine/lrest.h:
engine/net.h:
engine/layers.h:
engine/sgd.h:
engine/sched.h:
