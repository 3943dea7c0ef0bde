build-dev/engine/sysmem.o: engine/sysmem.c engine/sysmem.h
engine/sysmem.h:
