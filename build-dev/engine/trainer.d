build-dev/engine/trainer.o: engine/trainer.c engine/trainer.h \
 datasets/dataset.h engine/err.h engine/rng.h engine/lrest.h engine/net.h \
 engine/layers.h engine/sgd.h engine/sched.h engine/clock.h
engine/trainer.h:
datasets/dataset.h:
engine/err.h:
engine/rng.h:
engine/lrest.h:
engine/net.h:
engine/layers.h:
engine/sgd.h:
engine/sched.h:
engine/clock.h:
