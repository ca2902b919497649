/* Part of the native check kernel, hashing of code sets, UTF-8 and character classes: included by ../_kernel.c, one translation unit (never
 * compiled alone), so every static function stays inlinable across the parts. */
#include "kernel.h"

/* ------------------------------------------------------------------ hashing (code sets) */

/* Little-endian loads (byte k of the value is bits 8k..8k+7 of the result) on any host. */
static uint64_t load8(const uint8_t *s) {
    uint64_t w;
    memcpy(&w, s, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

/* The bytes of a value of up to 7 bytes as an integer (byte k at bits 8k), by at most two overlapping loads
 * (the overlapping bytes are equal, so OR joins them) instead of a byte loop. */
static uint64_t short_bytes(const uint8_t *p, int32_t n) {
    if (n >= 4) {
        uint64_t lo = 0, hi = 0;
        for (int k = 0; k < 4; k++) { lo |= (uint64_t)p[k] << (8 * k); hi |= (uint64_t)p[n - 4 + k] << (8 * k); }
        return lo | hi << (8 * (n - 4));
    }
    uint64_t w = 0;
    for (int32_t k = 0; k < n; k++) w |= (uint64_t)p[k] << (8 * k);
    return w;
}

static uint64_t mix64(uint64_t h) {  /* the finaliser of MurmurHash3: every input bit reaches every output bit */
    h ^= h >> 33; h *= 0xFF51AFD7ED558CCDULL; h ^= h >> 33; h *= 0xC4CEB9FE1A85EC53ULL; h ^= h >> 33;
    return h;
}

/* A code's slot word and hash. A code of up to 7 bytes is its own word (length in the low byte, then the
 * bytes) and its hash a mix of that word: one compare, no pointer to follow, no byte loop. A longer one has
 * 0xFF, its length and hash bits there (FNV-1a over its bytes), and is compared through ``key``. */
static uint64_t slot_key(const uint8_t *p, int32_t n, uint64_t *hash) {
    if (n <= 7) {
        uint64_t word = (uint64_t)n | short_bytes(p, n) << 8;
        *hash = mix64(word);
        return word;
    }
    uint64_t h = 1469598103934665603ULL;
    for (int32_t i = 0; i < n; i++) { h ^= p[i]; h *= 1099511628211ULL; }
    h ^= h >> 29;
    *hash = h;
    return 0xFF | ((uint64_t)(uint32_t)n << 8) | (h << 40);
}

static uint64_t len_bit(int32_t n) { return 1ULL << (n < 63 ? n : 63); }

static int hset_has(const hset *s, const uint8_t *p, int32_t n) {
    if (!(s->lens & len_bit(n))) return 0;
    uint64_t h, word = slot_key(p, n, &h), i = h & s->mask;
    for (;;) {
        const slot *e = &s->slots[i];
        if (!e->key) return 0;
        if (e->word == word && (n <= 7 || memcmp(e->key, p, (size_t)n) == 0)) return 1;
        i = (i + 1) & s->mask;
    }
}

/* ------------------------------------------------------------------ UTF-8 and character classes */

static uint32_t utf8_next(const uint8_t *s, int32_t len, int32_t *pos) {
    uint8_t c = s[*pos];
    if (c < 0x80) { (*pos)++; return c; }
    int n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    uint32_t cp = c & (n == 4 ? 0x07 : n == 3 ? 0x0F : 0x1F);
    for (int k = 1; k < n && *pos + k < len; k++) cp = (cp << 6) | (s[*pos + k] & 0x3F);
    *pos += n;
    return cp;
}

static int utf8_put(uint8_t *out, uint32_t cp) {
    if (cp < 0x80) { out[0] = (uint8_t)cp; return 1; }
    if (cp < 0x800) { out[0] = (uint8_t)(0xC0 | (cp >> 6)); out[1] = (uint8_t)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (cp >> 12)); out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F)); return 3;
    }
    out[0] = (uint8_t)(0xF0 | (cp >> 18)); out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F)); out[3] = (uint8_t)(0x80 | (cp & 0x3F)); return 4;
}

static int in_cset(const plan *p, int which, uint32_t cp) {
    if (cp < 128) return (p->ascii_class[cp] >> which) & 1;
    const cset *c = &p->charsets[which];
    if (cp < 0x10000 && !((c->blocks[cp >> 14] >> ((cp >> 8) & 63)) & 1)) return 0;
    int32_t lo = 0, hi = c->n - 1;
    while (lo <= hi) {
        int32_t mid = (lo + hi) / 2;
        if (c->cps[mid] == cp) return 1;
        if (c->cps[mid] < cp) lo = mid + 1; else hi = mid - 1;
    }
    return 0;
}

static int32_t fw_index(const plan *p, uint32_t cp) {
    const cset *c = &p->charsets[CS_FW_FROM];
    int32_t lo = 0, hi = c->n - 1;
    while (lo <= hi) {
        int32_t mid = (lo + hi) / 2;
        if (c->cps[mid] == cp) return mid;
        if (c->cps[mid] < cp) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
}

/* Whether the first ``n`` bytes are ASCII, eight at a time. */
HOT int ascii_prefix(const uint8_t *s, int32_t n) {
    uint64_t any = 0, w;
    if (n >= 8) {  /* whole words, then the last eight bytes (overlapping the words already read) */
        int32_t i = 0;
        for (; i + 8 <= n; i += 8) { memcpy(&w, s + i, 8); any |= w; }
        memcpy(&w, s + n - 8, 8);
        any |= w;
    } else {  /* four, two and one bytes, possibly overlapping: never past the value */
        uint32_t h = 0;
        uint16_t t = 0;
        if (n >= 4) { memcpy(&h, s, 4); any |= h; memcpy(&h, s + n - 4, 4); any |= h; }
        else if (n >= 2) { memcpy(&t, s, 2); any |= t; memcpy(&t, s + n - 2, 2); any |= t; }
        else if (n == 1) any = s[0];
    }
    return !(any & 0x8080808080808080ULL);
}

HOT int32_t cp_count(const uint8_t *s, int32_t len) {
    if (ascii_prefix(s, len)) return len;
    int32_t n = 0;
    for (int32_t i = 0; i < len; i++) n += (s[i] & 0xC0) != 0x80;
    return n;
}

/* Byte offset of code point ``k`` (0-based); ``len`` when past the end. */
static int32_t cp_offset(const uint8_t *s, int32_t len, int32_t k) {
    int32_t i = 0;
    while (i < len && k > 0) {
        i++;
        while (i < len && (s[i] & 0xC0) == 0x80) i++;
        k--;
    }
    return i;
}

/* SUBSTR(x, start, length), 1-based, start >= 1, length >= 0: code points. */
HOT val substr_cp(val x, int32_t start, int32_t length) {
    val r = x;
    if (x.null) return r;
    int32_t end = start - 1 + length;
    if (end > x.len) end = x.len;
    if (ascii_prefix(x.s, end)) {  /* code points are bytes up to ``end``, and a code point starts there */
        int32_t a = start - 1 < x.len ? start - 1 : x.len;
        r.s = x.s + a; r.len = end - a;
        return r;
    }
    int32_t a = cp_offset(x.s, x.len, start - 1);
    int32_t b = a + cp_offset(x.s + a, x.len - a, length);
    r.s = x.s + a; r.len = b - a;
    return r;
}

/* ``need`` bytes of node ``node``'s arena for one row's value: values of earlier rows of the chunk stay
 * where they are (an outgrown arena is retired, not moved, and freed when the next chunk starts). */
static uint8_t *scratch(ctx *c, int32_t node, int64_t need) {
    if (c->arena_gen[node] != c->chunk_gen) { c->arena_gen[node] = c->chunk_gen; c->arena_used[node] = 0; }
    if (c->arena_used[node] + need > c->arena_cap[node]) {
        int64_t cap = c->arena_cap[node] * 2;
        if (cap < 4096) cap = 4096;
        if (cap < need) cap = need;
        if (c->arena[node]) {
            if (c->nretired == c->retired_cap) {
                int32_t nc = c->retired_cap ? 2 * c->retired_cap : 16;
                void **r = realloc(c->retired, sizeof(void *) * (size_t)nc);
                if (!r) return NULL;
                c->retired = r; c->retired_cap = nc;
            }
            c->retired[c->nretired++] = c->arena[node];
        }
        c->arena[node] = malloc((size_t)cap);
        c->arena_cap[node] = c->arena[node] ? cap : 0;
        c->arena_used[node] = 0;
        if (!c->arena[node]) return NULL;
    }
    uint8_t *out = c->arena[node] + c->arena_used[node];
    c->arena_used[node] += need;
    return out;
}
