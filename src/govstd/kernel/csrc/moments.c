/* Part of the native check kernel, dates, timestamps and numbers: included by ../_kernel.c, one translation unit (never
 * compiled alone), so every static function stays inlinable across the parts. */
#include "kernel.h"

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
