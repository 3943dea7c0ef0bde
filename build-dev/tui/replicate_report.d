build-dev/tui/replicate_report.o: tui/replicate_report.c tui/replicate.h \
 engine/err.h engine/replicate.h
tui/replicate.h:
engine/err.h:
engine/replicate.h:
