/* rng.h — the one source of randomness: a small seeded generator.
 *
 * Every random choice in lrscope (initialisation, shuffling, subsets,
 * augmentation, generated data) draws from an explicit `lr_rng`, so the same
 * seed gives the same numbers. xoshiro128** seeded through splitmix64. */
#ifndef LRSCOPE_RNG_H
#define LRSCOPE_RNG_H

#include <stdint.h>

typedef struct lr_rng {
    uint32_t s[4];
} lr_rng;

void     rng_seed(lr_rng *r, uint64_t seed);
uint32_t rng_u32(lr_rng *r);
/* Uniform in [0, n), unbiased; n > 0. */
uint32_t rng_below(lr_rng *r, uint32_t n);
/* Uniform in [0, 1). */
float    rng_uniform(lr_rng *r);
/* Standard normal (Box-Muller). */
float    rng_normal(lr_rng *r);
/* Fisher-Yates shuffle of idx[0..n). */
void     rng_shuffle(lr_rng *r, uint32_t *idx, uint32_t n);

#endif
