build-dev/engine/layers.o: engine/layers.c engine/layers.h engine/err.h \
 engine/rng.h
engine/layers.h:
engine/err.h:
engine/rng.h:
