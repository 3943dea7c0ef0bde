build-dev/tui/font.o: tui/font.c tui/font.h
tui/font.h:
