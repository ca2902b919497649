/* Part of the native check kernel, the C API (ctypes): plans, contexts, code sets, automata, samples: included by ../_kernel.c, one translation unit (never
 * compiled alone), so every static function stays inlinable across the parts. */
#include "kernel.h"

/* ------------------------------------------------------------------ the C API (ctypes) */

void *gk_plan_new(int32_t nnodes, const int64_t *nodes, const int32_t *args,
                  const uint8_t *lit_data, const int64_t *lit_off,
                  int32_t ndfa, const int16_t *dfa, const int64_t *dfa_off, const uint8_t *dfa_accept,
                  const int64_t *acc_off,
                  int32_t nchecks, const int32_t *checks, int32_t ncounters) {
    plan *p = calloc(1, sizeof(plan));
    if (!p) return NULL;
    p->nnodes = nnodes; p->nodes = (int64_t *)nodes; p->args = (int32_t *)args;
    p->lit_data = lit_data; p->lit_off = lit_off;
    p->ndfa = ndfa; p->dfa = dfa; p->dfa_off = dfa_off; p->dfa_accept = dfa_accept; p->acc_off = acc_off;
    p->nchecks = nchecks; p->checks = checks; p->ncounters = ncounters;
    /* Each automaton's states plus a dead one (number nstates: the automata of plan.py are int16, so it fits),
     * "no match" (-1) leading there. ``dfa_off``/``acc_off`` have ndfa + 1 entries. */
    int64_t total = ndfa > 0 ? acc_off[ndfa] + ndfa : 1;
    p->run = malloc(sizeof(uint16_t) * 256 * (size_t)total);
    p->run_accept = calloc((size_t)total, 1);
    p->run_off = malloc(sizeof(int64_t) * (size_t)(ndfa > 0 ? ndfa : 1));
    if (!p->run || !p->run_accept || !p->run_off) { free(p->run); free(p->run_accept); free(p->run_off); free(p); return NULL; }
    for (int32_t d = 0; d < ndfa; d++) {
        int64_t nstates = acc_off[d + 1] - acc_off[d], base = 256 * (acc_off[d] + d);
        p->run_off[d] = base;
        for (int64_t k = 0; k < 256 * nstates; k++) {
            int16_t next = dfa[dfa_off[d] + k];
            p->run[base + k] = (uint16_t)(next < 0 ? nstates : next);
        }
        for (int64_t k = 0; k < 256; k++) p->run[base + 256 * nstates + k] = (uint16_t)nstates;
        memcpy(p->run_accept + acc_off[d] + d, dfa_accept + acc_off[d], (size_t)nstates);
    }
    return p;
}

/* A character class (sorted code points); ``to`` maps CS_FW_FROM's code points to ASCII. */
int gk_set_charset(void *vp, int32_t which, const uint32_t *cps, int32_t n, const uint32_t *to) {
    plan *p = vp;
    if (which < 0 || which >= CS_COUNT) return -1;
    p->charsets[which].cps = cps; p->charsets[which].n = n;
    memset(p->charsets[which].blocks, 0, sizeof p->charsets[which].blocks);
    for (int32_t k = 0; k < n; k++) {
        if (cps[k] < 0x10000) p->charsets[which].blocks[cps[k] >> 14] |= 1ULL << ((cps[k] >> 8) & 63);
        if (cps[k] < 128) p->ascii_class[cps[k]] |= (uint8_t)(1 << which);
        if (which == CS_FW_FROM && k < 128) p->fw_to[k] = to[k];
    }
    return which == CS_FW_FROM && n > 128 ? -1 : 0;
}

int gk_set_id(void *vp, const int32_t *weights, int32_t nweights, const char *check_chars, int32_t length,
              int32_t legacy_length) {
    plan *p = vp;
    if (nweights != 17 || length != 18 || strlen(check_chars) != 11) return -1;
    memcpy(p->id_weights, weights, sizeof(int32_t) * 17);
    memcpy(p->id_check, check_chars, 12);
    p->id_length = length; p->id_legacy_length = legacy_length;
    return 0;
}

int gk_set_weighted(void *vp, int32_t which, const char *alphabet, const int32_t *weights, int32_t nweights,
                    const char *check_table, int32_t modulus, int32_t length) {
    plan *p = vp;
    if (which < 0 || which >= W_COUNT || nweights > 32 || nweights != length - 1) return -1;
    if ((int32_t)strlen(check_table) != modulus || modulus >= 64) return -1;
    weighted *w = &p->w[which];
    memset(w->value_of, 255, sizeof w->value_of);
    for (int32_t k = 0; alphabet[k]; k++) w->value_of[(uint8_t)alphabet[k] & 127] = (uint8_t)k;
    memcpy(w->weights, weights, sizeof(int32_t) * (size_t)nweights);
    w->nweights = nweights;
    memcpy(w->check_table, check_table, (size_t)modulus + 1);
    w->modulus = modulus; w->length = length;
    return 0;
}

/* Code sets: ``count`` byte strings (``data`` at ``off[k]..off[k+1]``), in ``nsets`` sets by ``start``. */
int gk_set_sets(void *vp, int32_t nsets, const int64_t *start, const uint8_t *data, const int64_t *off) {
    plan *p = vp;
    p->sets = calloc((size_t)(nsets > 0 ? nsets : 1), sizeof(hset));
    if (!p->sets) return -1;
    p->nsets = nsets;
    for (int32_t s = 0; s < nsets; s++) {
        int64_t n = start[s + 1] - start[s], cap = 16;
        while (cap < 2 * n + 2) cap *= 2;
        hset *h = &p->sets[s];
        h->slots = calloc((size_t)cap, sizeof(slot));
        if (!h->slots) return -1;
        h->mask = (uint64_t)cap - 1;
        for (int64_t k = start[s]; k < start[s + 1]; k++) {
            const uint8_t *key = data + off[k];
            int32_t len = (int32_t)(off[k + 1] - off[k]);
            if (hset_has(h, key, len)) continue;
            uint64_t hash, word = slot_key(key, len, &hash), i = hash & h->mask;
            while (h->slots[i].key) i = (i + 1) & h->mask;
            /* an empty code still needs a non-NULL key pointer */
            h->slots[i].key = len ? key : (const uint8_t *)"";
            h->slots[i].word = word;
            h->lens |= len_bit(len);
        }
    }
    return 0;
}

/* Freshness checks: ``n`` pairs (value node of a date or timestamp, first counter). counters[base] counts the rows
 * whose value is not NULL; counters[base + 1] is the largest value (yyyymmdd or yyyymmddHHMMSS, all > 0 for years
 * >= 1; 0: none) — a maximum, so the caller merges batches by max, not by sum. */
int gk_set_fresh(void *vp, int32_t n, const int32_t *words) {
    plan *p = vp;
    p->nfresh = n; p->fresh = words;
    return 0;
}

static void groups_free(plan *p) {
    for (int32_t g = 0; g < p->ngroups; g++) {
        free(p->groups[g].check); free(p->groups[g].words); free(p->groups[g].counter);
    }
    free(p->groups);
    p->groups = NULL; p->ngroups = 0;
}

/* The groups of checks counted per value (the per-value result cache above): per group its column, its number
 * of checks and their numbers (in the order of gk_plan_new's checks). Set before the first context is made;
 * without it (or with ``n`` 0) every check runs in gk_run's loop. */
int gk_set_groups(void *vp, int32_t n, const int32_t *words) {
    plan *p = vp;
    groups_free(p);
    if (n <= 0) return 0;
    const int32_t **at = malloc(sizeof(int32_t *) * (size_t)(p->nchecks > 0 ? p->nchecks : 1));
    p->groups = calloc((size_t)n, sizeof(vgroup));
    if (!at || !p->groups) { free(at); free(p->groups); p->groups = NULL; return -1; }
    const int32_t *ck = p->checks;
    for (int32_t k = 0; k < p->nchecks; k++) { at[k] = ck; ck += 4 + ck[2]; }
    p->ngroups = n;
    int rc = 0;
    for (int32_t gi = 0; gi < n && rc == 0; gi++) {
        vgroup *g = &p->groups[gi];
        g->col = words[0]; g->nchecks = words[1];
        g->check = malloc(sizeof(int32_t) * (size_t)g->nchecks);
        g->words = malloc(sizeof(int32_t *) * (size_t)g->nchecks);
        if (!g->check || !g->words || g->nchecks <= 0) { rc = -1; break; }
        for (int32_t k = 0; k < g->nchecks; k++) {
            int32_t which = words[2 + k];
            if (which < 0 || which >= p->nchecks) { rc = -1; break; }
            g->check[k] = which; g->words[k] = at[which]; g->nbits += 2 + at[which][2];
        }
        if (rc) break;
        g->nwords = (g->nbits + 63) / 64;
        g->counter = malloc(sizeof(int32_t) * (size_t)g->nbits);
        if (!g->counter) { rc = -1; break; }
        for (int32_t k = 0, b = 0; k < g->nchecks; k++) {
            const int32_t *w = g->words[k];
            int32_t out = w[3 + w[2]];
            for (int32_t j = 0; j < 2 + w[2]; j++) g->counter[b++] = out + j;
        }
        words += 2 + g->nchecks;
    }
    free(at);
    if (rc) groups_free(p);
    return rc;
}

/* Whether each group's cache is still on in context ``vc`` (1) or was switched off for near-unique values (0). */
int gk_cache_on(void *vp, void *vc, int32_t *out) {
    plan *p = vp; ctx *c = vc;
    for (int32_t g = 0; g < p->ngroups; g++) out[g] = c->vc[g].on;
    return p->ngroups;
}

/* The automata's shapes (automata.shapes), ``max_len`` = SHAPE_MAX or refused. Per automaton d: ``modes[d *
 * (max_len + 2) + n]`` (SH_*; n = max_len + 1: longer values), ``bits[d * 256 + byte]``, and for each length n
 * with a product its n class numbers at ``classes[off[d * (max_len + 1) + n]]``. */
int gk_set_shapes(void *vp, int32_t max_len, const uint8_t *modes, const uint64_t *bits, const uint8_t *classes,
                  const int64_t *off) {
    plan *p = vp;
    if (max_len != SHAPE_MAX || p->shapes) return -1;
    struct dfa_shape *sh = calloc((size_t)(p->ndfa > 0 ? p->ndfa : 1), sizeof *sh);
    if (!sh) return -1;
    for (int32_t d = 0; d < p->ndfa; d++) {
        struct dfa_shape *h = &sh[d];
        memcpy(h->mode, modes + (int64_t)d * (SHAPE_MAX + 2), SHAPE_MAX + 2);
        memcpy(h->bits, bits + (int64_t)d * 256, sizeof h->bits);
        int32_t at = 0;
        for (int32_t n = 0; n <= SHAPE_MAX; n++) {
            h->start[n] = (uint16_t)at;
            if (h->mode[n] > SH_PRODUCT) { free(sh); return -1; }
            if (h->mode[n] != SH_PRODUCT) continue;
            const uint8_t *c = classes + off[d * (SHAPE_MAX + 1) + n];
            for (int32_t i = 0; i < n; i++) {
                if (c[i] >= 64) { free(sh); return -1; }
                h->want[at + i] = 1ULL << c[i];
            }
            at += n;
            if (n >= 8) shape_templates(h, n);
        }
        if (h->mode[SHAPE_MAX + 1] > SH_REJECT) { free(sh); return -1; }
    }
    p->shapes = sh;
    return 0;
}

/* One value against automaton ``d`` (tests): ``how`` 0 by the walk alone, 1 as OP_MATCH does. */
int gk_match(void *vp, int32_t d, const uint8_t *s, int32_t n, int32_t how) {
    const plan *p = vp;
    val x = {0}; x.s = s; x.len = n;
    return how ? pattern_match(p, d, x) : dfa_match(p, d, x);
}

void gk_plan_free(void *vp) {
    plan *p = vp;
    if (!p) return;
    for (int32_t s = 0; s < p->nsets; s++) free(p->sets[s].slots);
    free(p->sets); free(p->run); free(p->run_accept); free(p->run_off);
    groups_free(p);
    free(p->shapes);
    free(p);
}

void gk_ctx_free(void *vp, void *vc);

void *gk_ctx_new(void *vp) {
    plan *p = vp;
    ctx *c = calloc(1, sizeof(ctx));
    if (!c) return NULL;
    c->nnodes = p->nnodes;
    size_t nn = (size_t)p->nnodes;
    c->memo = calloc(nn * CH, sizeof(val));
    c->memo_at = malloc(nn * sizeof(val *) + 1);
    c->pbits = calloc(nn * (CH / 64), sizeof(uint64_t));
    c->have = calloc(nn * (CH / 64), sizeof(uint64_t));
    c->node_gen = calloc(nn, sizeof(uint32_t));
    c->arena = calloc(nn, sizeof(uint8_t *));
    c->arena_cap = calloc(nn, sizeof(int64_t));
    c->arena_used = calloc(nn, sizeof(int64_t));
    c->arena_gen = calloc(nn, sizeof(uint32_t));
    if (!c->memo || !c->memo_at || !c->pbits || !c->have || !c->node_gen || !c->arena || !c->arena_cap || !c->arena_used || !c->arena_gen) {
        gk_ctx_free(vp, c);
        return NULL;
    }
    for (size_t k = 0; k < nn; k++) c->memo_at[k] = c->memo + k * CH;
    if (p->ngroups > 0) {
        int32_t nbits = 1;
        for (int32_t g = 0; g < p->ngroups; g++) if (p->groups[g].nbits > nbits) nbits = p->groups[g].nbits;
        c->vc = calloc((size_t)p->ngroups, sizeof(vcache));
        c->ngroups = c->vc ? p->ngroups : 0;
        c->cached = calloc((size_t)(p->nchecks > 0 ? p->nchecks : 1), 1);
        c->res = malloc(sizeof(mask) * (size_t)nbits);
        if (!c->vc || !c->cached || !c->res) { gk_ctx_free(vp, c); return NULL; }
        for (int32_t g = 0; g < p->ngroups; g++) {
            c->vc[g].on = 1;
            for (int32_t k = 0; k < p->groups[g].nchecks; k++) c->cached[p->groups[g].check[k]] = 1;
        }
    }
    return c;
}

static void free_retired(ctx *c) {
    for (int32_t k = 0; k < c->nretired; k++) free(c->retired[k]);
    c->nretired = 0;
}

void gk_ctx_free(void *vp, void *vc) {
    (void)vp;  /* the context holds what it needs: it may outlive its plan inside DuckDB (csrc/inscan.c) */
    ctx *c = vc;
    if (!c) return;
    if (c->arena) for (int32_t k = 0; k < c->nnodes; k++) free(c->arena[k]);
    free_retired(c);
    free(c->retired); free(c->arena); free(c->arena_cap); free(c->arena_used); free(c->arena_gen);
    if (c->vc) for (int32_t g = 0; g < c->ngroups; g++) vc_release(&c->vc[g]);
    free(c->vc); free(c->cached); free(c->res);
    free(c->memo); free(c->memo_at); free(c->pbits); free(c->have); free(c->node_gen); free(c);
}

/* Ask the next gk_run calls on ``vc`` for samples: per check k (in ``checks`` order), the batch-local indices
 * of its first ``n`` failing rows in row order into ``rows[k * n ...]`` and their number into ``counts[k]``
 * (nchecks × n and nchecks entries, zeroed by the caller, who hands in fresh ones before each batch). n = 0
 * turns sampling off; a context never given any samples none. */
int gk_ctx_samples(void *vc, int32_t n, int64_t *rows, int32_t *counts) {
    ctx *c = vc;
    if (n < 0 || (n > 0 && (!rows || !counts))) return -1;
    c->sample_n = n; c->sample_rows = rows; c->sample_counts = counts;
    return 0;
}

/* The lowest set bits of ``failed`` (rows of the chunk starting at ``start``) while check ``k`` has fewer than
 * sample_n samples: the chunks run in row order, so these are the check's first failing rows. */
static void take_samples(ctx *c, int32_t k, int64_t start, const mask *failed) {
    int64_t *out = c->sample_rows + (int64_t)k * c->sample_n;
    int32_t have = c->sample_counts[k];
    for (int w = 0; w < NW && have < c->sample_n; w++) {
        uint64_t bits = failed->w[w];
        while (bits && have < c->sample_n) {
            out[have++] = start + w * 64 + __builtin_ctzll(bits);
            bits &= bits - 1;
        }
    }
    c->sample_counts[k] = have;
}
