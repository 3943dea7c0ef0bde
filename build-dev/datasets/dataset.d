build-dev/datasets/dataset.o: datasets/dataset.c datasets/dataset.h \
 engine/err.h engine/rng.h engine/sysmem.h
datasets/dataset.h:
engine/err.h:
engine/rng.h:
engine/sysmem.h:
