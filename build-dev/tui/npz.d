build-dev/tui/npz.o: tui/npz.c tui/npz.h engine/err.h
tui/npz.h:
engine/err.h:
