/* govstd native check kernel: a fixed interpreter for row-level checks of the check IR.
 *
 * Nothing here is generated per schema and no standard's constant is written here: the plan (a DAG of
 * nodes compiled from ir.RowCheck expressions by govstd.kernel.plan), the character sets, weights,
 * alphabets, check-character tables, shape automata and code sets all arrive at run time from Python
 * (govstd.standards.numbers and the check suite). Each function means exactly what
 * govstd.validators.compiler.base compiles it to in SQL; tests/kernel holds the two to identical counts.
 *
 * Input: Arrow string arrays (the C data layout: validity bitmap, int32 or int64 offsets, UTF-8 data)
 * of one record batch. Output: counters summed into a caller-owned int64 array. Called through ctypes,
 * which releases the GIL, so batches run in parallel on Python threads; a context (memo and scratch)
 * belongs to one thread at a time.
 *
 * Booleans are two-valued (NULL counts as false): the SQL compiler wraps every predicate operand in
 * COALESCE(..., FALSE), and the plan compiler refuses IR that would observe a NULL boolean otherwise.
 * A checksum whose input is outside what the kernel computes exactly (a non-digit before the check
 * character, which DuckDB's TRY_CAST would read its own way) counts in the "doubt" counter; the
 * engine then counts the checks using checksums in SQL instead. Derived checks guard checksums by their shape, so it
 * does not happen on real data. Likewise a date/number parse meeting a layout outside its exact subset counts in
 * the "parse doubt" counter (counters[2]) and the checks that parse go to SQL.
 *
 * Evaluation is a column at a time over chunks of CH rows (see "the interpreter" below), not a tree walk per row.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
    OP_COL = 1, OP_LIT_TEXT, OP_LIT_INT, OP_LIT_BOOL, OP_LIT_NULL,
    OP_CMP, OP_AND, OP_OR, OP_NOT, OP_ISNULL, OP_INSET,
    OP_IS_BLANK, OP_TRIM, OP_LENGTH, OP_SUBSTR, OP_NORM_CODE, OP_NORM_PHONE, OP_MATCH,
    OP_HAS_FULLWIDTH, OP_HAS_WHITESPACE, OP_HAS_LOWER, OP_HAS_DASH, OP_HAS_APOSTROPHE, OP_IS_MASKED,
    OP_YMD_DATE, OP_YEAR, OP_MOD11_2, OP_ID_BIRTH, OP_ID_MALE, OP_WEIGHTED, OP_REGION_PREFIX, OP_IF_ELSE,
    OP_TO_DATE, OP_TO_TIMESTAMP, OP_TO_NUMBER, OP_LIT_DOUBLE
};
enum { CMP_EQ = 0, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE };
/* value kinds: text; an integer (int, bool, date as yyyymmdd, timestamp as yyyymmddHHMMSS); a double (its bits in i) */
enum { T_TEXT = 0, T_NUM = 1, T_DBL = 2 };
enum { CS_WS = 0, CS_DASH, CS_APOS, CS_MASK, CS_FW_FROM, CS_COUNT };
enum { W_GB32100 = 0, W_GB11714 = 1, W_COUNT };

/* Helpers returning or taking a ``val`` inside an operation's row loop: inlined, so the 24-byte value stays in
 * registers. Called out of line, it went through the stack, written in parts and read back whole, a store the CPU
 * cannot forward (a stall of 10+ cycles per row, measured as most of id_birth's cost). */
#if defined(__GNUC__)
#define HOT static inline __attribute__((always_inline))
#else
#define HOT static inline
#endif

#define NODE_WORDS 8  /* op, first_arg, nargs, p1, p2, p3, kind (1: a predicate, its value in bits), unused */

/* Tried and measured slower (~10 % of the kernel, 1 M benchmark rows): ``s`` and ``i`` in a union, a 16-byte val. */
typedef struct { const uint8_t *s; int64_t i; int32_t len; int8_t null; int8_t kind; } val;

/* A code of up to 7 bytes lives in ``word`` itself (length in the low byte, then the bytes), so a lookup is one
 * compare with no pointer to follow; a longer one has 0xFF, its length and hash bits there, and ``key``. */
typedef struct { uint64_t word; const uint8_t *key; } slot;
/* ``lens``: bit n set when the set holds a code of n bytes (bit 63: of 63 bytes or more), so a value of a length
 * no code has (an 18-byte ID number against the placeholder words) is refused before any hashing. */
typedef struct { slot *slots; uint64_t mask; uint64_t lens; } hset;
/* Tried, no measurable gain: the slots' words in an array of their own (8 bytes a probe, 64 KB for the 3,200
 * region codes instead of 128 KB). */

/* A character class: sorted code points, and which 256-code-point blocks of the BMP hold any (bit cp >> 8), so
 * a character of a block without members (all of CJK for the white-space class) needs no binary search. */
typedef struct { const uint32_t *cps; int32_t n; uint64_t blocks[4]; } cset;

typedef struct {
    int32_t nweights; int32_t weights[32];
    uint8_t value_of[128];   /* ASCII character → value (255: not in the alphabet) */
    char check_table[64]; int32_t modulus; int32_t length;
} weighted;

typedef struct {
    int32_t nnodes; int64_t *nodes; int32_t *args;
    const uint8_t *lit_data; const int64_t *lit_off;
    int32_t ndfa; const int16_t *dfa; const int64_t *dfa_off; const uint8_t *dfa_accept; const int64_t *acc_off;
    int32_t nsets; hset *sets;
    cset charsets[CS_COUNT]; uint8_t ascii_class[128]; uint32_t fw_to[128];
    int32_t id_weights[17]; char id_check[16]; int32_t id_length, id_legacy_length;
    weighted w[W_COUNT];
    int32_t nchecks; const int32_t *checks; /* per check: applies, expect, nbreak, breakdown nodes…; counters */
    int32_t nfresh; const int32_t *fresh;   /* per freshness check: value node, first counter (rows, newest) */
    int32_t ncounters;
    int32_t nkeys; const int32_t *keys;     /* per uniqueness key (gk_set_keys): present node, nparts, part nodes… */
    uint16_t *run; uint8_t *run_accept; int64_t *run_off;  /* the automata with a dead state (gk_plan_new) */
    int32_t ngroups; struct vgroup *groups;  /* checks reading one column, counted per value (gk_set_groups) */
    struct dfa_shape *shapes;  /* per automaton: its language by value length where a product (gk_set_shapes) */
} plan;

#define CH 512  /* rows per chunk: a node's value vector (CH × 24 bytes) stays in the L2 cache; 512 rather than 256 halves
                 * the per-node, per-chunk costs (dispatch, selections, masks), measured ~10 % of the kernel */

typedef struct {
    val *memo;            /* nnodes × CH: each node's values on the chunk's rows */
    uint64_t *pbits;      /* nnodes × CH/64: a predicate node's values, a bit per row */
    uint64_t *have;       /* nnodes × CH/64: the rows of the chunk a node holds (valid when node_gen is current) */
    uint32_t *node_gen;   /* nnodes: the chunk ``have`` belongs to */
    uint32_t chunk_gen;
    uint8_t **arena; int64_t *arena_cap, *arena_used; uint32_t *arena_gen;  /* per node: normalised text */
    void **retired; int32_t nretired, retired_cap;  /* arenas outgrown in this chunk, freed at the next */
    int64_t *doubt;  /* counters[1]: rows on which a checksum met input it does not compute exactly */
    int64_t *parse_doubt;  /* counters[2]: values a date/number parse leaves to DuckDB (outside its subset) */
    /* Samples (gk_ctx_samples): the first ``sample_n`` failing rows of each check in the batch, batch-local
     * indices in row order at ``sample_rows[k * sample_n ...]``, ``sample_counts[k]`` of them. 0: none asked. */
    int32_t sample_n; int64_t *sample_rows; int32_t *sample_counts;
    uint64_t *const *key_out; int64_t *key_written;  /* this batch's fingerprint buffers (gk_ctx_keys), or NULL */
    struct vcache *vc;     /* per group of plan.groups: this context's value cache */
    uint8_t *cached;       /* per check: 1 while its group's cache counts it (gk_run's loop skips it) */
    void *res;             /* scratch: a group's result masks on the rows evaluated */
    int64_t *const *key_rows;  /* per key, the batch-local row of each fingerprint (gk_ctx_key_rows), or NULL */
} ctx;

typedef struct {
    int32_t ncols;
    const uint8_t **validity; const void **offsets; const uint8_t **data; const int64_t *array_offset;
    const int8_t *large;  /* 1: int64 offsets (large_string) */
    int64_t row;
} batch;

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

/* ------------------------------------------------------------------ the named functions */

/* Whether ASCII byte ``b`` is white space (the class's ASCII members, CS_WS's bit of ascii_class). */
static int ascii_ws(const plan *p, uint8_t b) { return (p->ascii_class[b] >> CS_WS) & 1; }

HOT int is_blank(const plan *p, val x) {
    if (x.null) return 1;
    if (x.len && x.s[0] < 0x80 && !ascii_ws(p, x.s[0])) return 0;  /* the usual case: decided by the first byte */
    int32_t i = 0;
    while (i < x.len) if (!in_cset(p, CS_WS, utf8_next(x.s, x.len, &i))) return 0;
    return 1;
}

HOT val trim(const plan *p, val x) {
    if (x.null) return x;
    /* the usual case, nothing to trim: both ends ASCII and not white space (the loops below would stop there) */
    if (x.len && x.s[0] < 0x80 && x.s[x.len - 1] < 0x80 && !ascii_ws(p, x.s[0]) && !ascii_ws(p, x.s[x.len - 1]))
        return x;
    int32_t a = 0;
    while (a < x.len) {
        int32_t next = a;
        if (!in_cset(p, CS_WS, utf8_next(x.s, x.len, &next))) break;
        a = next;
    }
    int32_t b = x.len;
    while (b > a) {
        int32_t start = b - 1;
        while (start > a && (x.s[start] & 0xC0) == 0x80) start--;
        int32_t pos = start;
        if (!in_cset(p, CS_WS, utf8_next(x.s, x.len, &pos))) break;
        b = start;
    }
    val r = x; r.s = x.s + a; r.len = b - a;
    return r;
}

static int contains_class(const plan *p, val x, int which) {
    if (x.null) return 0;
    int32_t i = 0;
    while (i < x.len) if (in_cset(p, which, utf8_next(x.s, x.len, &i))) return 1;
    return 0;
}

/* normalize_code: full-width → ASCII, whitespace removed, one leading apostrophe dropped, dashes removed
 * (strip_dashes), a-z → A-Z (uppercase) — the order of govstd.standards.numbers.normalize. */
static val normalize_code(const plan *p, ctx *c, int32_t node, val x, int strip_dashes, int uppercase) {
    if (x.null) return x;
    int clean = 1;
    for (int32_t i = 0; i < x.len && clean; i++) {
        uint8_t b = x.s[i];
        clean = (b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || b == '.' || b == '+' || b == '*'
                || (!uppercase && b >= 'a' && b <= 'z') || (!strip_dashes && b == '-');
    }
    if (clean) return x;
    uint8_t *out = scratch(c, node, x.len + 4);
    if (!out) { val r = x; r.null = 1; return r; }
    int32_t n = 0, i = 0, first = 1;
    while (i < x.len) {
        uint32_t cp = utf8_next(x.s, x.len, &i);
        int32_t k = cp >= 0xFF00 ? fw_index(p, cp) : -1;
        if (k >= 0) cp = p->fw_to[k];
        if (in_cset(p, CS_WS, cp)) continue;
        if (first) { first = 0; if (in_cset(p, CS_APOS, cp)) continue; }
        if (strip_dashes && in_cset(p, CS_DASH, cp)) continue;
        if (uppercase && cp >= 'a' && cp <= 'z') cp -= 32;
        n += utf8_put(out + n, cp);
    }
    val r = x; r.s = out; r.len = n;
    return r;
}

/* normalize_phone: brackets removed, normalize_code, then the country prefix of
 * regexp_replace(x, '^(\+86|0086|86([0-9]{11})$)', '\2') (leftmost alternative first). */
static val normalize_phone(const plan *p, ctx *c, int32_t node, val x) {
    if (x.null) return x;
    int digits11 = x.len == 11 && x.s[0] == '1';
    for (int32_t i = 0; i < x.len && digits11; i++) digits11 = x.s[i] >= '0' && x.s[i] <= '9';
    if (digits11) return x;
    uint8_t *nob = scratch(c, node, 2 * (int64_t)x.len + 8);
    if (!nob) { val r = x; r.null = 1; return r; }
    int32_t n = 0;
    for (int32_t i = 0; i < x.len; i++) if (x.s[i] != '(' && x.s[i] != ')') nob[n++] = x.s[i];
    val y = x; y.s = nob; y.len = n;
    /* normalize_code into the second half of the same buffer (it never grows the text) */
    int32_t m = 0, i = 0, first = 1;
    uint8_t *out = nob + x.len + 4;
    while (i < y.len) {
        uint32_t cp = utf8_next(y.s, y.len, &i);
        int32_t k = cp >= 0xFF00 ? fw_index(p, cp) : -1;
        if (k >= 0) cp = p->fw_to[k];
        if (in_cset(p, CS_WS, cp)) continue;
        if (first) { first = 0; if (in_cset(p, CS_APOS, cp)) continue; }
        if (in_cset(p, CS_DASH, cp)) continue;
        if (cp >= 'a' && cp <= 'z') cp -= 32;
        m += utf8_put(out + m, cp);
    }
    val r = x; r.s = out; r.len = m;
    if (m >= 3 && memcmp(out, "+86", 3) == 0) { r.s += 3; r.len -= 3; }
    else if (m >= 4 && memcmp(out, "0086", 4) == 0) { r.s += 4; r.len -= 4; }
    else if (m == 13 && out[0] == '8' && out[1] == '6') {
        int ok = 1;
        for (int32_t k = 2; k < 13 && ok; k++) ok = out[k] >= '0' && out[k] <= '9';
        if (ok) { r.s += 2; r.len -= 2; }
    }
    return r;
}

/* The automaton's walk over the bytes: one table load per byte, since a byte leading nowhere goes to a dead
 * state that loops on itself and does not accept (gk_plan_new adds it); whether the walk is dead already is
 * asked once per 8 bytes, so a value of another layout stops early without a test per byte. */
static int dfa_match(const plan *p, int32_t d, val x) {
    if (x.null) return 0;
    const uint16_t *t = p->run + p->run_off[d];
    uint32_t s = 0, dead = (uint32_t)(p->acc_off[d + 1] - p->acc_off[d]);
    int32_t i = 0;
    for (; i + 8 <= x.len; i += 8) {
        const uint8_t *b = x.s + i;
        s = t[(s << 8) | b[0]]; s = t[(s << 8) | b[1]]; s = t[(s << 8) | b[2]]; s = t[(s << 8) | b[3]];
        s = t[(s << 8) | b[4]]; s = t[(s << 8) | b[5]]; s = t[(s << 8) | b[6]]; s = t[(s << 8) | b[7]];
        if (s == dead) return 0;
    }
    for (; i < x.len; i++) s = t[(s << 8) | x.s[i]];
    return p->run_accept[p->acc_off[d] + d + s];
}

/* Whether the 8 bytes ``w`` (little-endian) fit a template: ASCII digits where ``digit_bytes`` is 0xFF, exactly
 * ``literal``'s bytes elsewhere. Eight bytes at once: separators by one compare, digits by two nibble tests
 * ('0'..'9' is 0x30..0x39: high nibble 3, and still 3 after adding 6; no byte carries into the next). */
HOT int word_fits(uint64_t w, uint64_t digit_bytes, uint64_t literal) {
    const uint64_t hi = 0xF0F0F0F0F0F0F0F0ULL, zeros = 0x3030303030303030ULL;
    if ((w & ~digit_bytes) != literal) return 0;
    uint64_t z = (w & digit_bytes) | (zeros & ~digit_bytes);
    return (z & hi) == zeros && ((z + 0x0606060606060606ULL) & hi) == zeros;
}

/* An automaton's language by value length (automata.shapes): where the strings of length n it accepts are exactly
 * the product of one byte class per position, a value of that length matches when each byte is in its position's
 * class — tests that wait on no earlier one, so the CPU overlaps them, where the walk waits a table load per byte. */
#define SHAPE_MAX 32  /* automata.MAX_SHAPE_LEN */
enum { SH_WALK = 0, SH_REJECT = 1, SH_PRODUCT = 2 };
struct dfa_shape {
    uint8_t mode[SHAPE_MAX + 2];  /* per value length 0..SHAPE_MAX, then any longer one */
    uint16_t start[SHAPE_MAX + 1];  /* length n's positions: want[start[n] .. start[n] + n) */
    uint64_t bits[256];  /* byte → the classes holding it (bit k: class k) */
    uint64_t want[(SHAPE_MAX + 1) * (SHAPE_MAX + 2) / 2];  /* per position: its class's bit */
    /* Per length n >= 8, the positions whose class is the ten ASCII digits or one byte, as word templates
     * (word_fits) of the 8-byte windows at 0, 8, … and n - 8 (overlapping: a position tested twice is tested
     * alike); ``other`` lists the positions of any other class, tested by their class bits. A timestamp or an
     * ID number's 17 digits are then 3 word tests instead of a table load per byte. */
    uint64_t tcare[SHAPE_MAX + 1][SHAPE_MAX / 8], tdigit[SHAPE_MAX + 1][SHAPE_MAX / 8], tlit[SHAPE_MAX + 1][SHAPE_MAX / 8];
    uint8_t nother[SHAPE_MAX + 1], other[SHAPE_MAX + 1][SHAPE_MAX];
};

HOT int shape_match(const struct dfa_shape *sh, const uint8_t *s, int32_t n) {
    const uint64_t *w = sh->want + sh->start[n];
    uint64_t bad = 0;
    if (n >= 8) {
        int32_t nw = (n + 7) / 8;
        for (int32_t k = 0; k < nw; k++) {
            int32_t at = k + 1 < nw ? 8 * k : n - 8;
            if (!word_fits(load8(s + at) & sh->tcare[n][k], sh->tdigit[n][k], sh->tlit[n][k])) return 0;
        }
        for (int32_t j = 0; j < sh->nother[n]; j++) {
            int32_t i = sh->other[n][j];
            bad |= w[i] & ~sh->bits[s[i]];
        }
        return bad == 0;
    }
    for (int32_t i = 0; i < n; i++) bad |= w[i] & ~sh->bits[s[i]];
    return bad == 0;
}

/* The word templates of length ``n``'s product (see struct dfa_shape), from its class bits. */
static void shape_templates(struct dfa_shape *h, int32_t n) {
    const uint64_t *want = h->want + h->start[n];
    uint8_t kind[SHAPE_MAX], byte[SHAPE_MAX];  /* kind 0: other, 1: a digit, 2: the one byte ``byte`` */
    h->nother[n] = 0;
    for (int32_t i = 0; i < n; i++) {
        int32_t members = 0, digits = 0, last = 0;
        for (int32_t b = 0; b < 256; b++) {
            if (!(h->bits[b] & want[i])) continue;
            members++; last = b; digits += b >= '0' && b <= '9';
        }
        kind[i] = members == 10 && digits == 10 ? 1 : members == 1 ? 2 : 0;
        byte[i] = (uint8_t)last;
        if (!kind[i]) h->other[n][h->nother[n]++] = (uint8_t)i;
    }
    int32_t nw = (n + 7) / 8;
    for (int32_t k = 0; k < nw; k++) {
        int32_t at = k + 1 < nw ? 8 * k : n - 8;
        uint64_t care = 0, digit = 0, lit = 0;
        for (int32_t j = 0; j < 8; j++) {
            int32_t i = at + j;
            if (kind[i]) care |= 0xFFULL << (8 * j);  /* an other position's byte is masked out of the word */
            if (kind[i] == 1) digit |= 0xFFULL << (8 * j);
            else if (kind[i] == 2) lit |= (uint64_t)byte[i] << (8 * j);
        }
        h->tcare[n][k] = care; h->tdigit[n][k] = digit; h->tlit[n][k] = lit;
    }
}

/* OP_MATCH: the shape of the value's length where the automaton has one, else the walk. */
HOT int pattern_match(const plan *p, int32_t d, val x) {
    if (x.null) return 0;
    if (p->shapes) {
        const struct dfa_shape *sh = &p->shapes[d];
        int mode = sh->mode[x.len <= SHAPE_MAX ? x.len : SHAPE_MAX + 1];
        if (mode == SH_REJECT) return 0;
        if (mode == SH_PRODUCT) return shape_match(sh, x.s, x.len);
    }
    return dfa_match(p, d, x);
}

HOT int digits8(const uint8_t *s) { return word_fits(load8(s), ~0ULL, 0); }  /* 8 ASCII digits */

/* The 8 ASCII digits at ``s`` (already checked) as yyyymmdd's parts, by two multiplications instead of a chain
 * of eight: byte k holds digit k, so ``t * 10 + (t >> 8)`` leaves 10 d[k] + d[k + 1] in each even byte. */
HOT void digits8_pairs(const uint8_t *s, int64_t *y, int64_t *m, int64_t *d) {
    uint64_t t = load8(s) - 0x3030303030303030ULL;
    t = (t * 10 + (t >> 8)) & 0x00FF00FF00FF00FFULL;
    *y = (int64_t)(t & 0xFF) * 100 + (int64_t)((t >> 16) & 0xFF);
    *m = (int64_t)((t >> 32) & 0xFF); *d = (int64_t)(t >> 48);
}

HOT int days_in_month(int64_t y, int64_t m) {
    static const int d[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12) return 0;
    if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) return 29;
    return d[m];
}

/* ymd_date: 8 ASCII digits → yyyymmdd when a real date (year >= 1), else NULL. */
HOT val ymd(val x) {
    val r = {0}; r.kind = T_NUM; r.null = 1;
    if (x.null || x.len != 8 || !digits8(x.s)) return r;
    int64_t y, m, d;
    digits8_pairs(x.s, &y, &m, &d);
    if (y < 1 || d < 1 || d > days_in_month(y, m)) return r;
    r.null = 0; r.i = y * 10000 + m * 100 + d;
    return r;
}

HOT val id_birth(const plan *p, val x) {
    val r = {0}; r.kind = T_NUM; r.null = 1;
    if (x.null) return r;
    uint8_t buf[16];
    val part;
    if (cp_count(x.s, x.len) == p->id_legacy_length) {
        part = substr_cp(x, 7, 6);
        if (part.len > 12) return r;
        buf[0] = '1'; buf[1] = '9'; memcpy(buf + 2, part.s, (size_t)part.len);
        part.s = buf; part.len += 2;
    } else {
        part = substr_cp(x, 7, 8);
    }
    return ymd(part);
}

static int doubt(ctx *c) { *c->doubt += 1; return 0; }

/* GB 11643 MOD 11-2: exact for 17 ASCII digits before the check character; shorter all-digit values never
 * match (the check character position is empty); anything else is doubtful. */
HOT int mod11_2(const plan *p, ctx *c, val x) {
    if (x.null) return 0;
    int32_t body = p->id_length - 1, sum = 0;  /* 17: gk_set_id refuses another length */
    if (x.len > 17 && digits8(x.s) && digits8(x.s + 8) && x.s[16] >= '0' && x.s[16] <= '9') {
        /* the usual case: 17 digits, summed without a test per byte; the check character follows them */
        for (int32_t k = 0; k < 17; k++) sum += (x.s[k] - '0') * p->id_weights[k];
        int32_t at = 17;
        while (at < x.len && (x.s[at] & 0xC0) == 0x80) at++;  /* as cp_offset steps past the 17th code point */
        if (at >= x.len) return 0;
        return x.s[at] == (uint8_t)p->id_check[sum % 11] && (at + 1 == x.len || (x.s[at + 1] & 0xC0) != 0x80);
    }
    for (int32_t k = 0; k < body && k < x.len; k++) {
        uint8_t b = x.s[k];
        if (b < '0' || b > '9') return doubt(c);
        sum += (b - '0') * p->id_weights[k];
    }
    if (x.len <= body) return 0;
    int32_t at = cp_offset(x.s, x.len, body);
    if (at >= x.len) return 0;
    return x.s[at] == (uint8_t)p->id_check[sum % 11] && (at + 1 == x.len || (x.s[at + 1] & 0xC0) != 0x80);
}

/* GB 32100 / GB 11714: values over the alphabet, weights, modulus; the check-character table. */
static int weighted_ok(const plan *p, ctx *c, int which, val x) {
    if (x.null) return 0;
    const weighted *w = &p->w[which];
    int32_t body = w->length - 1, sum = 0;
    for (int32_t k = 0; k < body && k < x.len; k++) {
        uint8_t b = x.s[k];
        if (b >= 128 || w->value_of[b] == 255) return doubt(c);
        sum += w->value_of[b] * w->weights[k];
    }
    if (x.len <= body) return doubt(c);  /* SQL would look up a check character for the empty position */
    uint8_t have = x.s[body];
    if (have >= 128) return 0;
    return have == (uint8_t)w->check_table[sum % w->modulus];
}

/* Whether two values of ``n`` bytes are equal: word loads inline (a libc memcmp call was 40 % of a hit). */
static int same_bytes(const uint8_t *a, const uint8_t *b, int32_t n) {
    if (n < 8) return short_bytes(a, n) == short_bytes(b, n);
    for (int32_t i = 0; i + 8 < n; i += 8) if (load8(a + i) != load8(b + i)) return 0;
    return load8(a + n - 8) == load8(b + n - 8);
}

/* A view of the same bytes (trim or a normaliser returning its input, if_else's branch) is equal without reading
 * them; else word loads inline, not a libc call per row. */
static int text_eq(val a, val b) { return a.len == b.len && (a.s == b.s || same_bytes(a.s, b.s, a.len)); }

static int text_cmp(val a, val b) {
    int32_t n = a.len < b.len ? a.len : b.len;
    int r = memcmp(a.s, b.s, (size_t)n);
    if (r) return r;
    return a.len < b.len ? -1 : a.len > b.len;
}


/* ------------------------------------------------------------------ dates, timestamps, numbers
 *
 * DuckDB's try_strptime and TRY_CAST(… AS DOUBLE) are not re-implemented in full. The kernel computes the
 * values it is sure of — the canonical layouts every export writes (yyyy-mm-dd, yyyy-mm-dd HH:MM:SS) when
 * they are real dates and times, and plain decimals of up to 15 digits — and counts every other non-NULL
 * input in the "parse doubt" counter; the engine then counts the checks that parse in SQL instead, so a
 * verdict never rests on a guess. */

/* Whether ``x`` has the shape yyyy-mm-dd (10 bytes) or yyyy-mm-dd HH:MM:SS (19 bytes), all digits. The
 * templates below are those strings as little-endian words (digit bytes 0xFF, separators '-' ' ' ':'). */
HOT int canonical_shape(val x) {
    if (x.len != 10 && x.len != 19) return 0;
    if (!word_fits(load8(x.s), 0x00FFFF00FFFFFFFFULL, 0x2D00002D00000000ULL)) return 0;   /* "yyyy-mm-" */
    if (x.len == 10) return x.s[8] >= '0' && x.s[8] <= '9' && x.s[9] >= '0' && x.s[9] <= '9';
    return word_fits(load8(x.s + 8), 0xFFFF00FFFF00FFFFULL, 0x00003A0000200000ULL)         /* "dd HH:MM" */
           && word_fits(load8(x.s + 11), 0xFFFF00FFFF00FFFFULL, 0x00003A00003A0000ULL);    /* "HH:MM:SS" */
}

/* The value of the two ASCII digits at ``s`` (already checked to be digits). */
static int64_t two(const uint8_t *s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

/* to_date (``date_only``) and to_timestamp of the SQL path (DATE_LAYOUTS / DATETIME_LAYOUTS through
 * try_strptime). A value of the canonical shape with a year >= 1 is parsed here: a real date (and time,
 * HH < 24, MM and SS < 60) by the first layout, NULL otherwise — no other layout reads a '-' after four
 * digits, and to_date's layouts leave a time part as trailing characters. A value whose first character
 * after DuckDB's leading white space is a letter or non-ASCII is NULL (every layout starts with %Y). The
 * rest (other layouts, year 0, which DuckDB reads as 1 BC) is a parse doubt. tests/kernel holds these to
 * DuckDB's own answers. */
HOT val parse_time(ctx *c, val x, int date_only) {
    val r = {0}; r.kind = T_NUM; r.null = 1;
    if (x.null) return r;
    if (canonical_shape(x) && (x.s[0] != '0' || x.s[1] != '0' || x.s[2] != '0' || x.s[3] != '0')) {
        int64_t y = two(x.s) * 100 + two(x.s + 2), m = two(x.s + 5), d = two(x.s + 8), hh = 0, mi = 0, ss = 0;
        if (x.len == 19) { hh = two(x.s + 11); mi = two(x.s + 14); ss = two(x.s + 17); }
        if (d < 1 || d > days_in_month(y, m) || hh > 23 || mi > 59 || ss > 59 || (date_only && x.len == 19))
            return r;
        r.null = 0;
        r.i = y * 10000 + m * 100 + d;
        if (!date_only) r.i = ((r.i * 100 + hh) * 100 + mi) * 100 + ss;
        return r;
    }
    int32_t i = 0;
    while (i < x.len && (x.s[i] == ' ' || (x.s[i] >= '\t' && x.s[i] <= '\r'))) i++;
    if (i == x.len || x.s[i] >= 0x80 || ((x.s[i] | 0x20) >= 'a' && (x.s[i] | 0x20) <= 'z')) return r;
    *c->parse_doubt += 1;
    return r;
}

HOT val dbl(double d) { val r = {0}; r.kind = T_DBL; memcpy(&r.i, &d, sizeof d); return r; }
static double dbl_of(val v) { double d; memcpy(&d, &v.i, sizeof d); return d; }

/* to_number is TRY_CAST(x AS DOUBLE) behind NUMBER_PATTERN, [+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+). Input the
 * pattern rejects is NULL for certain. Exact here: -?[0-9]+(\.[0-9]+)? with at most 15 digits, as
 * mantissa / 10^scale — both exact in a double, so the one IEEE division is the correctly rounded value
 * DuckDB's cast gives. The rest of the pattern's language ('+1', '5.', '.5', long digit strings) is a doubt. */
HOT val parse_number(ctx *c, val x) {
    val r = {0}; r.kind = T_DBL; r.null = 1;
    if (x.null) return r;
    static const double pow10[16] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
                                     1e14, 1e15};
    int32_t i = 0, nd = 0, scale = 0, dot = -1, plus = 0;
    int neg = 0;
    int64_t mant = 0;
    if (x.len && (x.s[0] == '+' || x.s[0] == '-')) { neg = x.s[0] == '-'; plus = !neg; i = 1; }
    for (; i < x.len; i++) {
        uint8_t b = x.s[i];
        if (b >= '0' && b <= '9') {
            if (++nd <= 15) mant = mant * 10 + (b - '0');
            scale += dot >= 0;
        } else if (b == '.' && dot < 0) dot = i;
        else return r;  /* outside the pattern: NULL */
    }
    if (nd == 0) return r;
    int first = plus || neg;
    if (plus || nd > 15 || dot == first || dot == x.len - 1) { *c->parse_doubt += 1; return r; }
    double v = (double)mant / pow10[scale];
    return dbl(neg ? -v : v);
}

/* ------------------------------------------------------------------ the interpreter: a column at a time
 *
 * A batch is cut into chunks of CH rows. A *selection* of a chunk's rows is a bit mask (NW words of 64
 * rows). Each node is evaluated over a selection in one tight loop, into the node's value vector (text,
 * numbers) or its bit mask (predicates: bit r set when the predicate holds on row r, NULL counting as
 * false); a node shared by several checks keeps the mask of the rows it holds this chunk, so it is
 * computed once per row. AND/OR/IF_ELSE narrow the selection for their later operands, and a check
 * evaluates ``expect`` only on the rows ``applies`` selects and its breakdowns only on the failing rows:
 * exactly the rows the SQL's short-circuits (and the derived checks' shape guards) evaluate, so a
 * checksum never sees a value its guard rejected.
 *
 * Why masks: the boolean layer (53 checks' ``applies`` trees, NOT, the failed and breakdown rows) was
 * the largest cost when selections were vectors of row numbers — every operand of an AND compacted a
 * vector row by row. With masks, AND/OR/NOT, "which rows are not held yet" and the counters are word
 * operations (and popcounts), 64 rows at a time, whatever the selection's density; only the named
 * functions loop over rows, on the selection turned into row numbers once. */

#define NW (CH / 64)
typedef struct { uint64_t w[NW]; } mask;

static void eval_sel(const plan *p, ctx *c, const batch *bt, int32_t node, const mask *sel);

/* Measurement only (-DGK_PROFILE, never in the shipped build): per node, the TSC cycles spent in its own
 * evaluation (its operands' time taken out), the rows it was evaluated on and how often; slots past the nodes
 * hold the per-value cache's own work (PROF_VC) and the whole gk_run (PROF_RUN). One thread at a time (the
 * counts are process-wide); gk_profile copies them out and clears them. */
#ifdef GK_PROFILE
#include <x86intrin.h>
#define PROF_SLOTS 8192
enum { PROF_VC = PROF_SLOTS - 1, PROF_RUN = PROF_SLOTS - 2, PROF_KEYS = PROF_SLOTS - 3 };
static uint64_t prof_cycles[PROF_SLOTS], prof_rows[PROF_SLOTS], prof_calls[PROF_SLOTS], prof_child;
#define PROF_BEGIN uint64_t prof_outer = prof_child, prof_t0 = __rdtsc(); prof_child = 0;
#define PROF_END(slot, nrows) do { \
        uint64_t prof_dt = __rdtsc() - prof_t0; int32_t prof_s = (slot) < PROF_SLOTS ? (slot) : PROF_SLOTS - 4; \
        prof_cycles[prof_s] += prof_dt - prof_child; prof_rows[prof_s] += (uint64_t)(nrows); prof_calls[prof_s]++; \
        prof_child = prof_outer + prof_dt; } while (0)
int gk_profile(uint64_t *out, int32_t n) {
    for (int32_t k = 0; k < n && k < PROF_SLOTS; k++) {
        out[3 * k] = prof_cycles[k]; out[3 * k + 1] = prof_rows[k]; out[3 * k + 2] = prof_calls[k];
    }
    memset(prof_cycles, 0, sizeof prof_cycles); memset(prof_rows, 0, sizeof prof_rows);
    memset(prof_calls, 0, sizeof prof_calls);
    return PROF_SLOTS;
}
#else
#define PROF_BEGIN
#define PROF_END(slot, nrows) do { } while (0)
#endif

#define MEMO(n) (c->memo + (int64_t)(n) * CH)
#define PBITS(n) (c->pbits + (int64_t)(n) * NW)
#define LOOP for (int32_t k = 0; k < m; k++)

static int mask_any(const mask *s) {
    uint64_t any = 0;
    for (int w = 0; w < NW; w++) any |= s->w[w];
    return any != 0;
}

static int64_t mask_count(const mask *s) {
    int64_t n = 0;
    for (int w = 0; w < NW; w++) n += __builtin_popcountll(s->w[w]);
    return n;
}

/* 0, 1, …, CH - 1: the row numbers of a full selection, shared instead of written out per node. */
#define I4(n) n, n + 1, n + 2, n + 3
#define I16(n) I4(n), I4(n + 4), I4(n + 8), I4(n + 12)
#define I64(n) I16(n), I16(n + 16), I16(n + 32), I16(n + 48)
#define I256(n) I64(n), I64(n + 64), I64(n + 128), I64(n + 192)
static const uint16_t IOTA[CH] = {I256(0), I256(256)};

/* The rows of ``s`` as row numbers, ascending, in ``buf`` — or IOTA itself when ``s`` is a run of whole words
 * from row 0 (the usual case: most nodes are evaluated on every row); their count in ``*m``. */
static const uint16_t *mask_rows(const mask *s, uint16_t *buf, int32_t *m) {
    int32_t n = 0, prefix = 1;
    for (int w = 0; w < NW; w++) {
        uint64_t x = s->w[w];
        if (x == ~0ULL && prefix) { n += 64; continue; }
        if (prefix) { memcpy(buf, IOTA, sizeof(uint16_t) * (size_t)n); prefix = 0; }
        if (x == ~0ULL) { memcpy(buf + n, IOTA + w * 64, 64 * sizeof(uint16_t)); n += 64; continue; }
        while (x) { buf[n++] = (uint16_t)(w * 64 + __builtin_ctzll(x)); x &= x - 1; }
    }
    *m = n;
    return prefix ? IOTA : buf;
}

/* ``dst``'s bits on the rows of ``sel`` become ``src``'s; the other rows keep theirs. */
static void mask_set(uint64_t *dst, const mask *sel, const mask *src) {
    for (int w = 0; w < NW; w++) dst[w] = (dst[w] & ~sel->w[w]) | (src->w[w] & sel->w[w]);
}

/* Bytes 0/1 of ``ob`` (one per row) → bits of ``dst`` on the rows of ``sel``: eight bytes at a time, by the
 * multiplication that gathers the low bit of each byte into the top byte (byte i → bit i). */
static void pack_bytes(uint64_t *dst, const mask *sel, const uint8_t *ob) {
    for (int w = 0; w < NW; w++) {
        if (!sel->w[w]) continue;
        uint64_t bits = 0;
        for (int g = 0; g < 8; g++) {
            uint64_t x;
            memcpy(&x, ob + w * 64 + g * 8, 8);
            bits |= (((x & 0x0101010101010101ULL) * 0x0102040810204080ULL) >> 56) << (g * 8);
        }
        dst[w] = (dst[w] & ~sel->w[w]) | (bits & sel->w[w]);
    }
}

/* The boolean combinators and IF_ELSE: word operations on masks; the operands narrow the selection. */
static void compute_logic(const plan *p, ctx *c, const batch *bt, int32_t node, const mask *todo) {
    const int64_t *n = p->nodes + (int64_t)node * NODE_WORDS;
    const int32_t *a = p->args + n[1];
    int op = (int)n[0];
    uint64_t *ob = PBITS(node);
    if (op == OP_NOT) {
        eval_sel(p, c, bt, a[0], todo);
        const uint64_t *x = PBITS(a[0]);
        for (int w = 0; w < NW; w++) ob[w] = (ob[w] & ~todo->w[w]) | (~x[w] & todo->w[w]);
        return;
    }
    if (op == OP_AND || op == OP_OR) {
        /* ``open``: rows whose result is still undecided (all operands true so far / all false so far). */
        mask open = *todo;
        int is_and = op == OP_AND;
        for (int64_t j = 0; j < n[2]; j++) {
            eval_sel(p, c, bt, a[j], &open);
            const uint64_t *v = PBITS(a[j]);
            uint64_t any = 0;
            for (int w = 0; w < NW; w++) { open.w[w] &= is_and ? v[w] : ~v[w]; any |= open.w[w]; }
            if (!any) break;
        }
        /* AND holds on the rows still open; OR holds on the rows that left ``open`` (an operand was true). */
        for (int w = 0; w < NW; w++) {
            uint64_t yes = is_and ? open.w[w] : todo->w[w] & ~open.w[w];
            ob[w] = (ob[w] & ~todo->w[w]) | yes;
        }
        return;
    }
    /* OP_IF_ELSE */
    eval_sel(p, c, bt, a[0], todo);
    const uint64_t *cond = PBITS(a[0]);
    mask yes, no;
    for (int w = 0; w < NW; w++) { yes.w[w] = todo->w[w] & cond[w]; no.w[w] = todo->w[w] & ~cond[w]; }
    int pred = n[6] == 1;  /* branches are predicates: take their bits */
    for (int side = 0; side < 2; side++) {
        const mask *rows = side ? &no : &yes;
        int32_t branch = a[1 + side];
        if (!mask_any(rows)) continue;
        eval_sel(p, c, bt, branch, rows);
        if (pred) { mask src; memcpy(src.w, PBITS(branch), sizeof src.w); mask_set(ob, rows, &src); continue; }
        uint16_t buf[CH];
        int32_t m;
        const uint16_t *sel = mask_rows(rows, buf, &m);
        const val *v = MEMO(branch);
        val *out = MEMO(node);
        LOOP out[sel[k]] = v[sel[k]];
    }
}

/* Whether ``op`` yields a predicate (IF_ELSE: when its branches do, word 6 of the node). */
static int op_is_predicate(int op) {
    switch (op) {
    case OP_LIT_BOOL: case OP_CMP: case OP_AND: case OP_OR: case OP_NOT: case OP_ISNULL: case OP_INSET:
    case OP_IS_BLANK: case OP_MATCH: case OP_HAS_FULLWIDTH: case OP_HAS_WHITESPACE: case OP_HAS_LOWER:
    case OP_HAS_DASH: case OP_HAS_APOSTROPHE: case OP_IS_MASKED: case OP_MOD11_2: case OP_ID_MALE:
    case OP_WEIGHTED: case OP_REGION_PREFIX:
        return 1;
    default:
        return 0;
    }
}

static void compute(const plan *p, ctx *c, const batch *bt, int32_t node, const mask *todo) {
    const int64_t *n = p->nodes + (int64_t)node * NODE_WORDS;
    int op = (int)n[0];
    if (op == OP_AND || op == OP_OR || op == OP_NOT || op == OP_IF_ELSE) { compute_logic(p, c, bt, node, todo); return; }
    const int32_t *a = p->args + n[1];
    int64_t p1 = n[3], p2 = n[4];
    val *out = MEMO(node);
    uint8_t ob[CH];  /* a predicate's values, a byte per row (0 or 1), packed into its mask at the end */
    int pred = n[6] == 1 || op_is_predicate(op);
    if (pred) memset(ob, 0, sizeof ob);
    const val *x = NULL, *y = NULL;
    if (n[2] >= 1) {
        eval_sel(p, c, bt, a[0], todo);
        x = MEMO(a[0]);
        if (n[2] >= 2) { eval_sel(p, c, bt, a[1], todo); y = MEMO(a[1]); }
    }
    uint16_t buf[CH];
    int32_t m;
    const uint16_t *sel = mask_rows(todo, buf, &m);
    switch (op) {
    case OP_COL: {
        const uint8_t *valid = bt->validity[p1];
        const uint8_t *data = bt->data[p1];
        int64_t base = bt->row + bt->array_offset[p1];
        if (bt->large[p1]) {
            const int64_t *o = bt->offsets[p1];
            LOOP {
                int64_t i = base + sel[k];
                val r = {0}; r.kind = T_TEXT;
                if (valid && !((valid[i >> 3] >> (i & 7)) & 1)) r.null = 1;
                else { r.s = data + o[i]; r.len = (int32_t)(o[i + 1] - o[i]); }
                out[sel[k]] = r;
            }
        } else {
            const int32_t *o = bt->offsets[p1];
            LOOP {
                int64_t i = base + sel[k];
                val r = {0}; r.kind = T_TEXT;
                if (valid && !((valid[i >> 3] >> (i & 7)) & 1)) r.null = 1;
                else { r.s = data + o[i]; r.len = o[i + 1] - o[i]; }
                out[sel[k]] = r;
            }
        }
        break;
    }
    case OP_LIT_TEXT: {
        val r = {0}; r.kind = T_TEXT; r.s = p->lit_data + p->lit_off[p1];
        r.len = (int32_t)(p->lit_off[p1 + 1] - p->lit_off[p1]);
        LOOP out[sel[k]] = r;
        break;
    }
    case OP_LIT_INT: { val r = {0}; r.kind = T_NUM; r.i = p1; LOOP out[sel[k]] = r; break; }
    case OP_LIT_BOOL: LOOP ob[sel[k]] = (uint8_t)(p1 != 0); break;
    case OP_LIT_NULL: { val r = {0}; r.null = 1; LOOP out[sel[k]] = r; break; }
    case OP_LIT_DOUBLE: { val r = {0}; r.kind = T_DBL; r.i = p1; LOOP out[sel[k]] = r; break; }
    case OP_TO_DATE: LOOP { int r = sel[k]; out[r] = parse_time(c, x[r], 1); } break;
    case OP_TO_TIMESTAMP: LOOP { int r = sel[k]; out[r] = parse_time(c, x[r], 0); } break;
    case OP_TO_NUMBER: LOOP { int r = sel[k]; out[r] = parse_number(c, x[r]); } break;
    case OP_CMP:
        LOOP {
            int r = sel[k];
            val u = x[r], v = y[r];
            if (u.null || v.null) { ob[r] = 0; continue; }
            int d;
            if (u.kind == T_TEXT) d = p1 <= CMP_NE ? !text_eq(u, v) : text_cmp(u, v);
            else if (u.kind == T_DBL) { double f = dbl_of(u), g = dbl_of(v); d = f < g ? -1 : f > g; }
            else d = u.i < v.i ? -1 : u.i > v.i;
            int b;
            switch ((int)p1) {
            case CMP_EQ: b = d == 0; break;
            case CMP_NE: b = d != 0; break;
            case CMP_LT: b = d < 0; break;
            case CMP_LE: b = d <= 0; break;
            case CMP_GT: b = d > 0; break;
            default: b = d >= 0; break;
            }
            ob[r] = (uint8_t)b;
        }
        break;
    case OP_ISNULL: LOOP { int r = sel[k]; ob[r] = (uint8_t)(x[r].null); } break;
    case OP_INSET: LOOP { int r = sel[k]; ob[r] = (uint8_t)(!x[r].null && hset_has(&p->sets[p1], x[r].s, x[r].len)); }
        break;
    case OP_IS_BLANK: LOOP { int r = sel[k]; ob[r] = (uint8_t)(is_blank(p, x[r])); } break;
    case OP_TRIM: LOOP { int r = sel[k]; out[r] = trim(p, x[r]); } break;
    case OP_LENGTH:
        LOOP {
            int r = sel[k];
            val v = {0}; v.kind = T_NUM; v.null = x[r].null; v.i = x[r].null ? 0 : cp_count(x[r].s, x[r].len);
            out[r] = v;
        }
        break;
    case OP_SUBSTR: LOOP { int r = sel[k]; out[r] = substr_cp(x[r], (int32_t)p1, (int32_t)p2); } break;
    case OP_NORM_CODE:
        LOOP { int r = sel[k]; out[r] = normalize_code(p, c, node, x[r], (int)(p1 & 1), (int)((p1 >> 1) & 1)); }
        break;
    case OP_NORM_PHONE: LOOP { int r = sel[k]; out[r] = normalize_phone(p, c, node, x[r]); } break;
    case OP_MATCH: LOOP { int r = sel[k]; ob[r] = (uint8_t)(pattern_match(p, (int32_t)p1, x[r])); } break;
    case OP_HAS_FULLWIDTH: LOOP { int r = sel[k]; ob[r] = (uint8_t)(contains_class(p, x[r], CS_FW_FROM)); } break;
    case OP_HAS_WHITESPACE: LOOP { int r = sel[k]; ob[r] = (uint8_t)(contains_class(p, x[r], CS_WS)); } break;
    case OP_HAS_DASH: LOOP { int r = sel[k]; ob[r] = (uint8_t)(contains_class(p, x[r], CS_DASH)); } break;
    case OP_IS_MASKED: LOOP { int r = sel[k]; ob[r] = (uint8_t)(contains_class(p, x[r], CS_MASK)); } break;
    case OP_HAS_LOWER:
        LOOP {
            int r = sel[k], b = 0;
            val v = x[r];
            if (!v.null) for (int32_t i = 0; i < v.len && !b; i++) b = v.s[i] >= 'a' && v.s[i] <= 'z';
            ob[r] = (uint8_t)b;
        }
        break;
    case OP_HAS_APOSTROPHE:  /* ^[ws]*[apostrophe] */
        LOOP {
            int r = sel[k], b = 0;
            val v = x[r];
            int32_t i = 0;
            while (!v.null && i < v.len) {
                uint32_t cp = utf8_next(v.s, v.len, &i);
                if (in_cset(p, CS_APOS, cp)) { b = 1; break; }
                if (!in_cset(p, CS_WS, cp)) break;
            }
            ob[r] = (uint8_t)b;
        }
        break;
    case OP_YMD_DATE: LOOP { int r = sel[k]; out[r] = ymd(x[r]); } break;
    case OP_YEAR:
        LOOP { int r = sel[k]; val v = {0}; v.kind = T_NUM; v.null = x[r].null; v.i = x[r].i / 10000; out[r] = v; }
        break;
    case OP_MOD11_2: LOOP { int r = sel[k]; ob[r] = (uint8_t)(mod11_2(p, c, x[r])); } break;
    case OP_ID_BIRTH: LOOP { int r = sel[k]; out[r] = id_birth(p, x[r]); } break;
    case OP_ID_MALE:
        LOOP {
            int r = sel[k];
            val v = x[r];
            int b = 0;  /* NULL (no digit there) counts as false, like every predicate */
            if (!v.null) {
                val d = substr_cp(v, cp_count(v.s, v.len) == p->id_legacy_length ? 15 : 17, 1);
                if (d.len == 1 && d.s[0] >= '0' && d.s[0] <= '9') b = (d.s[0] - '0') % 2 == 1;
            }
            ob[r] = (uint8_t)b;
        }
        break;
    case OP_WEIGHTED: LOOP { int r = sel[k]; ob[r] = (uint8_t)(weighted_ok(p, c, (int)p1, x[r])); } break;
    case OP_REGION_PREFIX:
        LOOP {
            int r = sel[k];
            val id = x[r], region = y[r];
            int b;
            if (id.null || region.null) b = 0;
            else if (id.len == 6 && region.len == 6 && ascii_prefix(id.s, 6) && ascii_prefix(region.s, 6)) {
                /* the usual case, six ASCII bytes each (code points are bytes): the branches below as word tests */
                uint64_t rg = short_bytes(region.s, 6), ip = short_bytes(id.s, 6);
                if (rg >> 16 == 0x30303030) b = (rg & 0xFFFF) == (ip & 0xFFFF);              /* "xx0000" */
                else if (rg >> 32 == 0x3030) b = (rg & 0xFFFFFFFF) == (ip & 0xFFFFFFFF);   /* "xxxx00" */
                else b = rg == ip;
            } else {
                val zeros4 = {(const uint8_t *)"0000", 0, 4, 0, T_TEXT}, zeros2 = {(const uint8_t *)"00", 0, 2, 0, T_TEXT};
                if (text_eq(substr_cp(region, 3, 4), zeros4)) b = text_eq(substr_cp(region, 1, 2), substr_cp(id, 1, 2));
                else if (text_eq(substr_cp(region, 5, 2), zeros2))
                    b = text_eq(substr_cp(region, 1, 4), substr_cp(id, 1, 4));
                else b = text_eq(region, id);
            }
            ob[r] = (uint8_t)b;
        }
        break;
    default: { val r = {0}; r.null = 1; LOOP out[sel[k]] = r; break; }  /* ob stays 0 */
    }
    if (pred) pack_bytes(PBITS(node), todo, ob);
}

/* Evaluate ``node`` on the rows of ``sel`` it does not hold yet. */
static void eval_sel(const plan *p, ctx *c, const batch *bt, int32_t node, const mask *sel) {
    uint64_t *have = c->have + (int64_t)node * NW;
    if (c->node_gen[node] != c->chunk_gen) {
        c->node_gen[node] = c->chunk_gen;
        memset(have, 0, sizeof(uint64_t) * NW);
    }
    mask todo;
    uint64_t any = 0;
    for (int w = 0; w < NW; w++) { todo.w[w] = sel->w[w] & ~have[w]; any |= todo.w[w]; }
    if (!any) return;
    for (int w = 0; w < NW; w++) have[w] |= todo.w[w];
    PROF_BEGIN
    compute(p, c, bt, node, &todo);
    PROF_END(node, mask_count(&todo));
}

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

/* One chunk of ``m`` rows through every group whose cache is on. */
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
        int64_t bytes = large ? o64[base + m] - o64[base] : (int64_t)o32[base + m] - o32[base];
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
                int64_t a = large ? o64[i] : o32[i];
                len = (int32_t)((large ? o64[i + 1] : o32[i + 1]) - a);
                s = data + a;
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
    size_t nn = (size_t)p->nnodes;
    c->memo = calloc(nn * CH, sizeof(val));
    c->pbits = calloc(nn * (CH / 64), sizeof(uint64_t));
    c->have = calloc(nn * (CH / 64), sizeof(uint64_t));
    c->node_gen = calloc(nn, sizeof(uint32_t));
    c->arena = calloc(nn, sizeof(uint8_t *));
    c->arena_cap = calloc(nn, sizeof(int64_t));
    c->arena_used = calloc(nn, sizeof(int64_t));
    c->arena_gen = calloc(nn, sizeof(uint32_t));
    if (!c->memo || !c->pbits || !c->have || !c->node_gen || !c->arena || !c->arena_cap || !c->arena_used || !c->arena_gen) {
        gk_ctx_free(vp, c);
        return NULL;
    }
    if (p->ngroups > 0) {
        int32_t nbits = 1;
        for (int32_t g = 0; g < p->ngroups; g++) if (p->groups[g].nbits > nbits) nbits = p->groups[g].nbits;
        c->vc = calloc((size_t)p->ngroups, sizeof(vcache));
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
    plan *p = vp; ctx *c = vc;
    if (!c) return;
    if (c->arena) for (int32_t k = 0; k < p->nnodes; k++) free(c->arena[k]);
    free_retired(c);
    free(c->retired); free(c->arena); free(c->arena_cap); free(c->arena_used); free(c->arena_gen);
    if (c->vc) for (int32_t g = 0; g < p->ngroups; g++) vc_release(&c->vc[g]);
    free(c->vc); free(c->cached); free(c->res);
    free(c->memo); free(c->pbits); free(c->have); free(c->node_gen); free(c);
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

/* ------------------------------------------------------------------ key fingerprints (uniqueness checks)
 *
 * For each uniqueness key (gk_set_keys) and each row of the batch where its ``present`` predicate holds, a
 * 128-bit fingerprint of the key tuple: hi word and lo word into the caller's buffers of this batch
 * (gk_ctx_keys), in row order; the engine groups the fingerprints in DuckDB instead of the key strings.
 * Two keys are equal exactly when their bytes are (DuckDB's GROUP BY on VARCHAR compares bytes), so:
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
