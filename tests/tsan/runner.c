/* runner.c — runs the tests registered through criterion.h (this folder's
 * stand-in for Criterion under ThreadSanitizer), in one process, in order:
 * each suite's init, the test, its fini. Exits 1 when any check failed. */
#include "criterion/criterion.h"

#include <stdio.h>
#include <stdlib.h>

#define MAX_TESTS 64

static struct {
    const char *suite, *name;
    const shim_suite *s;
    void (*fn)(void);
} tests[MAX_TESTS];
static int n_tests, n_failed_checks;
static const shim_suite *current;

void shim_register(const char *suite, const char *name, const shim_suite *s, void (*fn)(void))
{
    if (n_tests == MAX_TESTS) {
        fprintf(stderr, "tsan runner: more than %d tests\n", MAX_TESTS);
        exit(2);
    }
    tests[n_tests].suite = suite;
    tests[n_tests].name = name;
    tests[n_tests].s = s;
    tests[n_tests].fn = fn;
    n_tests++;
}

void shim_check(bool ok, bool fatal, const char *file, int line, const char *what)
{
    if (ok)
        return;
    fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what);
    n_failed_checks++;
    if (fatal) {
        if (current && current->fini)
            current->fini();
        exit(1);
    }
}

int main(void)
{
    for (int i = 0; i < n_tests; i++) {
        current = tests[i].s;
        int before = n_failed_checks;
        if (current->init)
            current->init();
        tests[i].fn();
        if (current->fini)
            current->fini();
        printf("[%s] %s::%s\n", n_failed_checks == before ? "PASS" : "FAIL", tests[i].suite,
               tests[i].name);
    }
    printf("tsan runner: %d tests, %d failed checks\n", n_tests, n_failed_checks);
    return n_failed_checks ? 1 : 0;
}
