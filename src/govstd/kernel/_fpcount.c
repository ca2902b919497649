/* govstd native kernel: uniqueness groups counted from key fingerprints, within a memory budget.
 *
 * A uniqueness check needs four numbers of its key column (one 128-bit fingerprint per present row, made by
 * csrc/keys.c, "key fingerprints"): rows, distinct keys, keys held by more than one row, rows holding them.
 * Equal fingerprints are equal keys, so these are the counts of the groups of equal fingerprints.
 *
 * Fingerprints arrive in batches (gk_fpc_add) and are radix-partitioned by a mixed 64-bit hash of both words
 * (the exact encodings' bits are far from uniform: short keys put their bytes straight into the words) into
 * NPART partitions, buffered in memory in chunks. When the chunks would pass half the budget, every partition's
 * chunks are appended to one spill file as one extent per partition (one file: no descriptor per partition),
 * and the chunks are freed. At the end (gk_fpc_result) each partition in turn — its spilled extents, read back
 * through a buffer of a sixteenth of the budget, then its chunks — is counted in an open-addressing table of its
 * distinct fingerprints, within what the budget leaves (at least seven sixteenths). A partition whose distinct
 * keys would not fit is partitioned again by the next eight bits of the hash (a new counter one level down, fed
 * that partition's fingerprints, after this one's chunks went to its file); after MAX_LEVEL levels (2^32
 * partitions of the hash: only data crafted against the mixer gets there) the counter gives up with FPC_TOO_BIG
 * (a clear error: raise the memory limit) rather than pass its budget.
 *
 * The spill file is made in the caller's folder (DuckDB's temp_directory, or the system temp folder) by mkstemp
 * and unlinked at once: it is never left behind, whether the counter is freed, fails or the process is killed.
 * Every failure (no memory, a failed create/write/read: the errno kept for the message) is sticky: later calls
 * return the same code, and a result is never given from a partial count.
 *
 * Called through ctypes (the GIL released) by govstd.kernel.fpcount; a counter belongs to one thread at a time.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { FPC_OK = 0, FPC_NOMEM = -1, FPC_IO = -2, FPC_TOO_BIG = -3 };
enum { PART_BITS = 8, NPART = 1 << PART_BITS, MAX_LEVEL = 4 };

typedef struct { uint64_t hi, lo; } fp;
typedef struct { uint64_t hi, lo; int64_t n; } slot;  /* n == 0: an empty slot (any hi, lo is a fingerprint) */

typedef struct chunk { struct chunk *next; int64_t used; fp e[]; } chunk;
typedef struct { int64_t off, n; } extent;  /* n fingerprints at byte offset off of the spill file */

typedef struct {
    chunk *head[NPART], *tail[NPART];
    int64_t held[NPART];              /* fingerprints of each partition in its chunks */
    extent *ext[NPART];               /* each partition's extents in the spill file */
    int32_t next_ext[NPART], cap_ext[NPART];
    int64_t chunk_entries;            /* fingerprints per chunk */
    int64_t read_entries;             /* fingerprints read back from the file at once */
    int64_t budget, bytes;            /* the budget and the bytes held now (chunks, tables, buffers) */
    int level;                        /* which eight bits of the hash choose the partition */
    int fd;                           /* the (unlinked) spill file, or -1 before the first spill */
    int64_t file_end;
    char *dir;
    int err, err_no;                  /* the first failure (sticky) and its errno */
    int64_t spills;                   /* times the chunks went to the file (tests: the spill path ran) */
    int32_t levels;                   /* levels of partitions used: 1, or more where a partition was split */
    int done;                         /* counted (gk_fpc_result): the chunks are gone, ``out`` is the answer */
    int64_t out[4];
} counter;

static uint64_t fmix(uint64_t z) {  /* SplitMix64's finaliser: a bijection with full avalanche */
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL; z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Both words mixed: the partition takes the top bits (eight per level), a table's slot the low bits. */
static uint64_t fp_hash(uint64_t hi, uint64_t lo) { return fmix(hi ^ fmix(lo + 0x9E3779B97F4A7C15ULL)); }

static int part_of(uint64_t h, int level) { return (int)(h >> (64 - PART_BITS * (level + 1))) & (NPART - 1); }

static int fail_with(counter *c, int code, int err_no) {
    if (!c->err) { c->err = code; c->err_no = err_no; }
    return c->err;
}

static int fail(counter *c, int code) { return fail_with(c, code, code == FPC_IO ? errno : 0); }

static counter *counter_new(int64_t budget, const char *dir, int level) {
    counter *c = calloc(1, sizeof(counter));
    if (!c) return NULL;
    c->dir = strdup(dir ? dir : "");
    if (!c->dir) { free(c); return NULL; }
    /* A floor (~280 KB): a few small chunks per partition, the read buffer and a small table must fit. */
    int64_t floor = 4 * NPART * (int64_t)(sizeof(chunk) + 16 * sizeof(fp));
    c->budget = budget > floor ? budget : floor;
    /* One partly filled chunk per partition stays within a sixteenth of the budget (at most 64 KB a chunk). */
    int64_t entries = c->budget / 16 / NPART / (int64_t)sizeof(fp);
    c->chunk_entries = entries < 16 ? 16 : entries > 4096 ? 4096 : entries;
    entries = c->budget / 16 / (int64_t)sizeof(fp);
    c->read_entries = entries > 65536 ? 65536 : entries;  /* a sixteenth of the budget, at most 1 MB */
    c->levels = 1;
    c->level = level;
    c->fd = -1;
    return c;
}

static void free_chunks(counter *c, int p) {
    for (chunk *k = c->head[p], *next; k; k = next) {
        next = k->next;
        c->bytes -= (int64_t)sizeof(chunk) + c->chunk_entries * (int64_t)sizeof(fp);
        free(k);
    }
    c->head[p] = c->tail[p] = NULL;
    c->held[p] = 0;
}

static void counter_free(counter *c) {
    if (!c) return;
    for (int p = 0; p < NPART; p++) { free_chunks(c, p); free(c->ext[p]); }
    if (c->fd >= 0) close(c->fd);
    free(c->dir);
    free(c);
}

static int write_all(int fd, const void *buf, size_t len, int64_t off) {
    const char *s = buf;
    while (len) {
        ssize_t w = pwrite(fd, s, len, (off_t)off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) { if (w == 0) errno = ENOSPC; return -1; }
        s += w; len -= (size_t)w; off += w;
    }
    return 0;
}

static int read_all(int fd, void *buf, size_t len, int64_t off) {
    char *s = buf;
    while (len) {
        ssize_t r = pread(fd, s, len, (off_t)off);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) { if (r == 0) errno = EIO; return -1; }  /* a short spill file: never count from it */
        s += r; len -= (size_t)r; off += r;
    }
    return 0;
}

static int open_spill(counter *c) {
    const char *dir = c->dir[0] ? c->dir : ".";
    size_t n = strlen(dir) + 32;
    char *path = malloc(n);
    if (!path) return fail(c, FPC_NOMEM);
    snprintf(path, n, "%s/govstd-keys-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0) { free(path); return fail(c, FPC_IO); }
    unlink(path);  /* the open descriptor keeps the file; nothing stays behind in the folder */
    free(path);
    c->fd = fd;
    return FPC_OK;
}

/* Every partition's chunks appended to the spill file (one extent each) and freed. */
static int spill(counter *c) {
    if (c->fd < 0 && open_spill(c) != FPC_OK) return c->err;
    for (int p = 0; p < NPART; p++) {
        if (!c->held[p]) continue;
        if (c->next_ext[p] == c->cap_ext[p]) {
            int32_t cap = c->cap_ext[p] ? 2 * c->cap_ext[p] : 8;
            extent *e = realloc(c->ext[p], (size_t)cap * sizeof(extent));
            if (!e) return fail(c, FPC_NOMEM);
            c->ext[p] = e; c->cap_ext[p] = cap;
        }
        c->ext[p][c->next_ext[p]++] = (extent){c->file_end, c->held[p]};
        for (chunk *k = c->head[p]; k; k = k->next) {
            size_t len = (size_t)k->used * sizeof(fp);
            if (write_all(c->fd, k->e, len, c->file_end) != 0) return fail(c, FPC_IO);
            c->file_end += (int64_t)len;
        }
        free_chunks(c, p);
    }
    c->spills++;
    return FPC_OK;
}

static int add_slow(counter *c, uint64_t hi, uint64_t lo, int p) {
    int64_t size = (int64_t)sizeof(chunk) + c->chunk_entries * (int64_t)sizeof(fp);
    if (c->bytes + size > c->budget / 2 && spill(c) != FPC_OK) return c->err;
    chunk *t = malloc((size_t)size);
    if (!t) return fail(c, FPC_NOMEM);
    t->next = NULL; t->used = 0;
    if (c->tail[p]) c->tail[p]->next = t; else c->head[p] = t;
    c->tail[p] = t;
    c->bytes += size;
    t->e[t->used++] = (fp){hi, lo};
    c->held[p]++;
    return FPC_OK;
}

/* One fingerprint into its partition's last chunk (a new chunk, or a spill first, when that one is full). */
static inline int add_fp(counter *c, uint64_t hi, uint64_t lo) {
    int p = part_of(fp_hash(hi, lo), c->level);
    chunk *t = c->tail[p];
    if (t && t->used < c->chunk_entries) {
        t->e[t->used++] = (fp){hi, lo};
        c->held[p]++;
        return FPC_OK;
    }
    return add_slow(c, hi, lo, p);
}

static int counter_add(counter *c, const uint64_t *hi, const uint64_t *lo, int64_t n) {
    if (c->err) return c->err;
    if (c->done) return fail(c, FPC_TOO_BIG);  /* a caller's bug: never a count missing rows */
    for (int64_t i = 0; i < n; i++)
        if (add_fp(c, hi[i], lo[i]) != FPC_OK) return c->err;
    return FPC_OK;
}

/* ---- counting one partition */

typedef struct { slot *s; uint64_t mask; int64_t used; int64_t bytes; } table;

static int table_init(counter *c, table *t, int64_t want) {
    uint64_t size = 256;
    while ((int64_t)size * 3 < want * 4 && (int64_t)(2 * size * sizeof(slot)) + c->bytes <= c->budget) size *= 2;
    if ((int64_t)(size * sizeof(slot)) + c->bytes > c->budget) return FPC_TOO_BIG;
    t->s = calloc(size, sizeof(slot));
    if (!t->s) return fail(c, FPC_NOMEM);
    t->mask = size - 1; t->used = 0; t->bytes = (int64_t)(size * sizeof(slot));
    c->bytes += t->bytes;
    return FPC_OK;
}

static void table_free(counter *c, table *t) {
    free(t->s); t->s = NULL;
    c->bytes -= t->bytes; t->bytes = 0;
}

static int table_grow(counter *c, table *t) {
    uint64_t size = 2 * (t->mask + 1);
    int64_t bytes = (int64_t)(size * sizeof(slot));
    if (bytes + c->bytes > c->budget) return FPC_TOO_BIG;  /* the old and the new table are both held */
    slot *s = calloc(size, sizeof(slot));
    if (!s) return fail(c, FPC_NOMEM);
    uint64_t mask = size - 1;
    for (uint64_t i = 0; i <= t->mask; i++) {
        slot e = t->s[i];
        if (!e.n) continue;
        uint64_t j = fp_hash(e.hi, e.lo) & mask;
        while (s[j].n) j = (j + 1) & mask;
        s[j] = e;
    }
    table_free(c, t);
    t->s = s; t->mask = mask; t->bytes = bytes;
    c->bytes += bytes;
    return FPC_OK;
}

/* Count ``n`` fingerprints into the table; FPC_TOO_BIG when it would outgrow the budget. */
static int table_add(counter *c, table *t, const fp *e, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        uint64_t j = fp_hash(e[i].hi, e[i].lo) & t->mask;
        slot *s = t->s;
        while (s[j].n && (s[j].hi != e[i].hi || s[j].lo != e[i].lo)) j = (j + 1) & t->mask;
        if (s[j].n) { s[j].n++; continue; }
        s[j] = (slot){e[i].hi, e[i].lo, 1};
        if (++t->used * 4 > (int64_t)(t->mask + 1) * 3) {  /* at most 3/4 full: probes stay short */
            int r = table_grow(c, t);
            if (r != FPC_OK) return r;
        }
    }
    return FPC_OK;
}

/* Feed partition ``p`` (its extents, then its chunks) to ``sink``: a table, or a counter one level down. */
typedef int (*feed_fn)(counter *c, void *sink, const fp *e, int64_t n);

static int feed_partition(counter *c, int p, fp *buf, feed_fn feed, void *sink) {
    for (int32_t x = 0; x < c->next_ext[p]; x++) {
        extent ex = c->ext[p][x];
        for (int64_t done = 0; done < ex.n;) {
            int64_t n = ex.n - done < c->read_entries ? ex.n - done : c->read_entries;
            if (read_all(c->fd, buf, (size_t)n * sizeof(fp), ex.off + done * (int64_t)sizeof(fp)) != 0)
                return fail(c, FPC_IO);
            int r = feed(c, sink, buf, n);
            if (r != FPC_OK) return r;
            done += n;
        }
    }
    for (chunk *k = c->head[p]; k; k = k->next) {
        int r = feed(c, sink, k->e, k->used);
        if (r != FPC_OK) return r;
    }
    return FPC_OK;
}

static int feed_table(counter *c, void *sink, const fp *e, int64_t n) { return table_add(c, sink, e, n); }

static int feed_counter(counter *c, void *sink, const fp *e, int64_t n) {
    counter *down = sink;
    for (int64_t i = 0; i < n; i++)
        if (add_fp(down, e[i].hi, e[i].lo) != FPC_OK) return fail_with(c, down->err, down->err_no);
    return FPC_OK;
}

static int counter_result(counter *c, uint64_t null_hi, int single, int64_t *out);

/* Partition ``p`` counted again one level down: its fingerprints split by the next bits of the hash. */
static int repartition(counter *c, int p, fp *buf, uint64_t null_hi, int single) {
    if (c->level + 1 >= MAX_LEVEL) return fail(c, FPC_TOO_BIG);
    /* Everything this counter holds goes to its file first: the level below gets the whole budget. */
    if (spill(c) != FPC_OK) return c->err;
    counter *down = counter_new(c->budget - c->bytes, c->dir, c->level + 1);
    if (!down) return fail(c, FPC_NOMEM);
    int r = feed_partition(c, p, buf, feed_counter, down);
    int64_t got[4] = {0, 0, 0, 0};
    if (r == FPC_OK && counter_result(down, null_hi, single, got) != FPC_OK) r = fail_with(c, down->err, down->err_no);
    c->spills += down->spills;
    if (down->levels + 1 > c->levels) c->levels = down->levels + 1;
    counter_free(down);
    for (int i = 0; i < 4; i++) c->out[i] += got[i];
    return r;
}

static int counter_result(counter *c, uint64_t null_hi, int single, int64_t *out) {
    if (c->err) return c->err;
    if (c->done) { memcpy(out, c->out, sizeof(c->out)); return FPC_OK; }
    memset(c->out, 0, sizeof(c->out));
    fp *buf = malloc((size_t)c->read_entries * sizeof(fp));
    if (!buf) return fail(c, FPC_NOMEM);
    c->bytes += c->read_entries * (int64_t)sizeof(fp);
    for (int p = 0; p < NPART && !c->err; p++) {
        int64_t want = c->held[p];
        for (int32_t x = 0; x < c->next_ext[p]; x++) want += c->ext[p][x].n;
        if (!want) continue;
        table t = {0};
        int r = table_init(c, &t, want);
        if (r == FPC_OK) r = feed_partition(c, p, buf, feed_table, &t);
        if (r == FPC_OK) {
            for (uint64_t i = 0; i <= t.mask; i++) {
                slot s = t.s[i];
                if (!s.n) continue;
                c->out[0] += s.n;
                c->out[1] += !(single && s.hi == null_hi && s.lo == 0);  /* a single key's NULL: no key */
                if (s.n > 1) { c->out[2]++; c->out[3] += s.n; }
            }
        }
        if (t.s) table_free(c, &t);
        if (r == FPC_TOO_BIG && !c->err) r = repartition(c, p, buf, null_hi, single);
        if (r != FPC_OK) fail(c, r);
        free_chunks(c, p);
    }
    free(buf);
    c->bytes -= c->read_entries * (int64_t)sizeof(fp);
    if (c->err) return c->err;
    c->done = 1;
    memcpy(out, c->out, sizeof(c->out));
    return FPC_OK;
}

/* ---- the C API (ctypes) */

/* A counter of at most ``budget_bytes`` (a floor of ~280 KB applies) spilling into folder ``spill_dir`` (NULL or
 * "": the working folder); NULL when there is no memory. */
void *gk_fpc_new(int64_t budget_bytes, const char *spill_dir) { return counter_new(budget_bytes, spill_dir, 0); }

/* Add ``n`` fingerprints (``hi``, ``lo``: one key's, as _kernel.c writes them). 0, or a failure code (sticky). */
int gk_fpc_add(void *vc, const uint64_t *hi, const uint64_t *lo, int64_t n) { return counter_add(vc, hi, lo, n); }

/* After every add (an add after it fails): ``out`` = rows, distinct keys (with ``single``, the NULL group
 * ``null_hi``:0 is not one), keys held by more than one row, rows holding them. 0, or a failure code (``out`` then
 * untouched). */
int gk_fpc_result(void *vc, uint64_t null_hi, int32_t single, int64_t *out) {
    return counter_result(vc, null_hi, single != 0, out);
}

/* The errno of a failed create, write or read of the spill file (0 for other failures). */
int gk_fpc_errno(void *vc) { return ((counter *)vc)->err_no; }

/* How many times the counter (or a level below) spilled its chunks to the file: 0 when all stayed in memory. */
int64_t gk_fpc_spills(void *vc) { return ((counter *)vc)->spills; }

/* Levels of partitions the count used: 1, or more where a partition's distinct keys were split further. */
int32_t gk_fpc_levels(void *vc) { return ((counter *)vc)->levels; }

/* Frees the counter; its spill file (already unlinked) goes with its descriptor. */
void gk_fpc_free(void *vc) { counter_free(vc); }
