/* Part of the native check kernel, the interpreter: a column at a time over chunks of rows: included by ../_kernel.c, one translation unit (never
 * compiled alone), so every static function stays inlinable across the parts. */
#include "kernel.h"

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

#define MEMO(n) (c->memo_at[n])
#define OWN_MEMO(n) (c->memo + (int64_t)(n) * CH)
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

/* Whether ``s`` is every row of a whole chunk. A node computed on such a selection is computed once in the chunk
 * (no later selection holds a row it lacks), so its values may be a view of its operand's (``memo_at``): nothing
 * writes to them until the next chunk, and compute points the node back at its own memo before writing. */
static int mask_full(const mask *s) {
    uint64_t all = ~0ULL;
    for (int w = 0; w < NW; w++) all &= s->w[w];
    return all == ~0ULL;
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
    if (!pred) c->memo_at[node] = OWN_MEMO(node);
    for (int side = 0; side < 2; side++) {
        const mask *rows = side ? &no : &yes;
        int32_t branch = a[1 + side];
        if (!mask_any(rows)) continue;
        eval_sel(p, c, bt, branch, rows);
        if (pred) { mask src; memcpy(src.w, PBITS(branch), sizeof src.w); mask_set(ob, rows, &src); continue; }
        if (mask_full(rows)) { c->memo_at[node] = MEMO(branch); continue; }  /* one branch, every row: a view */
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
    val *out = c->memo_at[node] = OWN_MEMO(node);
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
        if (bt->large[p1] == LAYOUT_VIEWS) {
            const uint8_t *views = bt->offsets[p1];
            LOOP {
                int64_t i = base + sel[k];
                val r = {0}; r.kind = T_TEXT;
                if (valid && !((valid[i >> 3] >> (i & 7)) & 1)) r.null = 1;
                else r.s = view_bytes(views + 16 * i, &r.len);
                out[sel[k]] = r;
            }
        } else if (bt->large[p1]) {
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
        if (x == y && p1 <= CMP_NE) {
            /* A value against itself (``col = trim(col)`` where the trim is a view: nothing to trim in the chunk). */
            LOOP { int r = sel[k]; ob[r] = (uint8_t)(!x[r].null && p1 == CMP_EQ); }
            break;
        }
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
    case OP_TRIM:
        /* Trimming nothing on a whole chunk (the usual case): the node's values are a view of its operand's,
         * not a copy (the copy's 12 KB of stores were most of TRIM's cost). */
        if (m == CH && mask_full(todo)) {
            int same = 1;
            for (int32_t r = 0; r < CH && same; r++) same = trim_keeps(p, x[r]);
            if (same) { c->memo_at[node] = (val *)x; break; }
        }
        LOOP { int r = sel[k]; out[r] = trim(p, x[r]); }
        break;
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
