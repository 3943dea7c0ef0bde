build-dev/tui/chart.o: tui/chart.c tui/chart.h
tui/chart.h:
