"""What the scorecard and the gate are configured by: dimension weights and gate thresholds per share
type — the built-in defaults, overridden key by key by ``schema.quality`` and then a policy file.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from govstd.errors import InputError
from govstd.standards.models import (
    CatalogueSchema,
    QualityDimension,
    ShareType,
)

# --------------------------------------------------------------------------- policy

#: Relative weight of each GB/T 36344 dimension in the overall score (justified in docs/scoring.md).
DEFAULT_WEIGHTS: dict[QualityDimension, float] = {
    QualityDimension.ACCURACY: 30.0,
    QualityDimension.COMPLETENESS: 25.0,
    QualityDimension.CONFORMITY: 15.0,
    QualityDimension.CONSISTENCY: 15.0,
    QualityDimension.TIMELINESS: 10.0,
    QualityDimension.ACCESSIBILITY: 5.0,
}


class StrictModel(BaseModel):
    """Every scorecard and policy model: unknown keys are an error, never silently dropped."""

    # defer_build: a model's validator is built when first used, so a run pays only for the models it makes.
    model_config = ConfigDict(extra="forbid", defer_build=True)


class Action(StrEnum):
    """What the gate does with a finding."""

    FAIL = "fail"
    WARN = "warn"
    IGNORE = "ignore"


class GateThresholds(StrictModel):
    """The bar one share type must clear. Scores are 0–100; a value *below* a threshold trips it."""

    min_score: float = Field(ge=0, le=100, description="Overall score below this: FAIL.")
    warn_score: float = Field(ge=0, le=100, description="Overall score below this: WARN.")
    min_dimension: float = Field(ge=0, le=100, description="Any measured dimension below this: FAIL.")
    warn_dimension: float = Field(ge=0, le=100, description="Any measured dimension below this: WARN.")
    min_check: float = Field(ge=0, le=100, description="Any counted check's pass rate (%) below this: FAIL.")
    warn_check: float = Field(ge=0, le=100, description="Any counted check's pass rate (%) below this: WARN.")
    pii_exposures: Action = Field(description="Unmasked personal identifiers found: fail, warn or ignore.")
    unmeasured: Action = Field(description="No check could be scored at all: fail, warn or ignore.")

    @model_validator(mode="after")
    def _warn_not_below_fail(self) -> GateThresholds:
        if self.warn_score < self.min_score:
            raise ValueError("warn_score must be >= min_score")
        if self.warn_dimension < self.min_dimension:
            raise ValueError("warn_dimension must be >= min_dimension")
        if self.warn_check < self.min_check:
            raise ValueError("warn_check must be >= min_check")
        return self


class GatePolicy(StrictModel):
    """Thresholds per share type, plus ``open`` for data open to the public (开放数据)."""

    unconditional: GateThresholds
    conditional: GateThresholds
    not_shared: GateThresholds
    open: GateThresholds


#: Built-in gate: 无条件共享 and open data strictest, 有条件共享 lower, 不予共享 never FAIL on quality.
DEFAULT_GATE = GatePolicy(
    unconditional=GateThresholds(min_score=90, warn_score=95, min_dimension=80, warn_dimension=90, min_check=90,
                                 warn_check=98, pii_exposures=Action.FAIL, unmeasured=Action.FAIL),
    conditional=GateThresholds(min_score=75, warn_score=85, min_dimension=60, warn_dimension=75, min_check=80,
                               warn_check=95, pii_exposures=Action.WARN, unmeasured=Action.WARN),
    not_shared=GateThresholds(min_score=0, warn_score=70, min_dimension=0, warn_dimension=0, min_check=0,
                              warn_check=0, pii_exposures=Action.IGNORE, unmeasured=Action.WARN),
    open=GateThresholds(min_score=90, warn_score=95, min_dimension=80, warn_dimension=90, min_check=90,
                        warn_check=98, pii_exposures=Action.FAIL, unmeasured=Action.FAIL),
)


class QualityPolicy(StrictModel):
    """Everything the scorecard and gate are configured by: weights and gate thresholds."""

    weights: dict[QualityDimension, float] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    gate: GatePolicy = DEFAULT_GATE

    @field_validator("weights")
    @classmethod
    def _weights_sane(cls, value: dict[QualityDimension, float]) -> dict[QualityDimension, float]:
        if any(w < 0 for w in value.values()):
            raise ValueError("weights must not be negative")
        if not any(w > 0 for w in value.values()):
            raise ValueError("at least one weight must be positive")
        return {d: float(value.get(d, 0.0)) for d in QualityDimension}


_POLICY_KEYS = {"weights", "gate"}
_GATE_KEYS = {"unconditional", "conditional", "not_shared", "open"}


def _gate_key(key: str) -> str:
    if key in _GATE_KEYS:
        return key
    if key in {"开放", "开放数据", "open_data"}:
        return "open"
    try:
        return ShareType(key).value
    except ValueError:
        raise ValueError(f"unknown share type {key!r} (expected one of {', '.join(sorted(_GATE_KEYS))})") from None


def _dimension_key(key: str) -> QualityDimension:
    try:
        return QualityDimension(key)
    except ValueError:
        names = ", ".join(d.value for d in QualityDimension)
        raise ValueError(f"unknown quality dimension {key!r} (expected one of {names})") from None


def _merge_layer(base: dict[str, Any], layer: Mapping[str, Any], where: str) -> None:
    unknown = set(layer) - _POLICY_KEYS
    if unknown:
        raise InputError(f"unknown key(s) {', '.join(sorted(map(str, unknown)))}", path=where,
                         expected="weights, gate")
    try:
        weights = layer.get("weights")
        if weights is not None:
            if not isinstance(weights, Mapping):
                raise ValueError("weights must be a mapping of dimension → number")
            for key, value in weights.items():
                base["weights"][_dimension_key(str(key)).value] = value
        gate = layer.get("gate")
        if gate is not None:
            if not isinstance(gate, Mapping):
                raise ValueError("gate must be a mapping of share type → thresholds")
            for key, value in gate.items():
                if not isinstance(value, Mapping):
                    raise ValueError(f"gate.{key} must be a mapping of thresholds")
                base["gate"][_gate_key(str(key))].update(value)
    except ValueError as exc:
        raise InputError(str(exc), path=where) from None


def resolve_policy(schema: CatalogueSchema | None = None,
                   override: Mapping[str, Any] | QualityPolicy | None = None) -> QualityPolicy:
    """Defaults, then ``schema.quality`` (weights, gate), then ``override`` (a policy file), key by key.

    The later layer wins per key: a policy file may raise one threshold and keep the others.
    """
    if isinstance(override, QualityPolicy):
        return override
    base: dict[str, Any] = {
        "weights": {d.value: w for d, w in DEFAULT_WEIGHTS.items()},
        "gate": DEFAULT_GATE.model_dump(mode="json"),
    }
    if schema is not None and schema.quality:
        layer = {k: v for k, v in schema.quality.items() if k in _POLICY_KEYS}
        _merge_layer(base, layer, f"{schema.ref} quality")
    if override:
        _merge_layer(base, override, "policy")
    try:
        return QualityPolicy.model_validate(base)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise InputError(first["msg"], field=loc or None, hint="see docs/scoring.md for the policy keys") from None


def load_policy(path: str | Path) -> dict[str, Any]:
    """Read a policy YAML (or JSON) file: ``{weights: {...}, gate: {share_type: {...}}}``."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("policy file not found", path=str(p)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read policy file: {exc}", path=str(p)) from None
    try:
        data = YAML(typ="safe").load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(f"not valid YAML: {getattr(exc, 'problem', exc)}", path=str(p), line=line) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError("a policy file must be a mapping", path=str(p), expected="weights: / gate:")
    # A policy file may also be a catalogue schema's `quality:` block pasted whole.
    if set(data) == {"quality"} and isinstance(data["quality"], dict):
        data = data["quality"]
    result: dict[str, Any] = data
    _merge_layer({"weights": {}, "gate": {k: {} for k in _GATE_KEYS}}, result, str(p))  # validate keys early
    return result
