build-dev/tui/keys.o: tui/keys.c tui/keys.h engine/rangetest.h \
 engine/err.h engine/sched.h engine/trainer.h datasets/dataset.h \
 engine/rng.h engine/lrest.h engine/net.h engine/layers.h engine/sgd.h
tui/keys.h:
engine/rangetest.h:
engine/err.h:
engine/sched.h:
engine/trainer.h:
datasets/dataset.h:
engine/rng.h:
engine/lrest.h:
engine/net.h:
engine/layers.h:
engine/sgd.h:
