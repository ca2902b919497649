/* Part of the native check kernel, the named functions: white space, automata and shapes, check characters, equality: included by ../_kernel.c, one translation unit (never
 * compiled alone), so every static function stays inlinable across the parts. */
#include "kernel.h"

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

/* Whether trim returns ``x`` itself by its first test (NULL, or both ends ASCII and not white space); an empty
 * value or one with other ends may also come out unchanged, but is left to trim. */
HOT int trim_keeps(const plan *p, val x) {
    return x.null || (x.len && x.s[0] < 0x80 && x.s[x.len - 1] < 0x80 && !ascii_ws(p, x.s[0])
                      && !ascii_ws(p, x.s[x.len - 1]));
}

HOT val trim(const plan *p, val x) {
    /* the usual case, nothing to trim: both ends ASCII and not white space (the loops below would stop there) */
    if (trim_keeps(p, x)) return x;
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

