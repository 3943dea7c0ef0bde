build-dev/tui/quantity.o: tui/quantity.c tui/quantity.h engine/err.h
tui/quantity.h:
engine/err.h:
