"""XLSX: one sheet streamed into Parquet, under title rows and above notes, as offices make it."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from govstd.errors import InputError
from govstd.validators.columns import fold_header
from govstd.validators.readers import limits
from govstd.validators.readers.common import (
    DATA_VIEW,
    EXCEL_DIGITS,
    HEADER_SEARCH_ROWS,
    LINE_COLUMN,
    NUMBERED_VIEW,
    ROW_COLUMN,
    LoadedSource,
    _create_views,
    find_header,
    lit,
    q,
    unique_names,
)

#: First cells of rows below a spreadsheet's data that are not data (notes, totals, sign-offs).
TOTAL_PREFIXES = ("合计", "总计", "小计")
NOTE_PREFIXES = ("注", "备注", "说明", "合计", "总计", "小计", "制表", "填报", "审核", "负责人", "数据来源", "Note")


def _read_xlsx(con: duckdb.DuckDBPyConnection, path: Path, *, workdir: Path, sheet: str | int | None,
               expected: Sequence[str], text_columns: Sequence[str]) -> LoadedSource:
    """Stream a sheet into a Parquet file in ``workdir`` (bounded memory): the header is the row naming
    the schema's columns under any title rows; the data end at the first empty row; note and total
    rows right below the data (注：…, 合计) are left out."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    spath = str(path)
    # A damaged workbook fails inside zipfile, zlib, the XML parser or openpyxl with a dozen unrelated
    # exception types: at this boundary every one of them means "cannot read this file".
    damaged = (Exception,)
    _check_archive(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except InvalidFileException as exc:
        raise InputError(f"not a readable XLSX workbook ({exc})", path=spath, expected="an .xlsx workbook") from None
    except damaged as exc:
        raise InputError(f"not a readable XLSX workbook (truncated or damaged: {type(exc).__name__})",
                         path=spath, expected="an .xlsx workbook saved by Excel, WPS or LibreOffice") from None
    loaded = LoadedSource(data=q(DATA_VIEW), numbered=q(NUMBERED_VIEW), row_column=ROW_COLUMN, columns=[],
                          format="xlsx", source=spath, path=path, size=path.stat().st_size,
                          line_column=LINE_COLUMN, numbered_in_parallel=True)
    target = workdir / "sheet.parquet"
    try:
        ws = _pick_sheet(wb, sheet, spath)
        if isinstance(getattr(ws, "_shared_strings", None), list):
            ws._shared_strings = _SharedStrings(ws._shared_strings)
        try:
            rows = _bounded_rows(ws, spath)
            head = [list(r) for r in itertools.islice(rows, HEADER_SEARCH_ROWS)]
            if not any(any(not _blank(c) for c in r) for r in head):
                raise InputError(f"sheet {ws.title!r} is empty", path=spath, expected="a header row and data rows")
            header_index = find_header([[None if _blank(c) else _cell_text(c) for c in r] for r in head], expected)
            header_cells = head[header_index]
            width = max((i + 1 for i, c in enumerate(header_cells) if not _blank(c)), default=0)
            names = unique_names([_cell_text(c).strip() if not _blank(c) else "" for c in header_cells[:width]],
                                 source=spath)
            sink = _SheetSink(target, names, {fold_header(c) for c in text_columns})
            held: list[tuple[int, Sequence[Any]]] = []  # note-like rows: data only if more data follows them
            ended, below = False, 0
            # ``_bounded_rows`` yields every sheet row (gaps as empty rows), so counting gives Excel's number.
            for number, row in enumerate(itertools.chain(head[header_index + 1 :], rows), start=header_index + 2):
                if ended:
                    below += any(not _blank(c) for c in row)
                elif all(_blank(c) for c in row):
                    ended, below = True, below + len(held)
                    held = []
                elif _is_note_row(row):
                    held.append((number, row))
                else:
                    for kept_number, kept in held:
                        sink.add(kept, kept_number)
                    held = []
                    sink.add(row, number)
            below += len(held)
            sink.close()
        except InputError:
            raise
        except damaged as exc:
            raise InputError(f"cannot read sheet {ws.title!r} (damaged workbook: {type(exc).__name__})",
                             path=spath, expected="an .xlsx workbook") from None
    finally:
        wb.close()
    if below:
        loaded.warnings.append(f"sheet {ws.title!r}: {below} row(s) below the data were ignored (notes, totals)")
    if header_index:
        loaded.warnings.append(f"sheet {ws.title!r}: header found on row {header_index + 1}; rows above were titles")
    loaded.numeric_cells.update(sink.numeric)
    for name, count in sink.lost.items():
        # Only numbers past Excel's 15 significant digits lost any: an 11-digit mobile number stored as a
        # number reads back whole, and warning about it would teach people to ignore the warning.
        loaded.warnings.append(
            f"column {name!r}: {count} cell(s) stored as numbers of more than 15 digits in the spreadsheet; "
            "digits beyond the 15th are lost — re-export the column as text"
        )
    if sink.extra:
        loaded.warnings.append(f"sheet {ws.title!r}: {sink.extra} row(s) have values right of the last header column")
    select = ", ".join(f"{q(f'c{i}')} AS {q(n)}" for i, n in enumerate(names))
    scan = f"read_parquet({lit(str(target))})"
    _create_views(con, f"SELECT {select} FROM {scan}",
                  numbered=f"SELECT {q(ROW_COLUMN)}, {q(LINE_COLUMN)}, {select} FROM {scan}", source=spath)
    loaded.columns = names
    return loaded


def _check_archive(path: Path) -> None:
    """Refuse a ZIP bomb before parsing: the members' declared sizes, in total and against their
    compressed sizes, must be within the limits (a damaged archive is left to openpyxl to report)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return
    spath = str(path)
    total = 0
    for info in members:
        total += info.file_size
        if info.file_size > limits.RATIO_MIN_BYTES and info.file_size > limits.XLSX_RATIO.value() * max(
                info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise limits.XLSX_RATIO.exceeded(
                f"workbook member {info.filename!r} inflates {ratio:,}× ({info.file_size:,} bytes)", path=spath)
    if total > limits.XLSX_UNCOMPRESSED_BYTES.value():
        raise limits.XLSX_UNCOMPRESSED_BYTES.exceeded(f"the workbook inflates to {total:,} bytes", path=spath)
    _check_row_numbers(path, [m for m in members if _SHEET_MEMBER.fullmatch(m.filename)])


#: Worksheet parts of a workbook, and the row number each ``<row r="…">`` element carries.
_SHEET_MEMBER = re.compile(r"xl/worksheets/[^/]+\.xml")
_ROW_NUMBER = re.compile(rb"<(?:[A-Za-z]+:)?row\b[^>]*?\br=\"([0-9]+)\"")


def _check_row_numbers(path: Path, sheets: list[zipfile.ZipInfo]) -> None:
    """Refuse a sheet whose row numbers go past the row limit before openpyxl pads the gap: a 2 MB file
    with a row numbered 6,000,000 makes the reader yield millions of empty rows one by one. One
    streamed regex pass over the sheet XML (C speed), far cheaper than parsing it."""
    max_rows = limits.XLSX_ROWS.value()
    try:
        with zipfile.ZipFile(path) as archive:
            for info in sheets:
                tail = b""
                with archive.open(info) as stream:
                    while chunk := stream.read(1 << 20):
                        data = tail + chunk
                        for match in _ROW_NUMBER.finditer(data):
                            if int(match.group(1)) > max_rows:
                                raise limits.XLSX_ROWS.exceeded(
                                    f"sheet part {info.filename!r} has a row numbered {int(match.group(1)):,}",
                                    path=str(path))
                        tail = data[-64:]
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError, ValueError):
        return  # a damaged archive is left to openpyxl to report, with its own message


def _bounded_rows(ws: Any, path: str) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows as value tuples, within the row, column and cell-size limits.

    The range a sheet declares (``<dimension ref="A1:XFD1048576">``) is not trusted: openpyxl would pad
    every row to its width and every gap to its height, so it is checked and then dropped.
    """
    from openpyxl.utils import get_column_letter  # openpyxl loads only when a workbook is read

    max_rows, max_columns, max_chars = (limits.XLSX_ROWS.value(), limits.XLSX_COLUMNS.value(),
                                        limits.XLSX_CELL_CHARS.value())
    declared_rows, declared_columns = ws.max_row or 0, ws.max_column or 0
    if declared_rows > max_rows:
        raise limits.XLSX_ROWS.exceeded(f"sheet {ws.title!r} declares {declared_rows:,} rows", path=path)
    if declared_columns > max_columns:
        raise limits.XLSX_COLUMNS.exceeded(f"sheet {ws.title!r} declares {declared_columns:,} columns", path=path)
    ws.reset_dimensions()
    for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
        if number > max_rows:
            raise limits.XLSX_ROWS.exceeded(f"sheet {ws.title!r} has more rows", path=path)
        if len(row) > max_columns:
            raise limits.XLSX_COLUMNS.exceeded(f"sheet {ws.title!r} row {number} has {len(row):,} columns",
                                               path=path)
        for j, cell in enumerate(row):
            if isinstance(cell, str) and len(cell) > max_chars:
                raise limits.XLSX_CELL_CHARS.exceeded(
                    f"sheet {ws.title!r} cell {get_column_letter(j + 1)}{number} holds {len(cell):,} characters",
                    path=path)
        yield row


class _SheetSink:
    """Spreadsheet rows → text columns → Parquet, in batches (memory stays flat for 1M-row sheets), each
    with its data-row number and its sheet row number (``LINE_COLUMN``: the row Excel shows)."""

    BATCH = 65_536

    def __init__(self, target: Path, names: Sequence[str], text_columns: set[str]) -> None:
        self.names = list(names)
        self.width = len(names)
        self.text = [fold_header(n) in text_columns for n in names]
        self.columns: list[list[str | None]] = [[] for _ in names]
        self.sheet_rows: list[int] = []
        self.numeric: dict[str, int] = {}
        #: column → numeric cells whose digits beyond the 15th Excel dropped (``EXCEL_DIGITS``)
        self.lost: dict[str, int] = {}
        self.extra = 0
        self.rows = 0
        fields = [pa.field(f"c{i}", pa.string()) for i in range(self.width)]
        self.schema = pa.schema([*fields, pa.field(ROW_COLUMN, pa.int64()), pa.field(LINE_COLUMN, pa.int64())])
        import pyarrow.parquet as pq  # only for a workbook source

        self.writer = pq.ParquetWriter(target, self.schema)

    def add(self, row: Sequence[Any], sheet_row: int) -> None:
        self.sheet_rows.append(sheet_row)
        for j in range(self.width):
            cell = row[j] if j < len(row) else None
            if self.text[j] and isinstance(cell, int | float) and not isinstance(cell, bool):
                self.numeric[self.names[j]] = self.numeric.get(self.names[j], 0) + 1
                if abs(cell) >= 10**EXCEL_DIGITS:
                    self.lost[self.names[j]] = self.lost.get(self.names[j], 0) + 1
            self.columns[j].append(None if _blank(cell) else _cell_text(cell))
        if any(not _blank(c) for c in row[self.width :]):
            self.extra += 1
        if len(self.sheet_rows) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        count = len(self.sheet_rows)
        if not count:
            return
        arrays = [pa.array(c, type=pa.string()) for c in self.columns]
        arrays.append(pa.array(range(self.rows + 1, self.rows + count + 1), type=pa.int64()))
        arrays.append(pa.array(self.sheet_rows, type=pa.int64()))
        self.writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))
        self.rows += count
        self.columns = [[] for _ in self.names]
        self.sheet_rows = []

    def close(self) -> None:
        self.flush()
        self.writer.close()


class _SharedStrings(list[Any]):
    """The workbook's shared-string table, refusing a negative index. openpyxl looks a cell's index up with
    plain list indexing, so a damaged cell's ``<v>-1</v>`` silently read a string from the end of the table:
    another cell's text, under this cell's name. A read-only worksheet keeps the table it reads from in
    ``_shared_strings``."""

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, int) and index < 0:
            raise IndexError("a negative shared-string index")
        return super().__getitem__(index)


def _pick_sheet(wb: Any, sheet: str | int | None, path: str) -> Any:
    """The worksheet asked for (the first by default). Only worksheets count, by name and by number: a
    chart sheet holds no cells, and a workbook may hold none at all (a damaged or hand-made file)."""
    sheets = list(wb.worksheets)
    titles = [ws.title for ws in sheets]
    charts = [cs.title for cs in getattr(wb, "chartsheets", [])]
    if not sheets:
        only = f" (only chart sheets: {', '.join(charts)})" if charts else ""
        raise InputError(f"the workbook has no worksheet{only}", path=path, expected="a workbook with a sheet of data")
    if sheet is None:
        return sheets[0]
    if sheet in charts:
        raise InputError(f"sheet {sheet!r} is a chart sheet, not a table", path=path,
                         expected=f"one of: {', '.join(titles)}")
    if isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in titles):
        index = int(sheet)
        if 0 <= index < len(titles):
            return sheets[index]
        raise InputError(f"no sheet number {index} (the workbook has {len(titles)} worksheet(s))", path=path,
                         expected=f"0..{len(titles) - 1} or a sheet name: {', '.join(titles)}")
    if sheet in titles:
        return sheets[titles.index(sheet)]
    raise InputError(f"no sheet named {sheet!r}", path=path, expected=f"one of: {', '.join(titles)}")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_note_row(row: Sequence[Any]) -> bool:
    """A note (one filled cell: 注：…) or a total row: 合计 / 总计 / 小计 first, then the sums in the numeric
    columns — a real total row fills more than one cell. Either is held back and is data only if more
    data follow it (``_read_xlsx``), so a person called 合计 in the middle of a sheet is still read."""
    filled = [c for c in row if not _blank(c)]
    if not filled:
        return False
    first = "".join(_cell_text(filled[0]).split())
    return first.startswith(TOTAL_PREFIXES) or (len(filled) == 1 and first.startswith(NOTE_PREFIXES))


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV export would hold. Numbers of 15+ digits are shown the way
    Excel shows them (1.10105194912310E+17): their lost digits must stay visible as damage."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if abs(value) < 10**EXCEL_DIGITS else f"{float(value):.15G}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 10**EXCEL_DIGITS:
            return str(int(value))
        return f"{value:.15G}" if abs(value) >= 10**EXCEL_DIGITS else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
