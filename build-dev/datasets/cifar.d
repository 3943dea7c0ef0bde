build-dev/datasets/cifar.o: datasets/cifar.c datasets/dataset.h \
 engine/err.h engine/rng.h engine/sysmem.h
datasets/dataset.h:
engine/err.h:
engine/rng.h:
engine/sysmem.h:
