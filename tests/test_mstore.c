/* The metrics store keeps the newest MSTORE_KEEP rows of a run: a long run
 * costs it a bounded amount of memory, and a reader that keeps up sees every
 * row in order; one that fell behind resumes at the oldest row kept. */
#include <criterion/criterion.h>

#include "engine/mstore.h"

static metrics_row out[4096];

Test(mstore, a_reader_that_keeps_up_sees_every_row_of_a_long_run)
{
    mstore s;
    cr_assert_eq(mstore_init(&s), 0);
    size_t pos = 0;
    unsigned gen;
    long want = 0;
    for (long i = 0; i < 3 * MSTORE_KEEP + 123; i++) {
        metrics_row r = { .iter = i };
        cr_assert_eq(mstore_append(&s, &r), 0);
        if (i % 1000 == 999) {
            size_t n;
            while ((n = mstore_read_kept(&s, &pos, out, 4096, &gen)) > 0) {
                for (size_t k = 0; k < n; k++)
                    cr_assert_eq(out[k].iter, want++);
                pos += n;
            }
        }
    }
    cr_expect_leq(s.cap, (size_t)MSTORE_KEEP, "the store stops growing");
    size_t from = 0;
    size_t n = mstore_read_kept(&s, &from, out, 10, &gen);
    cr_expect_eq(n, (size_t)10);
    cr_expect_eq(from, (size_t)(2 * MSTORE_KEEP + 123), "behind: resumes at the oldest kept");
    cr_expect_eq(out[0].iter, (long)from);
    mstore_reset(&s);
    from = 0;
    cr_expect_eq(mstore_read_kept(&s, &from, out, 10, &gen), (size_t)0);
    metrics_row r = { .iter = 7 };
    mstore_append(&s, &r);
    cr_expect_eq(mstore_read_since(&s, 0, out, 10, &gen), (size_t)1);
    cr_expect_eq(out[0].iter, 7);
    mstore_free(&s);
}
