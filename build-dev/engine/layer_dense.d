build-dev/engine/layer_dense.o: engine/layer_dense.c engine/layers.h \
 engine/err.h engine/rng.h \
 /usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h \
 /usr/include/x86_64-linux-gnu/openblas-pthread/openblas_config.h
engine/layers.h:
engine/err.h:
engine/rng.h:
/usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h:
/usr/include/x86_64-linux-gnu/openblas-pthread/openblas_config.h:
