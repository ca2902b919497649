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
 * does not happen on real data.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
    OP_COL = 1, OP_LIT_TEXT, OP_LIT_INT, OP_LIT_BOOL, OP_LIT_NULL,
    OP_CMP, OP_AND, OP_OR, OP_NOT, OP_ISNULL, OP_INSET,
    OP_IS_BLANK, OP_TRIM, OP_LENGTH, OP_SUBSTR, OP_NORM_CODE, OP_NORM_PHONE, OP_MATCH,
    OP_HAS_FULLWIDTH, OP_HAS_WHITESPACE, OP_HAS_LOWER, OP_HAS_DASH, OP_HAS_APOSTROPHE, OP_IS_MASKED,
    OP_YMD_DATE, OP_YEAR, OP_MOD11_2, OP_ID_BIRTH, OP_ID_MALE, OP_WEIGHTED, OP_REGION_PREFIX, OP_IF_ELSE
};
enum { CMP_EQ = 0, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE };
enum { T_TEXT = 0, T_NUM = 1 };               /* value kinds: text, or an integer (int, date as yyyymmdd, bool) */
enum { CS_WS = 0, CS_DASH, CS_APOS, CS_MASK, CS_FW_FROM, CS_COUNT };
enum { W_GB32100 = 0, W_GB11714 = 1, W_COUNT };

#define NODE_WORDS 8  /* op, first_arg, nargs, p1, p2, p3, kind, unused */

typedef struct { const uint8_t *s; int64_t i; int32_t len; int8_t null; int8_t kind; } val;

typedef struct { const uint8_t *key; int32_t len; } slot;
typedef struct { slot *slots; uint64_t mask; } hset;

typedef struct { const uint32_t *cps; int32_t n; } cset;

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
    int32_t ncounters;
    uint8_t *owned_keys;
} plan;

typedef struct {
    val *memo; uint64_t *gen; uint64_t row_gen;
    uint8_t **scratch; int64_t *scratch_cap;
    int64_t *doubt;  /* counters[1]: rows on which a checksum met input it does not compute exactly */
} ctx;

typedef struct {
    int32_t ncols;
    const uint8_t **validity; const void **offsets; const uint8_t **data; const int64_t *array_offset;
    const int8_t *large;  /* 1: int64 offsets (large_string) */
    int64_t row;
} batch;

/* ------------------------------------------------------------------ hashing (code sets) */

static uint64_t hash_bytes(const uint8_t *p, int32_t n) {
    uint64_t h = 1469598103934665603ULL;  /* FNV-1a */
    for (int32_t i = 0; i < n; i++) { h ^= p[i]; h *= 1099511628211ULL; }
    return h ^ (h >> 29);
}

static int hset_has(const hset *s, const uint8_t *p, int32_t n) {
    uint64_t i = hash_bytes(p, n) & s->mask;
    for (;;) {
        const slot *e = &s->slots[i];
        if (!e->key) return 0;
        if (e->len == n && memcmp(e->key, p, (size_t)n) == 0) return 1;
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

static int32_t cp_count(const uint8_t *s, int32_t len) {
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
static val substr_cp(val x, int32_t start, int32_t length) {
    val r = x;
    if (x.null) return r;
    int32_t a = cp_offset(x.s, x.len, start - 1);
    int32_t b = a + cp_offset(x.s + a, x.len - a, length);
    r.s = x.s + a; r.len = b - a;
    return r;
}

static uint8_t *scratch(ctx *c, int32_t node, int64_t need) {
    if (c->scratch_cap[node] < need) {
        int64_t cap = need < 64 ? 64 : need * 2;
        uint8_t *b = realloc(c->scratch[node], (size_t)cap);
        if (!b) return NULL;
        c->scratch[node] = b; c->scratch_cap[node] = cap;
    }
    return c->scratch[node];
}

/* ------------------------------------------------------------------ the named functions */

static int is_blank(const plan *p, val x) {
    if (x.null) return 1;
    int32_t i = 0;
    while (i < x.len) if (!in_cset(p, CS_WS, utf8_next(x.s, x.len, &i))) return 0;
    return 1;
}

static val trim(const plan *p, val x) {
    if (x.null) return x;
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

static int dfa_match(const plan *p, int32_t d, val x) {
    if (x.null) return 0;
    const int16_t *t = p->dfa + p->dfa_off[d];
    const uint8_t *acc = p->dfa_accept + p->acc_off[d];
    int32_t s = 0;
    for (int32_t i = 0; i < x.len; i++) {
        uint8_t b = x.s[i];
        if (b >= 128) return 0;  /* the automata hold ASCII patterns only */
        s = t[s * 128 + b];
        if (s < 0) return 0;
    }
    return acc[s];
}

static int days_in_month(int64_t y, int64_t m) {
    static const int d[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12) return 0;
    if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) return 29;
    return d[m];
}

/* ymd_date: 8 ASCII digits → yyyymmdd when a real date (year >= 1), else NULL. */
static val ymd(val x) {
    val r = {0}; r.kind = T_NUM; r.null = 1;
    if (x.null || x.len != 8) return r;
    int64_t v = 0;
    for (int k = 0; k < 8; k++) {
        if (x.s[k] < '0' || x.s[k] > '9') return r;
        v = v * 10 + (x.s[k] - '0');
    }
    int64_t y = v / 10000, m = v / 100 % 100, d = v % 100;
    if (y < 1 || d < 1 || d > days_in_month(y, m)) return r;
    r.null = 0; r.i = v;
    return r;
}

static val id_birth(const plan *p, val x) {
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
static int mod11_2(const plan *p, ctx *c, val x) {
    if (x.null) return 0;
    int32_t body = p->id_length - 1, sum = 0;
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

static int text_eq(val a, val b) { return a.len == b.len && memcmp(a.s, b.s, (size_t)a.len) == 0; }

static int text_cmp(val a, val b) {
    int32_t n = a.len < b.len ? a.len : b.len;
    int r = memcmp(a.s, b.s, (size_t)n);
    if (r) return r;
    return a.len < b.len ? -1 : a.len > b.len;
}

/* ------------------------------------------------------------------ the interpreter */

static val eval(const plan *p, ctx *c, const batch *bt, int32_t node);

static int truth(const plan *p, ctx *c, const batch *bt, int32_t node) {
    val v = eval(p, c, bt, node);
    return !v.null && v.i != 0;
}

static val boolean(int b) { val r = {0}; r.kind = T_NUM; r.i = b; return r; }

static val eval_uncached(const plan *p, ctx *c, const batch *bt, int32_t node) {
    const int64_t *n = p->nodes + (int64_t)node * NODE_WORDS;
    const int32_t *a = p->args + n[1];
    int64_t p1 = n[3], p2 = n[4];
    val r = {0};
    switch ((int)n[0]) {
    case OP_COL: {
        int64_t i = bt->row + bt->array_offset[p1];
        const uint8_t *valid = bt->validity[p1];
        r.kind = T_TEXT;
        if (valid && !((valid[i >> 3] >> (i & 7)) & 1)) { r.null = 1; return r; }
        int64_t s, e;
        if (bt->large[p1]) { const int64_t *o = bt->offsets[p1]; s = o[i]; e = o[i + 1]; }
        else { const int32_t *o = bt->offsets[p1]; s = o[i]; e = o[i + 1]; }
        r.s = bt->data[p1] + s; r.len = (int32_t)(e - s);
        return r;
    }
    case OP_LIT_TEXT:
        r.kind = T_TEXT; r.s = p->lit_data + p->lit_off[p1]; r.len = (int32_t)(p->lit_off[p1 + 1] - p->lit_off[p1]);
        return r;
    case OP_LIT_INT: case OP_LIT_BOOL: r.kind = T_NUM; r.i = p1; return r;
    case OP_LIT_NULL: r.null = 1; return r;
    case OP_CMP: {
        val x = eval(p, c, bt, a[0]), y = eval(p, c, bt, a[1]);
        if (x.null || y.null) return boolean(0);
        int k = x.kind == T_TEXT ? (p1 <= CMP_NE ? !text_eq(x, y) : text_cmp(x, y))
                                 : (x.i < y.i ? -1 : x.i > y.i);
        switch ((int)p1) {
        case CMP_EQ: return boolean(k == 0);
        case CMP_NE: return boolean(k != 0);
        case CMP_LT: return boolean(k < 0);
        case CMP_LE: return boolean(k <= 0);
        case CMP_GT: return boolean(k > 0);
        default: return boolean(k >= 0);
        }
    }
    case OP_AND:
        for (int64_t k = 0; k < n[2]; k++) if (!truth(p, c, bt, a[k])) return boolean(0);
        return boolean(1);
    case OP_OR:
        for (int64_t k = 0; k < n[2]; k++) if (truth(p, c, bt, a[k])) return boolean(1);
        return boolean(0);
    case OP_NOT: return boolean(!truth(p, c, bt, a[0]));
    case OP_ISNULL: return boolean(eval(p, c, bt, a[0]).null);
    case OP_INSET: {
        val x = eval(p, c, bt, a[0]);
        return boolean(!x.null && hset_has(&p->sets[p1], x.s, x.len));
    }
    case OP_IS_BLANK: return boolean(is_blank(p, eval(p, c, bt, a[0])));
    case OP_TRIM: return trim(p, eval(p, c, bt, a[0]));
    case OP_LENGTH: {
        val x = eval(p, c, bt, a[0]);
        r.kind = T_NUM; r.null = x.null; r.i = x.null ? 0 : cp_count(x.s, x.len);
        return r;
    }
    case OP_SUBSTR: return substr_cp(eval(p, c, bt, a[0]), (int32_t)p1, (int32_t)p2);
    case OP_NORM_CODE: return normalize_code(p, c, node, eval(p, c, bt, a[0]), (int)(p1 & 1), (int)((p1 >> 1) & 1));
    case OP_NORM_PHONE: return normalize_phone(p, c, node, eval(p, c, bt, a[0]));
    case OP_MATCH: return boolean(dfa_match(p, (int32_t)p1, eval(p, c, bt, a[0])));
    case OP_HAS_FULLWIDTH: return boolean(contains_class(p, eval(p, c, bt, a[0]), CS_FW_FROM));
    case OP_HAS_WHITESPACE: return boolean(contains_class(p, eval(p, c, bt, a[0]), CS_WS));
    case OP_HAS_DASH: return boolean(contains_class(p, eval(p, c, bt, a[0]), CS_DASH));
    case OP_IS_MASKED: return boolean(contains_class(p, eval(p, c, bt, a[0]), CS_MASK));
    case OP_HAS_LOWER: {
        val x = eval(p, c, bt, a[0]);
        if (x.null) return boolean(0);
        for (int32_t i = 0; i < x.len; i++) if (x.s[i] >= 'a' && x.s[i] <= 'z') return boolean(1);
        return boolean(0);
    }
    case OP_HAS_APOSTROPHE: {  /* ^[ws]*[apostrophe] */
        val x = eval(p, c, bt, a[0]);
        if (x.null) return boolean(0);
        int32_t i = 0;
        while (i < x.len) {
            uint32_t cp = utf8_next(x.s, x.len, &i);
            if (in_cset(p, CS_APOS, cp)) return boolean(1);
            if (!in_cset(p, CS_WS, cp)) return boolean(0);
        }
        return boolean(0);
    }
    case OP_YMD_DATE: return ymd(eval(p, c, bt, a[0]));
    case OP_YEAR: {
        val x = eval(p, c, bt, a[0]);
        r.kind = T_NUM; r.null = x.null; r.i = x.i / 10000;
        return r;
    }
    case OP_MOD11_2: return boolean(mod11_2(p, c, eval(p, c, bt, a[0])));
    case OP_ID_BIRTH: return id_birth(p, eval(p, c, bt, a[0]));
    case OP_ID_MALE: {
        val x = eval(p, c, bt, a[0]);
        r.kind = T_NUM; r.null = 1;
        if (x.null) return r;
        val d = substr_cp(x, cp_count(x.s, x.len) == p->id_legacy_length ? 15 : 17, 1);
        if (d.len != 1 || d.s[0] < '0' || d.s[0] > '9') return r;
        return boolean((d.s[0] - '0') % 2 == 1);
    }
    case OP_WEIGHTED: return boolean(weighted_ok(p, c, (int)p1, eval(p, c, bt, a[0])));
    case OP_REGION_PREFIX: {
        val id = eval(p, c, bt, a[0]), region = eval(p, c, bt, a[1]);
        if (id.null || region.null) return boolean(0);
        val zeros4 = {(const uint8_t *)"0000", 0, 4, 0, T_TEXT}, zeros2 = {(const uint8_t *)"00", 0, 2, 0, T_TEXT};
        if (text_eq(substr_cp(region, 3, 4), zeros4))
            return boolean(text_eq(substr_cp(region, 1, 2), substr_cp(id, 1, 2)));
        if (text_eq(substr_cp(region, 5, 2), zeros2))
            return boolean(text_eq(substr_cp(region, 1, 4), substr_cp(id, 1, 4)));
        return boolean(text_eq(region, id));
    }
    case OP_IF_ELSE: return truth(p, c, bt, a[0]) ? eval(p, c, bt, a[1]) : eval(p, c, bt, a[2]);
    default: r.null = 1; return r;
    }
}

static val eval(const plan *p, ctx *c, const batch *bt, int32_t node) {
    if (c->gen[node] == c->row_gen) return c->memo[node];
    val v = eval_uncached(p, c, bt, node);
    c->memo[node] = v; c->gen[node] = c->row_gen;
    return v;
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
    return p;
}

/* A character class (sorted code points); ``to`` maps CS_FW_FROM's code points to ASCII. */
int gk_set_charset(void *vp, int32_t which, const uint32_t *cps, int32_t n, const uint32_t *to) {
    plan *p = vp;
    if (which < 0 || which >= CS_COUNT) return -1;
    p->charsets[which].cps = cps; p->charsets[which].n = n;
    for (int32_t k = 0; k < n; k++) {
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
            uint64_t i = hash_bytes(key, len) & h->mask;
            while (h->slots[i].key) i = (i + 1) & h->mask;
            /* an empty code still needs a non-NULL key pointer */
            h->slots[i].key = len ? key : (const uint8_t *)"";
            h->slots[i].len = len;
        }
    }
    return 0;
}

void gk_plan_free(void *vp) {
    plan *p = vp;
    if (!p) return;
    for (int32_t s = 0; s < p->nsets; s++) free(p->sets[s].slots);
    free(p->sets);
    free(p);
}

void *gk_ctx_new(void *vp) {
    plan *p = vp;
    ctx *c = calloc(1, sizeof(ctx));
    if (!c) return NULL;
    c->memo = calloc((size_t)p->nnodes, sizeof(val));
    c->gen = calloc((size_t)p->nnodes, sizeof(uint64_t));
    c->scratch = calloc((size_t)p->nnodes, sizeof(uint8_t *));
    c->scratch_cap = calloc((size_t)p->nnodes, sizeof(int64_t));
    if (!c->memo || !c->gen || !c->scratch || !c->scratch_cap) return NULL;
    return c;
}

void gk_ctx_free(void *vp, void *vc) {
    plan *p = vp; ctx *c = vc;
    if (!c) return;
    for (int32_t k = 0; k < p->nnodes; k++) free(c->scratch[k]);
    free(c->scratch); free(c->scratch_cap); free(c->memo); free(c->gen); free(c);
}

/* Count one batch of ``nrows`` rows into ``counters``: [0] rows, [1] doubtful checksum inputs, then per
 * check (``checks``: applies node or -1, expect node, number of breakdowns, breakdown nodes, first
 * counter): evaluated, failed, one per breakdown. */
int gk_run(void *vp, void *vc, int32_t ncols, const uint8_t **validity, const void **offsets,
           const uint8_t **data, const int64_t *array_offset, const int8_t *large, int64_t nrows,
           int64_t *counters) {
    plan *p = vp; ctx *c = vc;
    batch bt = {ncols, validity, offsets, data, array_offset, large, 0};
    c->doubt = counters + 1;
    counters[0] += nrows;
    for (int64_t row = 0; row < nrows; row++) {
        bt.row = row;
        c->row_gen++;
        const int32_t *ck = p->checks;
        for (int32_t k = 0; k < p->nchecks; k++) {
            int32_t applies = ck[0], expect = ck[1], nbreak = ck[2];
            const int32_t *breaks = ck + 3;
            int32_t out = ck[3 + nbreak];
            if (applies < 0 || truth(p, c, &bt, applies)) {
                counters[out] += 1;
                if (!truth(p, c, &bt, expect)) {
                    counters[out + 1] += 1;
                    for (int32_t j = 0; j < nbreak; j++) counters[out + 2 + j] += truth(p, c, &bt, breaks[j]);
                }
            }
            ck += 4 + nbreak;
        }
    }
    return 0;
}
