build-dev/tui/png_canvas.o: tui/png_canvas.c tui/png_canvas.h \
 engine/err.h tui/font.h
tui/png_canvas.h:
engine/err.h:
tui/font.h:
