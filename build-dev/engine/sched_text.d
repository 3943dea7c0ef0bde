build-dev/engine/sched_text.o: engine/sched_text.c engine/sched.h \
 engine/err.h
engine/sched.h:
engine/err.h:
