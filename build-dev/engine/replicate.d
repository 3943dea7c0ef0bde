build-dev/engine/replicate.o: engine/replicate.c engine/replicate.h \
 engine/err.h
engine/replicate.h:
engine/err.h:
