"""Other departments' datasets (``ir.OtherDataset``, from ``consistent_with`` rules) staged as reference tables.

Each is read by the readers (CSV in any encoding, XLSX, Parquet, JSON Lines, a database table or query),
its columns matched to its own catalogue schema, and projected in DuckDB — key and compared values
normalised by the same IR expressions as this dataset's side — into a Parquet file. The file becomes the
``files`` of a ``ReferenceTable``, which every engine already loads itself (DuckDB reads it, PostgreSQL
copies it in, Spark reads it as a DataFrame), so the checks' lookups are joins inside the engine and the
other dataset's rows never pass through Python objects. The staged columns are ``ir.other_columns``:

- ``key``: the normalised key (rows with a blank key, or one holding ``ir.PAIR_SEPARATOR``, are dropped);
- ``has_<i>``: the key, where value ``i`` is present; ``pair_<i>``: key + separator + value ``i``;
- ``ambiguous``: the key, where rows with that key hold more than one distinct value of some attribute;
- ``value_<i>``: value ``i`` as the other dataset writes it (trimmed), which samples look up by key.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from govstd.errors import InputError
from govstd.validators import ir
from govstd.validators.columns import match_columns
from govstd.validators.compiler.duckdb import DuckDBDialect
from govstd.validators.readers import DATA_VIEW, open_source


def stage(suite: ir.CheckSuite, workdir: Path) -> ir.CheckSuite:
    """``suite`` with a reference table per other dataset (none: ``suite`` itself), and the warnings of
    reading each (an encoding guessed, a column unmatched) among its warnings, naming that dataset."""
    if not suite.datasets:
        return suite
    tables = list(suite.tables)
    warnings = list(suite.warnings)
    for dataset in suite.datasets:
        table, notes = stage_one(dataset, workdir)
        tables.append(table)
        warnings += [f"{dataset.catalogue.ref} ({dataset.source}): {note}" for note in notes]
    return suite.model_copy(update={"tables": tables, "warnings": warnings})


def stage_one(dataset: ir.OtherDataset, workdir: Path) -> tuple[ir.ReferenceTable, list[str]]:
    """The Parquet file of one other dataset's staged columns, as a reference table, and the readers'
    and column matching's warnings about it."""
    d = DuckDBDialect()
    q = d.quote_identifier
    here = workdir / dataset.name
    here.mkdir(parents=True, exist_ok=True)
    out = here / "staged.parquet"
    catalogue = dataset.catalogue
    expected = [n for f in catalogue.fields for n in (f.name, f.name_zh) if n]
    with duckdb.connect() as con:
        loaded = open_source(con, dataset.source, workdir=here, expected_columns=expected,
                             text_columns=dataset.text_columns, encoding=dataset.encoding, sheet=dataset.sheet,
                             table=dataset.table, query=dataset.query)
        mapping, unmatched = match_columns(catalogue, loaded.columns, source=loaded.source)
        notes = [*loaded.warnings, *unmatched]
        needed = sorted({node.name for e in (dataset.key, *dataset.values, *dataset.shown) for node in _columns(e)})
        missing = [n for n in needed if n not in mapping]
        if missing:
            raise InputError(f"the other dataset has no column {', '.join(missing)}", path=loaded.source,
                             expected=f"the columns of its schema {catalogue.ref}")
        named = d.subquery_alias(
            f"SELECT {', '.join(f'{q(mapping[n])} AS {q(n)}' for n in needed)} FROM {q(DATA_VIEW)}", "__named")
        values = {f"__v{i}": v for i, v in enumerate(dataset.values)}
        shown = {f"__w{i}": v for i, v in enumerate(dataset.shown)}
        projected = d.subquery_alias(d.project({"__key": dataset.key, **values, **shown}, named), "__p")
        sep = d.string_literal(ir.PAIR_SEPARATOR)
        rows = f"SELECT * FROM {projected} WHERE {q('__key')} IS NOT NULL AND STRPOS({q('__key')}, {sep}) = 0"
        distinct = " OR ".join(f"COUNT(DISTINCT {q(v)}) > 1" for v in values)
        ambiguous = f"SELECT {q('__key')} FROM __rows GROUP BY {q('__key')} HAVING {distinct}"
        cols = [f"{q('__key')} AS {q(ir.other_key())}"]
        cols += [f"CASE WHEN {q(v)} IS NOT NULL THEN {q('__key')} END AS {q(ir.other_key(i))}"
                 for i, v in enumerate(values)]
        cols += [f"CASE WHEN {q(v)} IS NOT NULL THEN {q('__key')} || {sep} || {q(v)} END AS {q(ir.other_pair(i))}"
                 for i, v in enumerate(values)]
        cols.append(f"CASE WHEN {q('__key')} IN ({ambiguous}) THEN {q('__key')} END AS {q(ir.OTHER_AMBIGUOUS)}")
        # As written there, for samples; NULL where the dataset gives no expression for a value.
        cols += [f"{q(f'__w{i}') if f'__w{i}' in shown else 'CAST(NULL AS VARCHAR)'} AS {q(ir.other_value(i))}"
                 for i in range(len(values))]
        sql = f"WITH __rows AS ({rows}) SELECT {', '.join(cols)} FROM __rows"
        try:
            con.execute(f"COPY ({sql}) TO {d.string_literal(str(out))} (FORMAT parquet)")
        except duckdb.Error as exc:
            raise InputError(f"cannot read the other dataset: {str(exc).splitlines()[0]}", path=loaded.source,
                             expected=f"rows of its schema {catalogue.ref}") from None
    columns = ir.other_columns(len(values))
    return ir.ReferenceTable(name=dataset.name, columns=columns, types=["text"] * len(columns), rows=[],
                             files=[str(out)]), notes


def _columns(node: ir.Expr) -> list[ir.Col]:
    found = [node] if isinstance(node, ir.Col) else []
    return [*found, *(c for child in ir.children(node) for c in _columns(child))]
