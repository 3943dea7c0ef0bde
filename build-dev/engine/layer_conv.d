build-dev/engine/layer_conv.o: engine/layer_conv.c engine/layers.h \
 engine/err.h engine/rng.h \
 /usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h \
 /usr/include/x86_64-linux-gnu/openblas-pthread/openblas_config.h
engine/layers.h:
engine/err.h:
engine/rng.h:
/usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h:
/usr/include/x86_64-linux-gnu/openblas-pthread/openblas_config.h:
