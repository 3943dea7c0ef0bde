build-dev/engine/layer_norm.o: engine/layer_norm.c engine/layers.h \
 engine/err.h engine/rng.h
engine/layers.h:
engine/err.h:
engine/rng.h:
