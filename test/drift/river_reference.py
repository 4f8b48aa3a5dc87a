"""Runs River's drift detectors on sequences, for the parity tests of src/drift.

Reads from stdin one JSON spec, or a list of them:
    {"detector": "pageHinkley" | "adwin" | "ddm" | "eddm" | "kswin" | "hddmA",
     "params": {...},      # River's parameters, snake_case or camelCase
     "sequence": [x0, x1, ...]}
and prints, for each, the 0-based indices of the updates after which drift_detected was true
(and warning_detected, for detectors that have it), plus a few statistics of the detector
right after each drift and at the end:
    {"drifts": [...], "warnings": [...] | null, "atDrifts": [{...}, ...], "final": {...}}
(a list when the input was a list). Run it with the venv made by test/drift/setup-river.sh.
"""

from __future__ import annotations

import json
import re
import sys

import river
from river import drift

DETECTORS = {
    "pageHinkley": drift.PageHinkley,
    "adwin": drift.ADWIN,
    "ddm": drift.binary.DDM,
    "eddm": drift.binary.EDDM,
    "kswin": drift.KSWIN,
    "hddmA": drift.binary.HDDMA,
}


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def state(detector) -> dict:
    """A few statistics of the detector, for closer comparisons."""
    if isinstance(detector, drift.ADWIN):
        return {"width": detector.width, "total": detector.total, "variance": detector.variance}
    if isinstance(detector, drift.PageHinkley):
        return {"n": detector._x_mean.n, "mean": detector._x_mean.get(),
                "sumIncrease": detector._sum_increase, "sumDecrease": detector._sum_decrease}
    if isinstance(detector, drift.KSWIN):
        return {"n": detector.n, "pValue": float(detector.p_value), "windowLength": len(detector.window)}
    if isinstance(detector, drift.binary.DDM):
        return {"n": detector._p.n, "errorRate": detector._p.get()}
    if isinstance(detector, drift.binary.EDDM):
        return {"n": detector._n, "errors": detector._n_errors, "meanDistance": detector._error_distances.mean.get()}
    if isinstance(detector, drift.binary.HDDMA):
        return {"n": detector._z.n, "mean": detector._z.get(),
                "minCutN": detector._x_min.n, "minCutMean": detector._x_min.get(),
                "maxCutN": detector._x_max.n, "maxCutMean": detector._x_max.get()}
    return {}


def run(spec: dict) -> dict:
    cls = DETECTORS[spec["detector"]]
    params = {snake(k): v for k, v in spec.get("params", {}).items()}
    detector = cls(**params)
    has_warning = hasattr(detector, "warning_detected")
    drifts, warnings, at_drifts = [], [], []
    for i, x in enumerate(spec["sequence"]):
        detector.update(x)
        if detector.drift_detected:
            drifts.append(i)
            at_drifts.append(state(detector))
        if has_warning and detector.warning_detected:
            warnings.append(i)
    return {
        "drifts": drifts,
        "warnings": warnings if has_warning else None,
        "atDrifts": at_drifts,
        "final": state(detector),
    }


def main() -> None:
    specs = json.load(sys.stdin)
    if isinstance(specs, dict) and specs.get("version"):
        print(json.dumps({"river": river.__version__}))
        return
    results = [run(s) for s in specs] if isinstance(specs, list) else run(specs)
    json.dump(results, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
