build-dev/engine/sched_export.o: engine/sched_export.c \
 engine/sched_export.h engine/err.h engine/sched.h engine/sgd.h \
 engine/net.h engine/layers.h engine/rng.h
engine/sched_export.h:
engine/err.h:
engine/sched.h:
engine/sgd.h:
engine/net.h:
engine/layers.h:
engine/rng.h:
