build-dev/engine/layer_act.o: engine/layer_act.c engine/layers.h \
 engine/err.h engine/rng.h
engine/layers.h:
engine/err.h:
engine/rng.h:
