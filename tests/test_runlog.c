/* test_runlog.c — a run's files when writing fails: the failure is reported
 * at the write that fails, with the file and the system's reason, the file
 * keeps only complete rows, and the log refuses every later write.
 *
 * The disk is "filled" with a file size limit (RLIMIT_FSIZE, SIGXFSZ
 * ignored, so write(2) returns EFBIG): Criterion runs each test in its own
 * process, so the limit ends with the test. */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/runlog.h"
#include "tests/testutil.h"

static void tmp_setup(void)
{
    tmpdir_create("runlog");
}

TestSuite(runlog_faults, .init = tmp_setup, .fini = tmpdir_remove);

static metrics_row row_at(long i)
{
    metrics_row m = { .iter = i, .epoch = 0.01 * (double)i, .lr = 0.1, .momentum = 0.9,
                      .loss = 1.0 / (double)(i + 1), .loss_smooth = 0.5, .acc = 0.25,
                      .test_loss = NAN, .test_acc = NAN, .lr_est_secant = NAN,
                      .lr_est_hvp = NAN };
    return m;
}

static long file_size(const char *path)
{
    struct stat st;
    cr_assert_eq(stat(path, &st), 0, "%s", path);
    return (long)st.st_size;
}

/* Every line of the file ends with a newline and has `n_commas` commas. */
static void assert_complete_rows(const char *path, int n_commas)
{
    FILE *f = fopen(path, "r");
    cr_assert(f);
    char line[1024];
    long n = 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        cr_assert(len > 0 && line[len - 1] == '\n', "line %ld is cut off: %s", n + 1, line);
        int commas = 0;
        for (size_t k = 0; k < len; k++)
            commas += line[k] == ',';
        cr_assert_eq(commas, n_commas, "line %ld: %s", n + 1, line);
        n++;
    }
    fclose(f);
    cr_assert(n > 1);
}

Test(runlog_faults, full_disk_stops_at_the_failing_row_and_keeps_complete_rows)
{
    const long limit = 3000;   /* bytes: the header and a few dozen rows */
    signal(SIGXFSZ, SIG_IGN);
    runlog r;
    lr_err e = { "" };
    cr_assert_eq(runlog_open(&r, tmpdir_path("run"), &e), 0, "%s", e.msg);
    struct rlimit rl = { .rlim_cur = (rlim_t)limit, .rlim_max = RLIM_INFINITY };
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
    long i = 0;
    for (; i < 1000; i++) {
        metrics_row m = row_at(i);
        if (runlog_metrics(&r, &m))
            break;
        cr_assert(runlog_failed(&r) == NULL);
    }
    cr_assert(i < 1000, "the size limit never stopped the log");
    const char *why = runlog_failed(&r);
    cr_assert(why != NULL);
    cr_expect(strstr(why, "metrics.csv: File too large") != NULL, "%s", why);
    cr_expect(strstr(why, tmpdir_path("run")) != NULL, "the message names the folder: %s", why);
    /* Later writes are refused, events included, and close reports it. */
    metrics_row m = row_at(i);
    cr_expect_eq(runlog_metrics(&r, &m), -1);
    cr_expect_eq(runlog_event(&r, i, "interrupted", "x"), -1);
    cr_expect_eq(runlog_flush(&r), -1);
    lr_err closed = { "" };
    cr_expect_eq(runlog_close(&r, &closed), -1);
    cr_expect_str_eq(closed.msg, why);

    const char *metrics = tmpdir_path("run/metrics.csv");
    cr_expect(file_size(metrics) <= limit);
    cr_expect(file_size(metrics) > limit - 200, "rows before the failure were lost");
    assert_complete_rows(metrics, 10);
}

Test(runlog_faults, header_that_cannot_be_written_fails_the_open)
{
    cr_assert_eq(mkdir(tmpdir_path("run"), 0700), 0);
    cr_assert_eq(symlink("/dev/full", tmpdir_path("run/events.csv")), 0);
    runlog r;
    lr_err e = { "" };
    cr_assert_eq(runlog_open(&r, tmpdir_path("run"), &e), -1);
    assert_has(e, "run/events.csv: No space left on device");
}
