/* Part of the native check kernel, gk_run: one batch through the plan: included by ../_kernel.c, one translation unit (never
 * compiled alone), so every static function stays inlinable across the parts. */
#include "kernel.h"

/* Count one batch of ``nrows`` rows into ``counters``: [0] rows, [1] doubtful checksum inputs, [2] doubtful
 * date/number inputs, then per
 * check (``checks``: applies node or -1, expect node, number of breakdowns, breakdown nodes, first
 * counter): evaluated, failed, one per breakdown; then per freshness check (gk_set_fresh) its rows and newest value. */
int gk_run(void *vp, void *vc, int32_t ncols, const uint8_t **validity, const void **offsets,
           const uint8_t **data, const int64_t *array_offset, const int8_t *large, int64_t nrows,
           int64_t *counters) {
    plan *p = vp; ctx *c = vc;
    PROF_BEGIN
    batch bt = {ncols, validity, offsets, data, array_offset, large, 0};
    c->doubt = counters + 1;
    c->parse_doubt = counters + 2;
    counters[0] += nrows;
    for (int64_t start = 0; start < nrows; start += CH) {
        int32_t m = nrows - start < CH ? (int32_t)(nrows - start) : CH;
        bt.row = start;
        next_gen(p, c);
        free_retired(c);
        mask all;
        for (int w = 0; w < NW; w++) {
            int32_t lo = w * 64;
            all.w[w] = m >= lo + 64 ? ~0ULL : m > lo ? (1ULL << (m - lo)) - 1 : 0;
        }
        if (p->ngroups) {  /* the checks of one column, per value */
            PROF_BEGIN
            vc_chunk(p, c, &bt, m, counters);
            PROF_END(PROF_VC, m);
        }
        const int32_t *ck = p->checks;
        for (int32_t k = 0; k < p->nchecks; k++) {
            int32_t applies = ck[0], expect = ck[1], nbreak = ck[2];
            const int32_t *breaks = ck + 3;
            int32_t out = ck[3 + nbreak];
            if (c->cached && c->cached[k]) { ck += 4 + nbreak; continue; }  /* counted by vc_chunk */
            mask sel = all, failed;
            if (applies >= 0) {
                eval_sel(p, c, &bt, applies, &all);
                const uint64_t *v = PBITS(applies);
                for (int w = 0; w < NW; w++) sel.w[w] &= v[w];
            }
            counters[out] += mask_count(&sel);
            eval_sel(p, c, &bt, expect, &sel);
            const uint64_t *e = PBITS(expect);
            for (int w = 0; w < NW; w++) failed.w[w] = sel.w[w] & ~e[w];
            int64_t nf = mask_count(&failed);
            counters[out + 1] += nf;
            if (c->sample_n && nf && c->sample_counts[k] < c->sample_n) take_samples(c, k, start, &failed);
            for (int32_t j = 0; j < nbreak && nf; j++) {
                eval_sel(p, c, &bt, breaks[j], &failed);
                const uint64_t *b = PBITS(breaks[j]);
                mask hit;
                for (int w = 0; w < NW; w++) hit.w[w] = failed.w[w] & b[w];
                counters[out + 2 + j] += mask_count(&hit);
            }
            ck += 4 + nbreak;
        }
        if (c->key_out) {
            PROF_BEGIN
            fingerprint_keys(p, c, &bt, &all);
            PROF_END(PROF_KEYS, m);
        }
        for (int32_t k = 0; k < p->nfresh; k++) {
            int32_t node = p->fresh[2 * k], base = p->fresh[2 * k + 1];
            eval_sel(p, c, &bt, node, &all);
            const val *v = MEMO(node);
            int64_t present = 0, newest = counters[base + 1];
            for (int32_t r = 0; r < m; r++) {
                if (v[r].null) continue;
                present++;
                if (v[r].i > newest) newest = v[r].i;
            }
            counters[base] += present;
            counters[base + 1] = newest;
        }
    }
    if (p->ngroups) vc_batch_end(p, c, counters);
    PROF_END(PROF_RUN, nrows);
    return 0;
}
