build-dev/engine/rangetest_io.o: engine/rangetest_io.c engine/rangetest.h \
 engine/err.h engine/sched.h engine/trainer.h datasets/dataset.h \
 engine/rng.h engine/lrest.h engine/net.h engine/layers.h engine/sgd.h \
 engine/runlog.h
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
engine/runlog.h:
