build-dev/engine/session_edit.o: engine/session_edit.c \
 engine/session_impl.h engine/run.h engine/checkpoint.h engine/err.h \
 engine/trainer.h datasets/dataset.h engine/rng.h engine/lrest.h \
 engine/net.h engine/layers.h engine/sgd.h engine/sched.h \
 engine/run_spec.h engine/runlog.h engine/session.h engine/mstore.h \
 engine/rangetest.h
engine/session_impl.h:
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
engine/session.h:
engine/mstore.h:
engine/rangetest.h:
