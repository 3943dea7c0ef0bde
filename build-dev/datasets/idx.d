build-dev/datasets/idx.o: datasets/idx.c datasets/dataset.h engine/err.h \
 engine/rng.h engine/sysmem.h
datasets/dataset.h:
engine/err.h:
engine/rng.h:
engine/sysmem.h:
