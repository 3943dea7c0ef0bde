build-dev/tui/setup.o: tui/setup.c tui/setup.h datasets/dataset.h \
 engine/err.h engine/rng.h engine/net.h engine/layers.h engine/sched.h \
 engine/trainer.h engine/lrest.h engine/sgd.h tui/cli.h engine/run_spec.h \
 /usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h \
 /usr/include/x86_64-linux-gnu/openblas-pthread/openblas_config.h
tui/setup.h:
datasets/dataset.h:
engine/err.h:
engine/rng.h:
engine/net.h:
engine/layers.h:
engine/sched.h:
engine/trainer.h:
engine/lrest.h:
engine/sgd.h:
tui/cli.h:
engine/run_spec.h:
/usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h:
/usr/include/x86_64-linux-gnu/openblas-pthread/openblas_config.h:
