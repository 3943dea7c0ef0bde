build-dev/engine/replicate_suites.o: engine/replicate_suites.c \
 engine/replicate.h engine/err.h
engine/replicate.h:
engine/err.h:
