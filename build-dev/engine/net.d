build-dev/engine/net.o: engine/net.c engine/net.h engine/err.h \
 engine/layers.h engine/rng.h engine/sysmem.h
engine/net.h:
engine/err.h:
engine/layers.h:
engine/rng.h:
engine/sysmem.h:
