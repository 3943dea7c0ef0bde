build-dev/engine/sgd.o: engine/sgd.c engine/sgd.h engine/net.h \
 engine/err.h engine/layers.h engine/rng.h
engine/sgd.h:
engine/net.h:
engine/err.h:
engine/layers.h:
engine/rng.h:
