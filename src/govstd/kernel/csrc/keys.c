/* Part of the native check kernel, key fingerprints (uniqueness) and the sets of keys seen (duplicate samples): included by ../_kernel.c, one translation unit (never
 * compiled alone), so every static function stays inlinable across the parts. */
#include "kernel.h"

/* ------------------------------------------------------------------ key fingerprints (uniqueness checks)
 *
 * For each uniqueness key (gk_set_keys) and each row of the batch where its ``present`` predicate holds, a
 * 128-bit fingerprint of the key tuple: hi word and lo word into the caller's buffers of this batch
 * (gk_ctx_keys), in row order; the engine counts groups of fingerprints (_fpcount.c) instead of key strings.
 * Two keys are equal exactly when their bytes are (as DuckDB's GROUP BY on VARCHAR compares them), so:
 *
 *   exact (bit 63 of hi clear; kind in bits 60..62) — equal fingerprints if and only if equal keys:
 *     FP_BYTES  one text part of <= 15 bytes: length in bits 56..59 of hi, bytes 0..7 in lo, 8..14 in hi 0..55;
 *     FP_ALNUM  one text part of 16..19 characters all in [0-9A-Z] (an 18-character identifier): 6 bits per
 *               character ('0'..'9' 0..9, 'A'..'Z' 10..35), characters 0..9 in lo, 10..18 in hi 0..53, the
 *               length in hi 54..58;
 *     FP_NULL   one part, NULL: hi = FP_NULL << 60, lo = 0 (a group of its own; the engine does not count it as
 *               a distinct key, as SQL's COUNT(DISTINCT) does not).
 *   hashed (bit 63 of hi set) — every other key, and every key of several parts: each part as its length (or
 *     all ones for NULL) then its bytes in 8-byte little-endian words, zero-padded, fed to two 64-bit lanes of
 *     different seeds, multipliers and mixers (MurmurHash3's and SplitMix64's finalisers); hi is the first
 *     lane with bit 63 set, lo the second. The tag bit keeps exact and hashed fingerprints apart; two
 *     different hashed keys coincide with probability about 2^-127 per pair, so among n distinct keys about
 *     n^2 / 2^128 (10^7 keys: under 10^-24). Not a cryptographic hash: data crafted to collide could hide a
 *     repeat, which only hides the crafter's own duplicate. */
enum { FP_BYTES = 1, FP_ALNUM = 2, FP_NULL = 3 };
#define FP_HASHED (1ULL << 63)

static uint64_t mix_splitmix(uint64_t z) {  /* SplitMix64's finaliser (Stafford's variant 13) */
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL; z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

typedef struct { uint64_t a, b; } fp_state;

static void fp_word(fp_state *h, uint64_t w) {
    h->a = mix64(h->a ^ (w * 0x9E3779B97F4A7C15ULL));
    h->b = mix_splitmix(h->b ^ (w * 0xC2B2AE3D27D4EB4FULL) ^ 0x165667B19E3779F9ULL);
}

/* The first ``n`` <= 8 bytes at ``s`` as an integer, byte k at bits 8k (the rest zero). */
static uint64_t bytes_le(const uint8_t *s, int32_t n) { return n == 8 ? load8(s) : n > 0 ? short_bytes(s, n) : 0; }

static void fp_part(fp_state *h, val v) {
    if (v.null) { fp_word(h, ~0ULL); return; }
    fp_word(h, (uint64_t)(uint32_t)v.len);
    int32_t i = 0;
    for (; i + 8 <= v.len; i += 8) fp_word(h, load8(v.s + i));
    if (i < v.len) fp_word(h, bytes_le(v.s + i, v.len - i));
}

static int alnum6(uint8_t b) { return b >= '0' && b <= '9' ? b - '0' : b >= 'A' && b <= 'Z' ? b - 'A' + 10 : -1; }

/* Eight values below 64, one a byte, as 6-bit fields (byte k at bits 6k): pairs, then quads, then the eight. */
static uint64_t pack6(uint64_t x) {
    x = (x & 0x00FF00FF00FF00FFULL) | ((x & 0xFF00FF00FF00FF00ULL) >> 2);
    x = (x & 0x0000FFFF0000FFFFULL) | ((x & 0xFFFF0000FFFF0000ULL) >> 4);
    return (x & 0x00000000FFFFFFFFULL) | ((x & 0xFFFFFFFF00000000ULL) >> 8);
}

/* The fingerprint of a single text part: exact when it can be, else hashed. */
static void fp_single(val v, uint64_t *hi, uint64_t *lo) {
    if (v.null) { *hi = (uint64_t)FP_NULL << 60; *lo = 0; return; }
    if (v.len <= 15) {
        int32_t first = v.len < 8 ? v.len : 8;
        *lo = bytes_le(v.s, first);
        *hi = (uint64_t)FP_BYTES << 60 | (uint64_t)v.len << 56 | bytes_le(v.s + first, v.len - first);
        return;
    }
    if (v.len <= 19) {
        uint64_t l = 0, h = 0;
        int32_t i = 0;
        if (digits8(v.s) && digits8(v.s + 8)) {  /* 16 digits first (an ID number's): two words, no loop */
            const uint64_t zeros = 0x3030303030303030ULL;
            uint64_t p0 = pack6(load8(v.s) - zeros), p1 = pack6(load8(v.s + 8) - zeros);
            l = p0 | (p1 & 0xFFF) << 48; h = p1 >> 12;  /* characters 0..9 in lo, 10.. in hi */
            i = 16;
        }
        for (; i < v.len; i++) {
            int d = alnum6(v.s[i]);
            if (d < 0) break;
            if (i < 10) l |= (uint64_t)d << (6 * i); else h |= (uint64_t)d << (6 * (i - 10));
        }
        if (i == v.len) { *lo = l; *hi = (uint64_t)FP_ALNUM << 60 | (uint64_t)v.len << 54 | h; return; }
    }
    fp_state s = {0x243F6A8885A308D3ULL, 0x13198A2E03707344ULL};
    fp_part(&s, v);
    *hi = s.a | FP_HASHED; *lo = s.b;
}

/* The fingerprints of this chunk's rows, key by key, after the buffers' ``key_written`` rows. */
static void fingerprint_keys(const plan *p, ctx *c, const batch *bt, const mask *all) {
    const int32_t *kw = p->keys;
    for (int32_t k = 0; k < p->nkeys; k++) {
        int32_t present = kw[0], nparts = kw[1];
        const int32_t *parts = kw + 2;
        kw += 2 + nparts;
        eval_sel(p, c, bt, present, all);
        mask sel;
        const uint64_t *v = PBITS(present);
        for (int w = 0; w < NW; w++) sel.w[w] = all->w[w] & v[w];
        if (!mask_any(&sel)) continue;
        for (int32_t j = 0; j < nparts; j++) eval_sel(p, c, bt, parts[j], &sel);
        uint64_t *hi = c->key_out[2 * k], *lo = c->key_out[2 * k + 1];
        int64_t at = c->key_written[k];
        for (int w = 0; w < NW; w++) {
            uint64_t x = sel.w[w];
            while (x) {
                int32_t r = w * 64 + __builtin_ctzll(x);
                x &= x - 1;
                if (nparts == 1) fp_single(MEMO(parts[0])[r], &hi[at], &lo[at]);
                else {
                    fp_state s = {0x243F6A8885A308D3ULL, 0x13198A2E03707344ULL};
                    for (int32_t j = 0; j < nparts; j++) fp_part(&s, MEMO(parts[j])[r]);
                    hi[at] = s.a | FP_HASHED; lo[at] = s.b;
                }
                if (c->key_rows) c->key_rows[k][at] = bt->row + r;
                at++;
            }
        }
        c->key_written[k] = at;
    }
}

/* Uniqueness keys: ``n`` of them, each ``words``: present node, number of parts, the part nodes (text). */
int gk_set_keys(void *vp, int32_t n, const int32_t *words) {
    plan *p = vp;
    p->nkeys = n; p->keys = words;
    return 0;
}

/* The fingerprint buffers of the next gk_run on this context: for key k, ``out[2k]`` (hi) and ``out[2k + 1]``
 * (lo), each room for the batch's rows; ``written[k]`` (zeroed by the caller) ends as the rows written. NULL
 * ``out``: no fingerprints. The caller owns the buffers and sets them per batch. */
void gk_ctx_keys(void *vc, uint64_t *const *out, int64_t *written) {
    ctx *c = vc;
    c->key_out = out; c->key_written = written;
}

/* With the fingerprint buffers of the next gk_run (gk_ctx_keys), for key k ``rows[k]`` (room for the batch's
 * rows) receives the batch-local index of the row of each fingerprint written: what a duplicate sample needs to
 * find its row. NULL: no rows. The caller owns the buffers and sets them per batch. */
void gk_ctx_key_rows(void *vc, int64_t *const *rows) {
    ctx *c = vc;
    c->key_rows = rows;
}

/* ------------------------------------------------------------------ seen keys (duplicate samples)
 *
 * The fingerprints of one key, fed in row order (the engine's in-order merge of the batches, never the worker
 * threads): a fingerprint already in the set marks a row repeating an earlier row's key at the moment it
 * streams by, so the engine takes its shown values from the batch at hand. Each entry keeps its first row and
 * that row's line (the row kept, and where a person finds it). Open addressing, linear probing; a fingerprint's
 * hi word is never 0 (every encoding sets a kind or the hashed bit), so hi = 0 marks an empty slot. The set
 * never grows past ``max_bytes``: feeding it more distinct keys than fit fails and frees it. */
typedef struct { uint64_t hi, lo; int64_t row, line; } seen_slot;
typedef struct { seen_slot *slots; uint64_t mask; int64_t used; int64_t max_bytes; } seen;

static uint64_t seen_hash(uint64_t hi, uint64_t lo) { return mix64(hi ^ mix_splitmix(lo)); }

static int seen_grow(seen *s) {
    uint64_t size = s->slots ? 2 * (s->mask + 1) : 1024;
    if ((int64_t)(size * sizeof(seen_slot)) > s->max_bytes) return -1;
    seen_slot *slots = calloc(size, sizeof(seen_slot));
    if (!slots) return -1;
    uint64_t mask = size - 1;
    if (s->slots) {
        for (uint64_t i = 0; i <= s->mask; i++) {
            seen_slot e = s->slots[i];
            if (!e.hi) continue;
            uint64_t j = seen_hash(e.hi, e.lo) & mask;
            while (slots[j].hi) j = (j + 1) & mask;
            slots[j] = e;
        }
        free(s->slots);
    }
    s->slots = slots; s->mask = mask;
    return 0;
}

void *gk_seen_new(int64_t max_bytes) {
    seen *s = calloc(1, sizeof(seen));
    if (!s) return NULL;
    s->max_bytes = max_bytes;
    if (seen_grow(s) != 0) { free(s); return NULL; }
    return s;
}

void gk_seen_free(void *vs) {
    seen *s = vs;
    if (!s) return;
    free(s->slots); free(s);
}

/* Feed ``n`` fingerprints (``hi``, ``lo``) of rows in row order; ``at[i]`` is fingerprint i's batch-local row,
 * whose row number is ``row[at[i]]`` and line ``line[at[i]]`` (``line`` NULL: none, 0 kept). For each
 * fingerprint already seen, while fewer than ``room`` are written: ``out_i`` its index i, ``out_first`` and
 * ``out_first_line`` its key's first row and line. Returns how many were written, or -1 when the set would
 * outgrow its budget (or memory): the set is then emptied and the caller must free it and look elsewhere. */
int64_t gk_seen_add(void *vs, const uint64_t *hi, const uint64_t *lo, const int64_t *at, int64_t n,
                    const int64_t *row, const int64_t *line, int64_t room, int64_t *out_i, int64_t *out_first,
                    int64_t *out_first_line) {
    seen *s = vs;
    int64_t found = 0;
    for (int64_t i = 0; i < n && found < room; i++) {
        uint64_t j = seen_hash(hi[i], lo[i]) & s->mask;
        while (s->slots[j].hi && (s->slots[j].hi != hi[i] || s->slots[j].lo != lo[i])) j = (j + 1) & s->mask;
        seen_slot *e = &s->slots[j];
        if (e->hi) {
            out_i[found] = i; out_first[found] = e->row; out_first_line[found] = e->line;
            found++;
            continue;
        }
        e->hi = hi[i]; e->lo = lo[i]; e->row = row[at[i]]; e->line = line ? line[at[i]] : 0;
        /* at most 3/4 full: probes stay short */
        if (++s->used * 4 > (int64_t)(s->mask + 1) * 3 && seen_grow(s) != 0) {
            free(s->slots); s->slots = NULL; s->mask = 0; s->used = 0;
            return -1;
        }
    }
    return found;
}

/* The fingerprint of a single NULL key part (hi; lo is 0), for the engine's count of distinct keys. */
uint64_t gk_key_null_hi(void) { return (uint64_t)FP_NULL << 60; }

/* The fingerprint of one text value as a single key part (tests: the exact encodings). */
void gk_key_fingerprint(const uint8_t *s, int32_t len, int32_t is_null, uint64_t *out) {
    val v = {s, 0, len, (int8_t)(is_null != 0), T_TEXT};
    fp_single(v, &out[0], &out[1]);
}
