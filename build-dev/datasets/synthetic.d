build-dev/datasets/synthetic.o: datasets/synthetic.c datasets/dataset.h \
 engine/err.h engine/rng.h
datasets/dataset.h:
engine/err.h:
engine/rng.h:
