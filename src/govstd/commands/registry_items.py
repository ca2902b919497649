"""``govstd registry import-items / find-item / item-releases / item-diff / import-crosswalk / compare-items /
national-item``: the service-item catalogue.

Thin like ``commands/registry.py``, whose group these join: the CLI loads the group from here, so
that ``registry.py`` need not import this module back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from govstd.commands._output import console, emit_json
from govstd.commands.registry import _actor, _common, _open, _render_items, registry


@registry.command("import-items")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-m", "--message", help="Why this release (recorded in the audit log).")
@click.option("--fix-list", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the refused rows [default: FILE's name + .fixlist.csv].")
@click.option("--restart", is_flag=True, help="Drop a half-imported release of another file and import this one.")
@click.option("--chunk-rows", type=click.IntRange(min=1), default=20_000, show_default=True,
              help="Records per committed chunk (a kill loses at most one chunk).")
@_actor
@_common
def import_items(file: Path, message: str | None, fix_list: Path | None, restart: bool, chunk_rows: int,
                 actor: str | None, as_json: bool) -> None:
    """Import a whole service-item catalogue export (CSV, XLSX, Parquet, JSONL) as the next release.

    Headers in Chinese or English (实施编码 / implementation code, 基本编码, 事项名称, 事项类型, 部门, 事项版本,
    实施主体, 实施主体编码, 行使层级, 行政区划). Refused rows go to a fix list; after a kill, re-run the
    same command to continue where the committed chunks end."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from govstd.registry.items.sources import count_records

    with _open() as reg:
        if as_json:
            report = reg.import_items(file, actor=actor, message=message, chunk_rows=chunk_rows, restart=restart,
                                      fix_list=fix_list)
        else:
            with Progress(TextColumn("importing {task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=console(stderr=True), transient=True) as bar:
                task = bar.add_task(file.name, total=count_records(file))
                report = reg.import_items(file, actor=actor, message=message, chunk_rows=chunk_rows,
                                          restart=restart, fix_list=fix_list,
                                          progress=lambda done: bar.update(task, completed=done))
    if as_json:
        emit_json(report.model_dump())
        return
    resumed = f" (resumed after {report.resumed_from})" if report.resumed_from else ""
    click.echo(f"catalogue release {report.release}: {report.rows_read} records read{resumed}, {report.staged}"
               f" imported — {report.added} added, {report.changed} changed, {report.retired} retired,"
               f" {report.unchanged} unchanged; {report.rejected} refused")
    if report.fix_list:
        click.echo(f"fix list: {report.fix_list}")


@registry.command("find-item")
@click.argument("code", required=False)
@click.option("--name", help="A part of the item name (事项名称).")
@click.option("--department", help="The department (部门), exactly.")
@click.option("--region", help="A GB/T 2260 code; 510000 means the whole province.")
@click.option("--retired", is_flag=True, help="Include retired entries.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0)
@_common
def find_item(code: str | None, name: str | None, department: str | None, region: str | None, retired: bool,
              limit: int, offset: int, as_json: bool) -> None:
    """Catalogue items by basic or implementation CODE, --name, --department and/or --region."""
    with _open() as reg:
        found = reg.find_items(code, name=name, department=department, region=region, include_retired=retired,
                               limit=limit, offset=offset)
    if as_json:
        emit_json([i.model_dump() for i in found])
        return
    _render_items(found)


@registry.command("item-releases")
@_common
def item_releases(as_json: bool) -> None:
    """The catalogue's releases with their counts."""
    with _open() as reg:
        releases = reg.catalogue_releases()
    if as_json:
        emit_json([r.model_dump() for r in releases])
        return
    for r in releases:
        click.echo(f"{r.number}\t{r.state}\t{r.source}\t+{r.added or 0} ~{r.changed or 0} -{r.retired or 0}"
                   f" ={r.unchanged or 0}\trefused {r.rejected}\t{r.actor}\t{r.message or ''}")


@registry.command("item-diff")
@click.argument("release", type=int)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many codes per kind.")
@_common
def item_diff(release: int, limit: int | None, as_json: bool) -> None:
    """What catalogue RELEASE changed: implementation codes added, changed and retired."""
    with _open() as reg:
        diff = reg.catalogue_diff(release, limit=limit)
    if as_json:
        emit_json({**diff, "release": diff["release"].model_dump()})
        return
    for kind in ("added", "changed", "retired"):
        for code in diff[kind]:
            click.echo(f"{ {'added': '+', 'changed': '~', 'retired': '-'}[kind]} {code}")


# --------------------------------------------------------------------------- crosswalk (事项对照)

#: The command's own words, Chinese first (``--lang en``: English alone), as ``govstd.i18n`` does.
_WORDS: dict[str, tuple[str, str]] = {
    "only_in_a": ("仅 {a} 有", "only in {a}"),
    "only_in_b": ("仅 {b} 有", "only in {b}"),
    "coded_differently": ("编码不一", "coded differently"),
    "names_differ": ("名称不一", "names differ"),
    "headline": ("{a} 对照 {b}：目录版本 {release}，对照表 {crosswalk}",
                 "{a} against {b}: catalogue release {release}, crosswalk {crosswalk}"),
    "none": ("无", "none"),
    "more": ("… 另有 {n} 项（--offset {offset}）", "… {n} more (--offset {offset})"),
    "imported": ("对照表 {number}（目录版本 {release}）：{codes} 条对照，{unmatched} 条本地编码在目录中无对应",
                 "crosswalk {number} (catalogue release {release}): {codes} mappings, {unmatched} local codes"
                 " match no catalogue item"),
}


def _say(key: str, **values: object) -> str:
    from govstd import i18n
    from govstd.registry.items.compare import FINDINGS  # imported when used: the CLI starts light

    zh, en = _WORDS[key]
    if i18n.current() == "en":
        return en.format(**values)
    return f"{zh.format(**values)} ({en.format(**values)})" if key in FINDINGS else zh.format(**values)



@registry.command("import-crosswalk")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-m", "--message", help="Why this crosswalk (recorded in the audit log).")
@_actor
@_common
def import_crosswalk(file: Path, message: str | None, actor: str | None, as_json: bool) -> None:
    """Import a crosswalk: which local codes (实施编码 / 基本编码) are one national item (国家标准事项编码).

    The whole crosswalk, as the next version, bound to the newest catalogue release; `compare-items`
    uses the newest version."""
    with _open() as reg:
        done = reg.import_crosswalk(file, actor=actor, message=message)
    if as_json:
        emit_json(done.model_dump(mode="json"))
        return
    click.echo(_say("imported", number=done.number, release=done.release, codes=done.codes, unmatched=done.unmatched))


@registry.command("compare-items")
@click.argument("region_a")
@click.argument("region_b")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="Items per finding.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many items of each finding.")
@_common
def compare_items(region_a: str, region_b: str, limit: int, offset: int, as_json: bool) -> None:
    """Two regions' catalogues by national item (REGION: a GB/T 2260 code; 510000 is the province):
    items only one has, items coded differently, names that disagree."""
    with _open() as reg:
        found = reg.compare_items(region_a, region_b, limit=limit, offset=offset)
    if as_json:
        emit_json(found.model_dump(mode="json"))
        return
    from govstd.registry.items.compare import FINDINGS

    none = _say("none")
    click.echo(_say("headline", a=region_a, b=region_b, release=found.release or none,
                    crosswalk=found.crosswalk or none))
    for key in FINDINGS:
        shown: list[Any] = getattr(found, key)
        click.echo(f"\n{_say(key, a=region_a, b=region_b)}: {found.counts[key]}")
        for item in shown:
            name = f" {item.national_name}" if item.national_name else ""
            click.echo(f"  {item.national_code}{name}\t{region_a}: {', '.join(item.basic_codes_a) or '—'}"
                       f" {' / '.join(item.names_a)}\t{region_b}: {', '.join(item.basic_codes_b) or '—'}"
                       f" {' / '.join(item.names_b)}")
        rest = found.counts[key] - offset - len(shown)
        if rest > 0:
            click.echo("  " + _say("more", n=rest, offset=offset + limit))


@registry.command("national-item")
@click.argument("code")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0)
@_common
def national_item(code: str, limit: int, offset: int, as_json: bool) -> None:
    """The national item CODE (national, basic or implementation) belongs to, and its local entries."""
    with _open() as reg:
        found = reg.national_item(code, limit=limit, offset=offset)
    if as_json:
        emit_json(found)
        return
    click.echo(f"{found['national_code']} {found['national_name'] or ''}".rstrip())
    from govstd.registry.items.lookup import CatalogueItem

    _render_items([CatalogueItem.model_validate(i) for i in found["items"]])
