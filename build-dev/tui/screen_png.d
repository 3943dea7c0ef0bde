build-dev/tui/screen_png.o: tui/screen_png.c tui/screen_png.h \
 engine/err.h tui/png_canvas.h tui/font.h tui/png_write.h
tui/screen_png.h:
engine/err.h:
tui/png_canvas.h:
tui/font.h:
tui/png_write.h:
