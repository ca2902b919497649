/* Part of the native check kernel, the checks inside DuckDB's scan: included by ../_kernel.c when built with
 * DuckDB's C extension API headers (-DGK_INSCAN, setup.py), one translation unit (never compiled alone).
 *
 * The same library is then also a DuckDB extension written against DuckDB's stable C API (v1.2.0): loaded into a
 * check run's connection (govstd.kernel.inscan, which appends the extension footer DuckDB reads), it registers the
 * aggregate
 *
 *     govstd_count(plan BIGINT, keys BIGINT, samples BIGINT, row BIGINT, line BIGINT, column VARCHAR, ...) → BLOB
 *
 * which runs gk_run over each chunk of DuckDB's own vectors (string_t views, LAYOUT_VIEWS) on DuckDB's own
 * threads, inside its scan, and returns the summed counters (int64, native byte order), then with ``samples`` > 0
 * each check's ``samples`` failing rows of the smallest row numbers (``row``; ``line`` the physical line, or NULL)
 * with the values of every text column: the rows the Arrow stream takes, in source order, from its batches.
 * Handing the columns over as Arrow batches instead costs DuckDB more than the scan itself (docs/benchmarks.md,
 * eighth round). ``plan`` is a
 * gk_plan_new handle made through ctypes (the same sources, so the same layout); ``keys`` a gk_inscan_keys_new
 * handle, or 0: the uniqueness keys' fingerprint counters (_fpcount.c), shared by DuckDB's threads under a lock.
 * DuckDB's threads take the rows in no set order, so a state keeps the smallest row numbers it has seen, and
 * merging two keeps the smallest of both. */
#include "kernel.h"
#include <pthread.h>

#define DUCKDB_EXTENSION_NAME govstd_kernel
#define DUCKDB_EXTENSION_API_VERSION_MAJOR 1
#define DUCKDB_EXTENSION_API_VERSION_MINOR 2
#define DUCKDB_EXTENSION_API_VERSION_PATCH 0
#include "duckdb_extension.h"

DUCKDB_EXTENSION_EXTERN

#define INSCAN_MAX_COLUMNS 64  /* overloads registered: a plan reading more columns streams Arrow batches */
#define INSCAN_FIXED 5         /* plan, keys, samples per check, row number, line: then the text columns */

int gk_fpc_add(void *vc, const uint64_t *hi, const uint64_t *lo, int64_t n);  /* _fpcount.c */

/* The key counters a run's aggregate feeds: gk_fpc_add is not thread-safe, DuckDB's threads take turns. */
typedef struct { int32_t n; void **counters; pthread_mutex_t lock; int32_t error, failed; } inscan_keys;

void *gk_inscan_keys_new(int32_t n, void *const *counters) {
    inscan_keys *k = calloc(1, sizeof *k);
    if (!k) return NULL;
    k->counters = calloc((size_t)(n > 0 ? n : 1), sizeof(void *));
    if (!k->counters || pthread_mutex_init(&k->lock, NULL) != 0) { free(k->counters); free(k); return NULL; }
    k->n = n;
    for (int32_t i = 0; i < n; i++) k->counters[i] = counters[i];
    return k;
}

/* The first gk_fpc_add error code met (0: none; the run's query failed with it), and in ``*key`` the key whose
 * counter returned it (its errno is that counter's). */
int32_t gk_inscan_keys_error(void *vk, int32_t *key) {
    inscan_keys *k = vk;
    *key = k->failed;
    return k->error;
}

void gk_inscan_keys_free(void *vk) {
    inscan_keys *k = vk;
    if (!k) return;
    pthread_mutex_destroy(&k->lock);
    free(k->counters);
    free(k);
}

/* The number of columns govstd_count takes at most. */
int32_t gk_inscan_max_columns(void) { return INSCAN_MAX_COLUMNS; }

/* A sampled row: its row number and line (``line_null``: none), and every text column's value as
 * [int32 length (-1: NULL), bytes] one after another in ``blob``. */
typedef struct { int64_t row, line; uint8_t *blob; int32_t blob_len, line_null; } inscan_sample;

/* An aggregate state: one per DuckDB thread (the aggregate is never grouped), its own context; with samples, per
 * check the ``sample_n`` failing rows of the smallest row numbers this state has seen, in row order. */
typedef struct {
    plan *p; void *ctx; int64_t *counters; uint64_t *fp; int64_t fp_rows;
    int32_t sample_n, nchecks; inscan_sample *samples; int32_t *nsamples; int64_t *picked; int32_t *found;
} inscan_state;

/* A state's samples freed without its plan (inscan_destroy may run after the engine freed the plan). */
static void free_samples(inscan_state *st) {
    for (int32_t k = 0; st->samples && k < st->nchecks; k++)
        for (int32_t j = 0; j < st->nsamples[k]; j++) free(st->samples[(int64_t)k * st->sample_n + j].blob);
    free(st->samples); free(st->nsamples); free(st->picked); free(st->found);
    st->samples = NULL; st->nsamples = NULL; st->picked = NULL; st->found = NULL;
}

/* Keep ``s`` among check ``k``'s samples if its row is among the ``sample_n`` smallest; frees what it drops. */
static void keep_sample(inscan_state *st, int32_t k, inscan_sample s) {
    inscan_sample *list = st->samples + (int64_t)k * st->sample_n;
    int32_t have = st->nsamples[k], n = st->sample_n;
    if (have == n && s.row >= list[n - 1].row) { free(s.blob); return; }
    if (have == n) { free(list[n - 1].blob); have--; }
    int32_t at = have;
    while (at > 0 && list[at - 1].row > s.row) { list[at] = list[at - 1]; at--; }
    list[at] = s;
    st->nsamples[k] = have + 1;
}

/* Row ``i`` of the chunk's text columns as a sample's blob (NULL: no memory). */
static uint8_t *sample_blob(int32_t ncols, const uint8_t *const *validity, const void *const *views, idx_t i,
                            int32_t *out_len) {
    int64_t size = 0;
    for (int32_t c = 0; c < ncols; c++) {
        int32_t len = 0;
        if (!validity[c] || ((validity[c][i >> 3] >> (i & 7)) & 1)) view_bytes((const uint8_t *)views[c] + 16 * i, &len);
        size += 4 + len;
    }
    uint8_t *blob = malloc((size_t)(size > 0 ? size : 1)), *at = blob;
    if (!blob) return NULL;
    for (int32_t c = 0; c < ncols; c++) {
        int32_t len = -1;
        const uint8_t *bytes = NULL;
        if (!validity[c] || ((validity[c][i >> 3] >> (i & 7)) & 1)) bytes = view_bytes((const uint8_t *)views[c] + 16 * i, &len);
        memcpy(at, &len, 4); at += 4;
        if (len > 0) { memcpy(at, bytes, (size_t)len); at += len; }
    }
    *out_len = (int32_t)size;
    return blob;
}

static idx_t inscan_size(duckdb_function_info info) { (void)info; return sizeof(inscan_state); }

static void inscan_init(duckdb_function_info info, duckdb_aggregate_state s) {
    (void)info;
    memset(s, 0, sizeof(inscan_state));
}

static void inscan_update(duckdb_function_info info, duckdb_data_chunk input, duckdb_aggregate_state *states) {
    idx_t n = duckdb_data_chunk_get_size(input), ncols = duckdb_data_chunk_get_column_count(input);
    if (!n) return;
    inscan_state *st = (inscan_state *)states[0];
    for (idx_t i = 1; i < n; i++)
        if (states[i] != states[0]) { duckdb_aggregate_function_set_error(info, "govstd_count is never grouped"); return; }
    const int64_t *handles = duckdb_vector_get_data(duckdb_data_chunk_get_vector(input, 0));
    const int64_t *keys_at = duckdb_vector_get_data(duckdb_data_chunk_get_vector(input, 1));
    const int64_t *sample_n = duckdb_vector_get_data(duckdb_data_chunk_get_vector(input, 2));
    duckdb_vector row_vector = duckdb_data_chunk_get_vector(input, 3), line_vector = duckdb_data_chunk_get_vector(input, 4);
    inscan_keys *keys = (inscan_keys *)(intptr_t)keys_at[0];
    if (!st->ctx) {
        st->p = (plan *)(intptr_t)handles[0];
        st->ctx = gk_ctx_new(st->p);
        st->counters = calloc((size_t)st->p->ncounters, sizeof(int64_t));
        st->sample_n = (int32_t)sample_n[0];
        st->nchecks = st->p->nchecks;
        int32_t nchecks = st->p->nchecks > 0 ? st->p->nchecks : 1;
        if (st->sample_n > 0) {
            st->samples = calloc((size_t)nchecks * (size_t)st->sample_n, sizeof(inscan_sample));
            st->nsamples = calloc((size_t)nchecks, sizeof(int32_t));
            st->picked = calloc((size_t)nchecks * (size_t)st->sample_n, sizeof(int64_t));
            st->found = calloc((size_t)nchecks, sizeof(int32_t));
        }
        if (!st->ctx || !st->counters || (st->sample_n > 0 && (!st->samples || !st->nsamples || !st->picked || !st->found))) {
            duckdb_aggregate_function_set_error(info, "govstd_count: out of memory");
            return;
        }
    }
    int32_t nk = keys ? keys->n : 0;
    if (nk > 64) { duckdb_aggregate_function_set_error(info, "govstd_count: more than 64 uniqueness keys"); return; }
    if (nk && st->fp_rows < (int64_t)n) {
        uint64_t *fp = realloc(st->fp, sizeof(uint64_t) * 2 * (size_t)nk * n);
        if (!fp) { duckdb_aggregate_function_set_error(info, "govstd_count: out of memory"); return; }
        st->fp = fp; st->fp_rows = (int64_t)n;
    }
    const uint8_t *validity[INSCAN_MAX_COLUMNS]; const void *views[INSCAN_MAX_COLUMNS];
    const uint8_t *data[INSCAN_MAX_COLUMNS]; int64_t starts[INSCAN_MAX_COLUMNS]; int8_t layout[INSCAN_MAX_COLUMNS];
    int32_t nc = (int32_t)ncols - INSCAN_FIXED;
    for (int32_t c = 0; c < nc; c++) {
        duckdb_vector v = duckdb_data_chunk_get_vector(input, (idx_t)c + INSCAN_FIXED);
        validity[c] = (const uint8_t *)duckdb_vector_get_validity(v);  /* 64-bit words: Arrow's bits, little-endian */
        views[c] = duckdb_vector_get_data(v);
        data[c] = NULL; starts[c] = 0; layout[c] = LAYOUT_VIEWS;
    }
    uint64_t *out[2 * 64];
    int64_t written[64] = {0};
    for (int32_t k = 0; k < nk; k++) {
        out[2 * k] = st->fp + (size_t)(2 * k) * n;
        out[2 * k + 1] = st->fp + (size_t)(2 * k + 1) * n;
    }
    if (st->sample_n > 0) memset(st->found, 0, sizeof(int32_t) * (size_t)st->p->nchecks);
    gk_ctx_samples(st->ctx, st->sample_n > 0 ? st->sample_n : 0, st->picked, st->found);
    gk_ctx_keys(st->ctx, nk ? out : NULL, written);
    gk_ctx_key_rows(st->ctx, NULL);
    gk_run(st->p, st->ctx, nc, validity, views, data, starts, layout, (int64_t)n, st->counters);
    if (st->sample_n > 0) {
        const int64_t *rows = duckdb_vector_get_data(row_vector), *lines = duckdb_vector_get_data(line_vector);
        const uint64_t *line_valid = duckdb_vector_get_validity(line_vector);
        for (int32_t k = 0; k < st->p->nchecks; k++) {
            for (int32_t j = 0; j < st->found[k]; j++) {
                idx_t i = (idx_t)st->picked[(int64_t)k * st->sample_n + j];
                inscan_sample smp = {rows[i], 0, NULL, 0, 1};
                if (st->nsamples[k] == st->sample_n && smp.row >= st->samples[(int64_t)(k + 1) * st->sample_n - 1].row)
                    continue;  /* not among the smallest */
                if (!line_valid || ((line_valid[i >> 6] >> (i & 63)) & 1)) { smp.line = lines[i]; smp.line_null = 0; }
                smp.blob = sample_blob(nc, validity, views, i, &smp.blob_len);
                if (!smp.blob) { duckdb_aggregate_function_set_error(info, "govstd_count: out of memory"); return; }
                keep_sample(st, k, smp);
            }
        }
    }
    if (!nk) return;
    pthread_mutex_lock(&keys->lock);
    for (int32_t k = 0; k < nk && !keys->error; k++) {
        int code = written[k] ? gk_fpc_add(keys->counters[k], out[2 * k], out[2 * k + 1], written[k]) : 0;
        if (code) { keys->error = code; keys->failed = k; }
    }
    int32_t error = keys->error;
    pthread_mutex_unlock(&keys->lock);
    if (error) duckdb_aggregate_function_set_error(info, "govstd_count: the uniqueness keys could not be counted");
}

/* Counts add up; a freshness check's newest value (counters[base + 1], gk_set_fresh) is the larger. */
static void inscan_combine(duckdb_function_info info, duckdb_aggregate_state *source,
                           duckdb_aggregate_state *target, idx_t count) {
    (void)info;
    for (idx_t i = 0; i < count; i++) {
        inscan_state *a = (inscan_state *)source[i], *b = (inscan_state *)target[i];
        if (!a->ctx) continue;
        if (!b->ctx) { *b = *a; memset(a, 0, sizeof *a); continue; }  /* moved: destroy frees it once */
        for (int32_t k = 0; a->sample_n > 0 && k < a->p->nchecks; k++) {  /* each sample moves to b or is freed */
            for (int32_t j = 0; j < a->nsamples[k]; j++) keep_sample(b, k, a->samples[(int64_t)k * a->sample_n + j]);
            a->nsamples[k] = 0;
        }
        int32_t nc = a->p->ncounters;
        uint8_t *newest = calloc((size_t)nc, 1);
        for (int32_t k = 0; newest && k < a->p->nfresh; k++) newest[a->p->fresh[2 * k + 1] + 1] = 1;
        for (int32_t k = 0; k < nc; k++) {
            if (newest && newest[k]) { if (a->counters[k] > b->counters[k]) b->counters[k] = a->counters[k]; }
            else b->counters[k] += a->counters[k];
        }
        free(newest);
    }
}

static void inscan_finalize(duckdb_function_info info, duckdb_aggregate_state *source, duckdb_vector result,
                            idx_t count, idx_t offset) {
    (void)info;
    for (idx_t i = 0; i < count; i++) {
        inscan_state *a = (inscan_state *)source[i];
        if (!a->ctx) { duckdb_vector_assign_string_element_len(result, offset + i, "", 0); continue; }  /* no rows */
        /* The counters; with samples, per check their count, then per sample its row, line (INT64_MIN: none),
         * blob length and blob, padded to 8 bytes. */
        int64_t size = (int64_t)a->p->ncounters;
        for (int32_t k = 0; a->sample_n > 0 && k < a->p->nchecks; k++) {
            size += 1;
            for (int32_t j = 0; j < a->nsamples[k]; j++)
                size += 3 + (a->samples[(int64_t)k * a->sample_n + j].blob_len + 7) / 8;
        }
        int64_t *out = calloc((size_t)size, sizeof(int64_t)), *at = out;
        if (!out) { duckdb_aggregate_function_set_error(info, "govstd_count: out of memory"); return; }
        memcpy(at, a->counters, sizeof(int64_t) * (size_t)a->p->ncounters);
        at += a->p->ncounters;
        for (int32_t k = 0; a->sample_n > 0 && k < a->p->nchecks; k++) {
            *at++ = a->nsamples[k];
            for (int32_t j = 0; j < a->nsamples[k]; j++) {
                const inscan_sample *smp = &a->samples[(int64_t)k * a->sample_n + j];
                *at++ = smp->row; *at++ = smp->line_null ? INT64_MIN : smp->line; *at++ = smp->blob_len;
                memcpy(at, smp->blob, (size_t)smp->blob_len);
                at += (smp->blob_len + 7) / 8;
            }
        }
        duckdb_vector_assign_string_element_len(result, offset + i, (const char *)out, sizeof(int64_t) * (idx_t)size);
        free(out);
    }
}

static void inscan_destroy(duckdb_aggregate_state *states, idx_t count) {
    for (idx_t i = 0; i < count; i++) {
        inscan_state *a = (inscan_state *)states[i];
        if (a->samples) free_samples(a);
        if (a->ctx) gk_ctx_free(a->p, a->ctx);
        free(a->counters); free(a->fp);
        memset(a, 0, sizeof *a);
    }
}

DUCKDB_EXTENSION_ENTRYPOINT(duckdb_connection con, duckdb_extension_info info, struct duckdb_extension_access *access) {
    (void)info; (void)access;
    duckdb_aggregate_function_set set = duckdb_create_aggregate_function_set("govstd_count");
    duckdb_logical_type text = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
    duckdb_logical_type handle = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
    duckdb_logical_type blob = duckdb_create_logical_type(DUCKDB_TYPE_BLOB);
    int ok = 1;
    for (int ncols = 1; ncols <= INSCAN_MAX_COLUMNS && ok; ncols++) {
        duckdb_aggregate_function f = duckdb_create_aggregate_function();
        duckdb_aggregate_function_set_name(f, "govstd_count");
        for (int c = 0; c < INSCAN_FIXED; c++) duckdb_aggregate_function_add_parameter(f, handle);
        for (int c = 0; c < ncols; c++) duckdb_aggregate_function_add_parameter(f, text);
        duckdb_aggregate_function_set_return_type(f, blob);
        duckdb_aggregate_function_set_functions(f, inscan_size, inscan_init, inscan_update, inscan_combine,
                                                inscan_finalize);
        duckdb_aggregate_function_set_destructor(f, inscan_destroy);
        duckdb_aggregate_function_set_special_handling(f);  /* a row with NULLs is a row: never skipped */
        ok = duckdb_add_aggregate_function_to_set(set, f) == DuckDBSuccess;
        duckdb_destroy_aggregate_function(&f);
    }
    duckdb_destroy_logical_type(&text); duckdb_destroy_logical_type(&handle); duckdb_destroy_logical_type(&blob);
    ok = ok && duckdb_register_aggregate_function_set(con, set) == DuckDBSuccess;
    duckdb_destroy_aggregate_function_set(&set);
    return ok;
}
