build-dev/tui/chart_png.o: tui/chart_png.c tui/chart_png.h engine/err.h \
 tui/chart.h tui/png_canvas.h tui/font.h tui/png_write.h
tui/chart_png.h:
engine/err.h:
tui/chart.h:
tui/png_canvas.h:
tui/font.h:
tui/png_write.h:
