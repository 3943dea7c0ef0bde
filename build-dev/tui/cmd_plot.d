build-dev/tui/cmd_plot.o: tui/cmd_plot.c tui/commands.h engine/err.h \
 engine/rangetest.h engine/sched.h engine/trainer.h datasets/dataset.h \
 engine/rng.h engine/lrest.h engine/net.h engine/layers.h engine/sgd.h \
 engine/sched_export.h tui/cli.h engine/run_spec.h tui/chart_png.h \
 tui/chart.h tui/png_canvas.h tui/png_write.h tui/run_folder.h \
 tui/setup.h
tui/commands.h:
engine/err.h:
engine/rangetest.h:
engine/sched.h:
engine/trainer.h:
datasets/dataset.h:
engine/rng.h:
engine/lrest.h:
engine/net.h:
engine/layers.h:
engine/sgd.h:
engine/sched_export.h:
tui/cli.h:
engine/run_spec.h:
tui/chart_png.h:
tui/chart.h:
tui/png_canvas.h:
tui/png_write.h:
tui/run_folder.h:
tui/setup.h:
