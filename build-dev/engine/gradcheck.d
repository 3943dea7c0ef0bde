build-dev/engine/gradcheck.o: engine/gradcheck.c engine/gradcheck.h \
 engine/net.h engine/err.h engine/layers.h engine/rng.h
engine/gradcheck.h:
engine/net.h:
engine/err.h:
engine/layers.h:
engine/rng.h:
