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
 * Evaluation is a column at a time over chunks of CH rows (csrc/interpreter.c), not a tree walk per row.
 *
 * Built with DuckDB's C extension API headers (-DGK_INSCAN, setup.py), the library is also a DuckDB extension
 * running the same interpreter inside DuckDB's scan (csrc/inscan.c).
 *
 * The parts in csrc/ are included here in order: one translation unit, so gcc inlines across them as it did
 * when they were one file (the same machine code), and setuptools compiles this file alone.
 */
#include "csrc/kernel.h"
#include "csrc/text.c"
#include "csrc/functions.c"
#include "csrc/moments.c"
#include "csrc/interpreter.c"
#include "csrc/valuecache.c"
#include "csrc/api.c"
#include "csrc/keys.c"
#include "csrc/run.c"
#if defined(GK_INSCAN)
#include "csrc/inscan.c"
#endif
