build-dev/engine/lrest.o: engine/lrest.c engine/lrest.h engine/err.h \
 engine/net.h engine/layers.h engine/rng.h engine/sgd.h
engine/lrest.h:
engine/err.h:
engine/net.h:
engine/layers.h:
engine/rng.h:
engine/sgd.h:
