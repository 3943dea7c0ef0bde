build-dev/engine/layer_pool.o: engine/layer_pool.c engine/layers.h \
 engine/err.h engine/rng.h
engine/layers.h:
engine/err.h:
engine/rng.h:
