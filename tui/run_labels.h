/* run_labels.h — what the workbench and `lrscope watch` read of run
 * folders: legend labels for folders shown together, as `lrscope plot`
 * makes them (what differs: the policy with its LR, the model, or the
 * folder's name), from their configs alone; and a finished range test's
 * readings. Apart from run_folder.h so that the workbench, which has its
 * own tables, can use it. */
#ifndef LRSCOPE_RUN_LABELS_H
#define LRSCOPE_RUN_LABELS_H

#include <stddef.h>

#include "engine/err.h"
#include "engine/rangetest.h"
#include "tui/chart.h"

/* labels[i] for dirs[i], 0 <= i < n <= RUN_FOLDER_MAX_RUNS (6). */
void run_folder_labels(const char *const *dirs, int n, char (*labels)[CHART_NAME_LEN]);

/* The readings of the finished range test in folder `dir`, computed again
 * from its rangetest.csv (written to the last digit) and the sweep its
 * suggestions.txt describes: the run's own readings, for any reading the
 * workbench can mark; model[model_len] gets the config's model. Returns 1
 * with *s filled, 0 when the folder holds no finished range test yet (no
 * suggestions.txt, or fewer steps in the CSV than it counts), or -1 with `e`
 * set when its files cannot be read. */
int  run_range_suggestions(const char *dir, rangetest_suggestions *s, char *model,
                           size_t model_len, lr_err *e);

#endif
