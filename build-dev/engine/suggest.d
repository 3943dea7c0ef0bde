build-dev/engine/suggest.o: engine/suggest.c engine/rangetest.h \
 engine/err.h engine/sched.h engine/trainer.h datasets/dataset.h \
 engine/rng.h engine/lrest.h engine/net.h engine/layers.h engine/sgd.h
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
