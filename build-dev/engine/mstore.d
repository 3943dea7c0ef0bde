build-dev/engine/mstore.o: engine/mstore.c engine/mstore.h \
 engine/trainer.h datasets/dataset.h engine/err.h engine/rng.h \
 engine/lrest.h engine/net.h engine/layers.h engine/sgd.h engine/sched.h
engine/mstore.h:
engine/trainer.h:
datasets/dataset.h:
engine/err.h:
engine/rng.h:
engine/lrest.h:
engine/net.h:
engine/layers.h:
engine/sgd.h:
engine/sched.h:
