build-dev/engine/sched.o: engine/sched.c engine/sched.h engine/err.h
engine/sched.h:
engine/err.h:
