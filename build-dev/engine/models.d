build-dev/engine/models.o: engine/models.c engine/net.h engine/err.h \
 engine/layers.h engine/rng.h
engine/net.h:
engine/err.h:
engine/layers.h:
engine/rng.h:
