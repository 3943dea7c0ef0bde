/* run_labels.h — legend labels for run folders shown together, as `lrscope
 * plot` makes them (what differs: the policy with its LR, the model, or
 * the folder's name), from their configs alone. Apart from run_folder.h so
 * that the workbench, which has its own tables, can use it. */
#ifndef LRSCOPE_RUN_LABELS_H
#define LRSCOPE_RUN_LABELS_H

#include "tui/chart.h"

/* labels[i] for dirs[i], 0 <= i < n <= RUN_FOLDER_MAX_RUNS (6). */
void run_folder_labels(const char *const *dirs, int n, char (*labels)[CHART_NAME_LEN]);

#endif
