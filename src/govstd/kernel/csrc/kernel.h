/* Part of the native check kernel, types, plan and context structures, the value helpers every part uses: included by ../_kernel.c, one translation unit (never
 * compiled alone), so every static function stays inlinable across the parts. */
#ifndef GOVSTD_KERNEL_H
#define GOVSTD_KERNEL_H
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
    val **memo_at;        /* nnodes: where a node's values are read: its own row of ``memo``, or its operand's
                           * (a view: TRIM that trimmed nothing, IF_ELSE taking one branch on the whole chunk) */
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
    int32_t nnodes, ngroups;   /* the plan's, for gk_ctx_free: DuckDB may destroy a context after the plan is gone */
} ctx;

/* A column's layout (``batch.large``): Arrow string (int32 offsets), large_string (int64 offsets), or DuckDB's
 * own vectors inside its scan (csrc/inscan.c): 16-byte string_t views in ``offsets``, ``data`` unused. */
enum { LAYOUT_STRING = 0, LAYOUT_LARGE = 1, LAYOUT_VIEWS = 2 };

typedef struct {
    int32_t ncols;
    const uint8_t **validity; const void **offsets; const uint8_t **data; const int64_t *array_offset;
    const int8_t *large;  /* LAYOUT_* */
    int64_t row;
} batch;

/* A DuckDB string_t (its C API's duckdb_string_t): the length (uint32), then up to 12 bytes inline, or a 4-byte
 * prefix and a pointer to the bytes. Its bytes and length (``*len``). */
static inline const uint8_t *view_bytes(const uint8_t *view, int32_t *len) {
    uint32_t n;
    memcpy(&n, view, 4);
    *len = (int32_t)n;
    if (n <= 12) return view + 4;
    const uint8_t *s;
    memcpy(&s, view + 8, sizeof s);
    return s;
}

#endif
