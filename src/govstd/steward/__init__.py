"""The steward's workflow: from a raw department file to a shared, de-identified dataset.

- ``infer.infer_schema`` drafts a catalogue schema from a data file (which field standard each
  column holds, with the evidence), for a steward to complete and publish;
- ``mask.mask_dataset`` writes the de-identified copy a schema's share attributes require.

Both read files with the validators' readers and do their per-row work as vectorised DuckDB SQL.
"""

from __future__ import annotations
