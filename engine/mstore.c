#include "engine/mstore.h"

#include <stdlib.h>
#include <string.h>

int mstore_init(mstore *s)
{
    memset(s, 0, sizeof *s);
    if (pthread_mutex_init(&s->lock, NULL))
        return -1;
    s->cap = 4096;
    s->rows = malloc(s->cap * sizeof *s->rows);
    return s->rows ? 0 : -1;
}

void mstore_free(mstore *s)
{
    free(s->rows);
    pthread_mutex_destroy(&s->lock);
    memset(s, 0, sizeof *s);
}

int mstore_append(mstore *s, const metrics_row *r)
{
    pthread_mutex_lock(&s->lock);
    if (s->n == s->cap && s->cap < MSTORE_KEEP) {
        metrics_row *grown = realloc(s->rows, 2 * s->cap * sizeof *grown);
        if (!grown) {
            pthread_mutex_unlock(&s->lock);
            return -1;
        }
        s->rows = grown;
        s->cap *= 2;
    }
    s->rows[s->n % s->cap] = *r;   /* past MSTORE_KEEP, over the oldest */
    s->n++;
    pthread_mutex_unlock(&s->lock);
    return 0;
}

void mstore_reset(mstore *s)
{
    pthread_mutex_lock(&s->lock);
    s->n = 0;
    s->generation++;
    pthread_mutex_unlock(&s->lock);
}

size_t mstore_read_kept(mstore *s, size_t *from, metrics_row *out, size_t max,
                        unsigned *generation)
{
    pthread_mutex_lock(&s->lock);
    size_t n = 0, oldest = s->n > s->cap ? s->n - s->cap : 0;
    if (*from < oldest)
        *from = oldest;
    if (*from < s->n) {
        n = s->n - *from;
        if (n > max)
            n = max;
        for (size_t i = 0; i < n; i++)
            out[i] = s->rows[(*from + i) % s->cap];
    }
    *generation = s->generation;
    pthread_mutex_unlock(&s->lock);
    return n;
}

size_t mstore_read_since(mstore *s, size_t from, metrics_row *out, size_t max,
                         unsigned *generation)
{
    return mstore_read_kept(s, &from, out, max, generation);
}
