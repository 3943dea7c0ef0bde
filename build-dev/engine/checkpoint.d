build-dev/engine/checkpoint.o: engine/checkpoint.c engine/checkpoint.h \
 engine/err.h engine/trainer.h datasets/dataset.h engine/rng.h \
 engine/lrest.h engine/net.h engine/layers.h engine/sgd.h engine/sched.h
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
