build-dev/engine/runlog.o: engine/runlog.c engine/runlog.h engine/err.h \
 engine/trainer.h datasets/dataset.h engine/rng.h engine/lrest.h \
 engine/net.h engine/layers.h engine/sgd.h engine/sched.h
engine/runlog.h:
engine/err.h:
engine/trainer.h:
datasets/dataset.h:
engine/rng.h:
engine/lrest.h:
engine/net.h:
engine/layers.h:
engine/sgd.h:
engine/sched.h:
