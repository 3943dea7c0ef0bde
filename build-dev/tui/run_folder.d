build-dev/tui/run_folder.o: tui/run_folder.c tui/run_folder.h \
 engine/err.h tui/chart.h
tui/run_folder.h:
engine/err.h:
tui/chart.h:
