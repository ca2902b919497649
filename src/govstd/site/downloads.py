"""The downloads beside each entry version's page: the entry as JSON and YAML, a code set's codes as CSV
(for Excel) and as the compact JSON table the page's code browser loads."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import yaml

from govstd.site import urls
from govstd.site.model import EntryGroup
from govstd.site.pages.code_set import code_validity, uses_years
from govstd.standards.models import AnyEntry, CodeSet


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


# Strings a YAML 1.2 reader (ruamel, which govstd's loader uses) could take for a number, bool or null —
# '08', '1.0.0', 'true' — are single-quoted, so a download loads back as exactly the published entry.
_YAML_AMBIGUOUS = re.compile(
    r"[-+]?\.?[0-9]|[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$|(null|Null|NULL|~|true|True|TRUE|false|False|FALSE)$"
)


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """PyYAML's C dumper (GB/T 2260 dumps in a fifth of a second; ruamel takes seconds)."""


def _represent_str(dumper: Any, value: str) -> Any:
    style = "'" if _YAML_AMBIGUOUS.match(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _dump_yaml(data: Any) -> str:
    text: str = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110)
    return text


def write_downloads(group: EntryGroup, entry: AnyEntry, write: Any) -> None:
    data = entry.model_dump(mode="json", exclude_none=True)
    write(urls.download(group.kind, group.id, entry.version, "json"), _json(data))
    write(urls.download(group.kind, group.id, entry.version, "yaml"),
          f"# {entry.name_zh} {entry.ref} — govstd registry entry\n" + _dump_yaml(data))
    if isinstance(entry, CodeSet):
        write(urls.download(group.kind, group.id, entry.version, "codes.csv"), _codes_csv(entry))
        write(urls.download(group.kind, group.id, entry.version, "codes.json"), _codes_json(entry))


def _codes_csv(entry: CodeSet) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["code", "label_zh", "label_en", "aliases", "level", "parent", "valid_from", "valid_to"])
    for c in entry.codes:
        dates = [d.isoformat() if d else "" for d in (c.valid_from, c.valid_to)]
        writer.writerow([c.code, c.label_zh, c.label_en or "", ";".join(c.aliases), c.level or "", c.parent or "",
                         *dates])
    # A BOM so Excel, which most departments open CSV files with, reads the Chinese as UTF-8.
    return "\ufeff" + buffer.getvalue()


def _codes_json(entry: CodeSet) -> str:
    """The compact table the page's code browser loads: columns once, then one array per code."""
    years = uses_years(entry.codes)
    columns = ["code", "label_zh"]
    optional = {
        "label_en": any(c.label_en for c in entry.codes),
        "aliases": any(c.aliases for c in entry.codes),
        "level": any(c.level for c in entry.codes),
        "parent": any(c.parent for c in entry.codes),
        "valid_from": any(c.valid_from for c in entry.codes),
        "valid_to": any(c.valid_to for c in entry.codes),
    }
    columns += [name for name, present in optional.items() if present]
    rows = []
    for c in entry.codes:
        start, end = code_validity(c, years)
        values: dict[str, Any] = {
            "code": c.code, "label_zh": c.label_zh, "label_en": c.label_en, "aliases": ";".join(c.aliases) or None,
            "level": c.level, "parent": c.parent,
            "valid_from": (int(start) if years and start else start or None),
            "valid_to": (int(end) if years and end else end or None),
        }
        rows.append([values[name] for name in columns])
    data = {"id": entry.id, "version": entry.version, "years": years, "columns": columns, "rows": rows}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
