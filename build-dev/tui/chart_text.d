build-dev/tui/chart_text.o: tui/chart_text.c tui/chart_text.h tui/chart.h \
 tui/chart_text_internal.h tui/font.h
tui/chart_text.h:
tui/chart.h:
tui/chart_text_internal.h:
tui/font.h:
