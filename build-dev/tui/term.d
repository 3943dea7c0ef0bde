build-dev/tui/term.o: tui/term.c tui/term.h tui/chart_text.h tui/chart.h \
 tui/headless.h engine/checkpoint.h engine/err.h engine/trainer.h \
 datasets/dataset.h engine/rng.h engine/lrest.h engine/net.h \
 engine/layers.h engine/sgd.h engine/sched.h engine/run.h \
 engine/run_spec.h engine/runlog.h tui/cli.h tui/screen_png.h \
 tui/png_canvas.h
tui/term.h:
tui/chart_text.h:
tui/chart.h:
tui/headless.h:
engine/checkpoint.h:
engine/err.h:
engine/trainer.h:
datasets/dataset.h:
engine/rng.h:
engine/lrest.h:
engine/net.h:
engine/layers.h:
engine/sgd.h:
engine/sched.h:
engine/run.h:
engine/run_spec.h:
engine/runlog.h:
tui/cli.h:
tui/screen_png.h:
tui/png_canvas.h:
