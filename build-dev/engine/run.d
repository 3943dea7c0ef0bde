build-dev/engine/run.o: engine/run.c engine/run.h engine/checkpoint.h \
 engine/err.h engine/trainer.h datasets/dataset.h engine/rng.h \
 engine/lrest.h engine/net.h engine/layers.h engine/sgd.h engine/sched.h \
 engine/run_spec.h engine/runlog.h engine/clock.h
engine/run.h:
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
engine/run_spec.h:
engine/runlog.h:
engine/clock.h:
