/* criterion.h — the part of Criterion's API the threaded tests use, for a
 * build under ThreadSanitizer. Criterion's runner cannot start under TSan
 * (its inheritable arena fails to map: Criterion issue #274), so `make tsan`
 * compiles tests/test_session.c and tests/test_par.c unchanged against this
 * header, with
 * -Itests/tsan, and runs its tests one after another in one process
 * (runner.c). Only the macros those tests use are here; a failed assertion
 * prints its file, line and condition, and a fatal one ends the run. */
#ifndef LRSCOPE_TSAN_CRITERION_H
#define LRSCOPE_TSAN_CRITERION_H

#include <math.h>
#include <stdbool.h>
#include <string.h>

typedef struct shim_suite {
    void (*init)(void);
    void (*fini)(void);
    double timeout;
} shim_suite;

void shim_register(const char *suite, const char *name, const shim_suite *s, void (*fn)(void));
void shim_check(bool ok, bool fatal, const char *file, int line, const char *what);

#define TestSuite(suite, ...) static const shim_suite shim_suite_##suite = { __VA_ARGS__ }

#define Test(suite, name, ...)                                                  \
    static void shim_test_##suite##_##name(void);                               \
    __attribute__((constructor)) static void shim_reg_##suite##_##name(void)    \
    {                                                                           \
        shim_register(#suite, #name, &shim_suite_##suite, shim_test_##suite##_##name); \
    }                                                                           \
    static void shim_test_##suite##_##name(void)

#define shim_(ok, fatal, what) shim_check((ok), (fatal), __FILE__, __LINE__, (what))
#define cr_assert(c, ...)               shim_((c) ? true : false, true, #c)
#define cr_expect(c, ...)               shim_((c) ? true : false, false, #c)
#define cr_assert_eq(a, b, ...)         shim_((a) == (b), true, #a " == " #b)
#define cr_expect_eq(a, b, ...)         shim_((a) == (b), false, #a " == " #b)
#define cr_assert_gt(a, b, ...)         shim_((a) > (b), true, #a " > " #b)
#define cr_expect_str_eq(a, b, ...)     shim_(strcmp((a), (b)) == 0, false, #a " == " #b)
#define cr_assert_fail(...)             shim_(false, true, "cr_assert_fail")
#define cr_expect_float_eq(a, b, eps, ...) \
    shim_(fabs((double)(a) - (double)(b)) <= (double)(eps), false, #a " ~= " #b)

#endif
