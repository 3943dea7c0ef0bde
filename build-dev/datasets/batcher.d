build-dev/datasets/batcher.o: datasets/batcher.c datasets/dataset.h \
 engine/err.h engine/rng.h
datasets/dataset.h:
engine/err.h:
engine/rng.h:
