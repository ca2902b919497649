/* Part of the native check kernel, the per-value result cache: included by ../_kernel.c, one translation unit (never
 * compiled alone), so every static function stays inlinable across the parts. */
#include "kernel.h"

/* ------------------------------------------------------------------ the per-value result cache
 *
 * Most checks read a single column, and most columns of a department's export hold few distinct values (sex,
 * ethnicity, region, service item, employer, names). A check reading one column gives the same applies, failed
 * and breakdown answers on every row holding the same value, so such checks (grouped by column in plan.py,
 * handed over by gk_set_groups) are evaluated once per distinct value, as DuckDB's dictionary vectors do: per
 * context and group, a bounded hash table maps a value (its bytes copied into the cache's own arena; NULL a value
 * of its own) to the group's result bits and a hit count. Per chunk every row's value is looked up; the values
 * not there yet (the misses, once each) are evaluated by the interpreter above on a selection of their first
 * rows — the same guards, so a checksum or parse doubt is raised on a value exactly when the uncached path
 * raises it — and inserted. Every row only adds one to its entry's hits; hits × bits go into the counters when
 * the batch ends (or the table is full and cleared, or the group is switched off), so a repeated value costs
 * one hash lookup per row per group.
 *
 * The doubt counters (counters[1], [2]) are "any doubt" flags to the engine (duckdb.py recounts the affected
 * checks in SQL when one is non-zero), so the cache keeps their zero/non-zero-ness exact, not their size: an
 * entry remembers whether evaluating its value raised a doubt, and adds its hits to the doubt counter.
 *
 * Adaptive: near-unique columns (ID numbers, phones, timestamps, amounts) would pay a lookup and an insert per
 * row for nothing. The misses are judged per window of VC_WINDOW rows: more than 3/4 misses in the first window
 * (a cold table), or more than 1/4 in a later one, switch the group's cache off in this context, and its checks
 * run in gk_run's loop from the next chunk on. */

#define VC_MAX_ENTRIES 8192          /* a fuller table is counted into the counters and cleared */
#define VC_MAX_KEY_BYTES (1 << 20)   /* likewise for the arena of the values' bytes */
#define VC_WINDOW 4096

typedef struct vgroup {
    int32_t col, nchecks, nbits, nwords;
    int32_t *check;          /* the checks' numbers, in the order of plan.checks */
    const int32_t **words;   /* each check's words in plan.checks */
    int32_t *counter;        /* per result bit: the counter it counts into (a check's evaluated, failed, breakdowns) */
} vgroup;

/* A slot of a group's table: a value of up to 16 bytes is its own key (``w0``, ``w1``: its first and last eight
 * bytes, overlapping, or all of it in ``w0``; with ``len`` that is the value), so a row's lookup reads one slot and
 * nothing else; a longer value has its first and last eight bytes there and is compared through the arena. */
typedef struct { uint64_t w0, w1; int32_t len; int32_t e1; } vslot;  /* e1: entry + 1, 0 empty; len -1: NULL */
#define VC_INLINE 16

typedef struct vcache {
    int on;
    vslot *slot; uint64_t mask;  /* open addressing */
    int32_t n, cap;
    uint64_t *hash; int64_t *koff; int32_t *klen;  /* klen -1: NULL; koff only for values over VC_INLINE bytes */
    int64_t *hits; uint64_t *bits; uint8_t *doubts;  /* doubts: bit 0 a checksum doubt, bit 1 a parse doubt */
    uint8_t *keys; int64_t kused, kcap;
    int64_t win_rows, win_miss; int32_t windows;
    uint64_t seen[4];  /* the OR of every entry's first 256 result bits so far (vc_samples: which checks failed) */
} vcache;

static uint64_t vc_hash(const uint8_t *s, int32_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ULL * (uint64_t)(n + 2);
    int32_t i = 0;
    for (; i + 8 <= n; i += 8) { h = (h ^ load8(s + i)) * 0xC4CEB9FE1A85EC53ULL; h ^= h >> 29; }
    if (i < n) h ^= short_bytes(s + i, n - i) * 0xFF51AFD7ED558CCDULL;
    return mix64(h);
}

/* A value's slot words: of up to 7 bytes, its bytes in ``w0`` (byte k at bits 8k, by two overlapping 4-byte or
 * 2-byte loads, never past the value); of 8 or more, its first and last eight bytes (overlapping below 16). */
HOT void vc_words(const uint8_t *s, int32_t n, uint64_t *w0, uint64_t *w1) {
    if (n >= 8) { *w0 = load8(s); *w1 = load8(s + n - 8); return; }
    *w1 = 0;
    if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, s, 4); memcpy(&hi, s + n - 4, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        lo = __builtin_bswap32(lo); hi = __builtin_bswap32(hi);
#endif
        *w0 = (uint64_t)lo | (uint64_t)hi << (8 * (n - 4));
    } else if (n >= 2) {
        *w0 = (uint64_t)s[0] | (uint64_t)s[1] << 8 | (n == 3 ? (uint64_t)s[2] << 16 : 0);
    } else *w0 = n == 1 ? s[0] : 0;
}

/* The hash of a value of up to 16 bytes from its words: two independent multiplications and a fold. */
HOT uint64_t vc_short_hash(uint64_t w0, uint64_t w1, int32_t n) {
    uint64_t h = w0 * 0x9E3779B97F4A7C15ULL ^ (w1 + (uint64_t)(n + 2)) * 0xC2B2AE3D27D4EB4FULL;
    h ^= h >> 32;
    h *= 0xFF51AFD7ED558CCDULL;
    return h ^ h >> 29;
}

/* Start a new generation of node values: every node forgets the rows it held (gk_run, once per chunk). */
static void next_gen(const plan *p, ctx *c) {
    if (++c->chunk_gen == 0) {  /* wrapped: forget every generation */
        memset(c->node_gen, 0, sizeof(uint32_t) * (size_t)p->nnodes);
        memset(c->arena_gen, 0, sizeof(uint32_t) * (size_t)p->nnodes);
        c->chunk_gen = 1;
    }
}

/* Hits × result bits into the counters; the hits start again from 0 (the entries stay). */
static void vc_fold(const vgroup *g, vcache *v, int64_t *counters) {
    for (int32_t e = 0; e < v->n; e++) {
        int64_t h = v->hits[e];
        if (!h) continue;
        const uint64_t *b = v->bits + (int64_t)e * g->nwords;
        for (int32_t w = 0; w < g->nwords; w++)
            for (uint64_t x = b[w]; x; x &= x - 1) counters[g->counter[w * 64 + __builtin_ctzll(x)]] += h;
        if (v->doubts[e] & 1) counters[1] += h;
        if (v->doubts[e] & 2) counters[2] += h;
        v->hits[e] = 0;
    }
}

static void vc_release(vcache *v) {
    free(v->slot); free(v->hash); free(v->koff); free(v->klen); free(v->hits); free(v->bits); free(v->doubts);
    free(v->keys);
    int on = v->on;
    memset(v, 0, sizeof *v);
    v->on = on;
}

/* Switch the group's cache off in this context: its counts so far into the counters, its checks to gk_run's loop. */
static void vc_off(const plan *p, ctx *c, int32_t gi, int64_t *counters) {
    const vgroup *g = &p->groups[gi];
    vcache *v = &c->vc[gi];
    vc_fold(g, v, counters);
    v->on = 0;
    vc_release(v);
    for (int32_t k = 0; k < g->nchecks; k++) c->cached[g->check[k]] = 0;
}

/* Room for ``rows`` new values of ``bytes`` bytes in all: a full table is counted and cleared, a small one grows. */
static int vc_reserve(const vgroup *g, vcache *v, int32_t rows, int64_t bytes, int64_t *counters) {
    if (v->n + rows > VC_MAX_ENTRIES || (v->kused + bytes > VC_MAX_KEY_BYTES && v->kused)) {
        vc_fold(g, v, counters);
        v->n = 0; v->kused = 0;
        if (v->slot) memset(v->slot, 0, sizeof(vslot) * (v->mask + 1));
    }
    if (v->n + rows > v->cap) {
        int32_t cap = v->cap ? v->cap : 256;
        while (cap < v->n + rows) cap *= 2;
        uint64_t *hash = realloc(v->hash, sizeof(uint64_t) * (size_t)cap);
        if (hash) v->hash = hash;
        int64_t *koff = realloc(v->koff, sizeof(int64_t) * (size_t)cap);
        if (koff) v->koff = koff;
        int32_t *klen = realloc(v->klen, sizeof(int32_t) * (size_t)cap);
        if (klen) v->klen = klen;
        int64_t *hits = realloc(v->hits, sizeof(int64_t) * (size_t)cap);
        if (hits) v->hits = hits;
        uint64_t *bits = realloc(v->bits, sizeof(uint64_t) * (size_t)cap * (size_t)g->nwords);
        if (bits) v->bits = bits;
        uint8_t *doubts = realloc(v->doubts, (size_t)cap);
        if (doubts) v->doubts = doubts;
        vslot *slot = calloc((size_t)cap * 2, sizeof(vslot));
        if (!hash || !koff || !klen || !hits || !bits || !doubts || !slot) { free(slot); return -1; }
        uint64_t mask = (uint64_t)cap * 2 - 1;
        for (uint64_t j = 0; v->slot && j <= v->mask; j++) {  /* rehash */
            if (!v->slot[j].e1) continue;
            uint64_t i = v->hash[v->slot[j].e1 - 1] & mask;
            while (slot[i].e1) i = (i + 1) & mask;
            slot[i] = v->slot[j];
        }
        free(v->slot);
        v->slot = slot; v->mask = mask; v->cap = cap;
    }
    if (v->kused + bytes > v->kcap) {
        int64_t cap = v->kcap ? v->kcap : 4096;
        while (cap < v->kused + bytes) cap *= 2;
        uint8_t *keys = realloc(v->keys, (size_t)cap);
        if (!keys) return -1;
        v->keys = keys; v->kcap = cap;
    }
    return 0;
}

/* The group's checks on the rows of ``rows``, as gk_run's loop evaluates them (applies; expect on the rows it
 * selects; each breakdown on the failing rows, when there are any), into one mask per result bit. */
static void vc_eval(const plan *p, ctx *c, const batch *bt, const vgroup *g, const mask *rows, mask *res) {
    int32_t b = 0;
    for (int32_t k = 0; k < g->nchecks; k++) {
        const int32_t *ck = g->words[k];
        int32_t applies = ck[0], expect = ck[1], nbreak = ck[2];
        mask *sel = &res[b], *failed = &res[b + 1];
        *sel = *rows;
        if (applies >= 0) {
            eval_sel(p, c, bt, applies, rows);
            const uint64_t *a = PBITS(applies);
            for (int w = 0; w < NW; w++) sel->w[w] &= a[w];
        }
        eval_sel(p, c, bt, expect, sel);
        const uint64_t *e = PBITS(expect);
        for (int w = 0; w < NW; w++) failed->w[w] = sel->w[w] & ~e[w];
        int any = mask_any(failed);
        for (int32_t j = 0; j < nbreak; j++) {
            mask *hit = &res[b + 2 + j];
            memset(hit, 0, sizeof *hit);
            if (!any) continue;
            eval_sel(p, c, bt, ck[3 + j], failed);
            const uint64_t *v = PBITS(ck[3 + j]);
            for (int w = 0; w < NW; w++) hit->w[w] = failed->w[w] & v[w];
        }
        b += 2 + nbreak;
    }
}

static int row_in(const mask *s, int32_t r) { return (int)((s->w[r >> 6] >> (r & 63)) & 1); }

static void vc_misses(const plan *p, ctx *c, const batch *bt, const vgroup *g, vcache *v, const mask *miss,
                      const int32_t *fresh_row, const int32_t *fresh_entry, int32_t nfresh);
static void vc_samples(ctx *c, const vgroup *g, const vcache *v, const int32_t *row_entry, int32_t m,
                       int64_t start);
static void take_samples(ctx *c, int32_t k, int64_t start, const mask *failed);

/* One chunk of ``m`` rows through every group whose cache is on.
 * Tried, no measurable gain (benchmark profile 131 → 122-135 cycles/row, within the VM's noise): two passes per
 * chunk or per 32 rows, every row's hash first with its slot prefetched, then the probes. perf puts the time on the
 * slot's load, but the tables (≤ 200 KB for 3,200 region codes) are L2-resident and the probes of different rows
 * already overlap out of order; what remains is the hashing and the branches on the value's length. */
static void vc_chunk(const plan *p, ctx *c, const batch *bt, int32_t m, int64_t *counters) {
    for (int32_t gi = 0; gi < p->ngroups; gi++) {
        const vgroup *g = &p->groups[gi];
        vcache *v = &c->vc[gi];
        if (!v->on) continue;
        if (v->win_rows >= VC_WINDOW) {
            int high = v->windows == 0 ? v->win_miss * 4 > v->win_rows * 3 : v->win_miss * 4 > v->win_rows;
            v->windows++; v->win_rows = 0; v->win_miss = 0;
            if (high) { vc_off(p, c, gi, counters); continue; }
        }
        int32_t col = g->col;
        const uint8_t *valid = bt->validity[col], *data = bt->data[col];
        int64_t base = bt->row + bt->array_offset[col];
        int large = bt->large[col];
        const int64_t *o64 = bt->offsets[col];
        const int32_t *o32 = bt->offsets[col];
        const uint8_t *views = bt->offsets[col];
        int64_t bytes = 0;
        if (large == LAYOUT_VIEWS)  /* a NULL row's view holds whatever was there before: not a length */
            for (int64_t i = base; i < base + m; i++) {
                int32_t n = 0;
                if (!valid || ((valid[i >> 3] >> (i & 7)) & 1)) view_bytes(views + 16 * i, &n);
                bytes += n;
            }
        else bytes = large ? o64[base + m] - o64[base] : (int64_t)o32[base + m] - o32[base];
        if (vc_reserve(g, v, m, bytes, counters) != 0) { vc_off(p, c, gi, counters); continue; }
        mask miss;
        memset(&miss, 0, sizeof miss);
        int32_t fresh_row[CH], fresh_entry[CH], row_entry[CH], nfresh = 0;
        for (int32_t r = 0; r < m; r++) {
            int64_t i = base + r;
            const uint8_t *s = NULL;
            int32_t len = -1;
            uint64_t w0 = 0, w1 = 0, h = 0x5bd1e9955bd1e995ULL;  /* NULL */
            if (!valid || ((valid[i >> 3] >> (i & 7)) & 1)) {
                if (large == LAYOUT_VIEWS) s = view_bytes(views + 16 * i, &len);
                else {
                    int64_t a = large ? o64[i] : o32[i];
                    len = (int32_t)((large ? o64[i + 1] : o32[i + 1]) - a);
                    s = data + a;
                }
                vc_words(s, len, &w0, &w1);
                h = len <= VC_INLINE ? vc_short_hash(w0, w1, len) : vc_hash(s, len);
            }
            uint64_t at = h & v->mask;
            int32_t e;
            for (;;) {
                vslot *sl = &v->slot[at];
                if (!sl->e1) {  /* a value not seen: a new entry, evaluated on this row */
                    e = v->n++;
                    sl->w0 = w0; sl->w1 = w1; sl->len = len; sl->e1 = e + 1;
                    v->hash[e] = h; v->klen[e] = len; v->koff[e] = v->kused; v->hits[e] = 0; v->doubts[e] = 0;
                    memset(v->bits + (int64_t)e * g->nwords, 0, sizeof(uint64_t) * (size_t)g->nwords);
                    if (len > VC_INLINE) { memcpy(v->keys + v->kused, s, (size_t)len); v->kused += len; }
                    miss.w[r >> 6] |= 1ULL << (r & 63);
                    fresh_row[nfresh] = r; fresh_entry[nfresh++] = e;
                    break;
                }
                e = sl->e1 - 1;
                if (sl->w0 == w0 && sl->w1 == w1 && sl->len == len
                    && (len <= VC_INLINE || same_bytes(v->keys + v->koff[e], s, len)))
                    break;
                at = (at + 1) & v->mask;
            }
            v->hits[e]++;
            row_entry[r] = e;
        }
        v->win_rows += m; v->win_miss += nfresh;
        if (nfresh) vc_misses(p, c, bt, g, v, &miss, fresh_row, fresh_entry, nfresh);
        if (c->sample_n) vc_samples(c, g, v, row_entry, m, bt->row);
    }
}

/* The values first seen in this chunk (rows ``fresh_row``, entries ``fresh_entry``): evaluated on their rows by
 * the interpreter, their result bits into their entries. */
static void vc_misses(const plan *p, ctx *c, const batch *bt, const vgroup *g, vcache *v, const mask *miss,
                      const int32_t *fresh_row, const int32_t *fresh_entry, int32_t nfresh) {
    mask *res = c->res;
    int64_t d0 = *c->doubt, pd0 = *c->parse_doubt;
    vc_eval(p, c, bt, g, miss, res);
    for (int32_t f = 0; f < nfresh; f++) {
        uint64_t *bits = v->bits + (int64_t)fresh_entry[f] * g->nwords;
        for (int32_t b = 0; b < g->nbits; b++)
            if (row_in(&res[b], fresh_row[f])) bits[b >> 6] |= 1ULL << (b & 63);
    }
    for (int32_t f = 0; f < nfresh; f++) {
        const uint64_t *bits = v->bits + (int64_t)fresh_entry[f] * g->nwords;
        for (int32_t w = 0; w < g->nwords; w++) v->seen[w] |= bits[w];
    }
    if (*c->doubt == d0 && *c->parse_doubt == pd0) return;
    /* Some value raised a doubt: find which, one row at a time, each on values computed afresh (the nodes'
     * rows of this chunk are forgotten; gk_run's loop computes again what it needs). Rare: derive's shape
     * guards keep checksums from doubtful input, and real data's dates and numbers have the canonical layouts. */
    for (int32_t f = 0; f < nfresh; f++) {
        mask one;
        memset(&one, 0, sizeof one);
        one.w[fresh_row[f] >> 6] = 1ULL << (fresh_row[f] & 63);
        next_gen(p, c);
        int64_t d = *c->doubt, pd = *c->parse_doubt;
        vc_eval(p, c, bt, g, &one, res);
        v->doubts[fresh_entry[f]] = (uint8_t)((*c->doubt != d) | (*c->parse_doubt != pd) << 1);
    }
    next_gen(p, c);
    *c->doubt = d0; *c->parse_doubt = pd0;  /* counted again through the entries' hits (vc_fold) */
}

/* Samples (gk_ctx_samples) of the group's checks, which gk_run's loop skips while the cache counts them: the
 * chunk's rows (starting at ``start``) whose entry fails a check still short of samples. A check no value seen
 * so far fails (``seen``) costs nothing; one that fails takes its samples from the first such chunks. */
static void vc_samples(ctx *c, const vgroup *g, const vcache *v, const int32_t *row_entry, int32_t m,
                       int64_t start) {
    int32_t b = 0;
    for (int32_t k = 0; k < g->nchecks; k++) {
        int32_t check = g->check[k], failbit = b + 1;
        b += 2 + g->words[k][2];
        if (c->sample_counts[check] >= c->sample_n) continue;
        if (failbit < 256 && !((v->seen[failbit >> 6] >> (failbit & 63)) & 1)) continue;
        mask failed;
        memset(&failed, 0, sizeof failed);
        for (int32_t r = 0; r < m; r++) {
            const uint64_t *bits = v->bits + (int64_t)row_entry[r] * g->nwords;
            if ((bits[failbit >> 6] >> (failbit & 63)) & 1) failed.w[r >> 6] |= 1ULL << (r & 63);
        }
        take_samples(c, check, start, &failed);
    }
}

/* End of a batch: every group's hits into the batch's counters. */
static void vc_batch_end(const plan *p, ctx *c, int64_t *counters) {
    for (int32_t gi = 0; gi < p->ngroups; gi++) if (c->vc[gi].on) vc_fold(&p->groups[gi], &c->vc[gi], counters);
}
