build-dev/engine/run_spec.o: engine/run_spec.c engine/run_spec.h \
 engine/err.h engine/net.h engine/layers.h engine/rng.h engine/sched.h \
 engine/sgd.h engine/trainer.h datasets/dataset.h engine/lrest.h
engine/run_spec.h:
engine/err.h:
engine/net.h:
engine/layers.h:
engine/rng.h:
engine/sched.h:
engine/sgd.h:
engine/trainer.h:
datasets/dataset.h:
engine/lrest.h:
