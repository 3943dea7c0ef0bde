build-dev/tui/chart_text_plot.o: tui/chart_text_plot.c \
 tui/chart_text_internal.h tui/chart.h tui/chart_text.h tui/font.h
tui/chart_text_internal.h:
tui/chart.h:
tui/chart_text.h:
tui/font.h:
