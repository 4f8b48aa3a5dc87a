"""Shared parts of the benchmark peers: arguments, a streaming CSV reader, the online
standardizer streamtune uses (per-record Welford semantics), prequential metrics and the
one-line JSON result.

Example:
    args = parse_args("keras")
    scaler = OnlineStandardizer(dim)
    for x, y in batches(args.data, args.label, args.batch, args.max_records): ...
"""

import argparse
import csv
import json
import math
import platform
import sys
import time

import numpy as np

EPSILON = 1e-7  # streamtune's LogLoss clips probabilities to [EPSILON, 1 - EPSILON] (the Keras epsilon)
MIN_STD = 1e-8  # streamtune's Standardizer maps a feature with std below this to 0


def parse_args(peer, variants):
    p = argparse.ArgumentParser(description=f"{peer} peer of the streamtune benchmark")
    p.add_argument("--data", required=True, help="CSV file with a header row")
    p.add_argument("--label", required=True, help="label column (0/1)")
    p.add_argument("--variant", choices=variants, default=variants[0])
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--units", type=int, default=64)
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--lr", type=float, default=0.001)
    p.add_argument("--l2", type=float, default=0.001)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--max-records", type=int, default=0, help="0: the whole file")
    return p.parse_args()


def header(path, label):
    """Feature names (every column but the label, in file order) and the label's column index."""
    with open(path, newline="") as f:
        names = next(csv.reader(f))
    if label not in names:
        sys.exit(f"label {label!r} is not a column of {path}: {names}")
    li = names.index(label)
    return [n for i, n in enumerate(names) if i != li], li


def rows(path, label, max_records=0):
    """Streams (features as a list of floats, label as int) one row at a time, as read."""
    _, li = header(path, label)
    with open(path, newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for k, row in enumerate(reader):
            if max_records and k >= max_records:
                return
            y = int(float(row[li]))
            del row[li]
            yield [float(v) for v in row], y


def batches(path, label, size, max_records=0):
    """Streams mini-batches as (float64 array n x d, int array n), reading the file lazily."""
    _, li = header(path, label)
    with open(path, newline="") as f:
        reader = csv.reader(f)
        next(reader)
        buf = []
        read = 0
        for row in reader:
            if max_records and read >= max_records:
                break
            buf.append(row)
            read += 1
            if len(buf) == size:
                yield _to_arrays(buf, li)
                buf = []
        if buf:
            yield _to_arrays(buf, li)


def _to_arrays(buf, li):
    a = np.array(buf, dtype=np.float64)
    y = a[:, li].astype(np.int64)
    x = np.delete(a, li, axis=1)
    return x, y


class OnlineStandardizer:
    """streamtune's Standardizer, vectorized over a batch with the same per-record semantics:
    record j of a batch is first added to the running moments (Welford: population variance),
    then transformed with the moments that include records 1..j; z = (x - mean) / std, 0 where
    std < 1e-8. Exact, not an approximation: moments of (old data + the first j rows) are
    computed from cumulative sums of deviations from the old mean."""

    def __init__(self, dim):
        self.n = 0
        self.mean = np.zeros(dim)
        self.m2 = np.zeros(dim)

    def learn_transform(self, x):
        d = x - self.mean  # deviations from the mean before this batch
        s1 = np.cumsum(d, axis=0)
        s2 = np.cumsum(d * d, axis=0)
        n = self.n + np.arange(1, x.shape[0] + 1, dtype=np.float64)[:, None]
        mean = self.mean + s1 / n
        m2 = self.m2 + s2 - s1 * s1 / n
        std = np.sqrt(np.maximum(m2, 0.0) / n)
        z = np.where(std >= MIN_STD, (x - mean) / np.where(std >= MIN_STD, std, 1.0), 0.0)
        self.n += x.shape[0]
        self.mean = mean[-1]
        self.m2 = m2[-1]
        return z


class Prequential:
    """Cumulative accuracy (p >= 0.5 means class 1) and log-loss (clipped as streamtune does)
    of predictions made before learning."""

    def __init__(self):
        self.n = 0
        self.correct = 0
        self.loss = 0.0

    def add(self, p, y):
        p = np.asarray(p, dtype=np.float64).reshape(-1)
        y = np.asarray(y).reshape(-1)
        q = np.clip(p, EPSILON, 1 - EPSILON)
        self.n += len(y)
        self.correct += int(np.sum((p >= 0.5) == (y == 1)))
        self.loss += float(-np.sum(y * np.log(q) + (1 - y) * np.log(1 - q)))

    def add_one(self, p, y):
        q = min(1 - EPSILON, max(EPSILON, p))
        self.n += 1
        self.correct += int((p >= 0.5) == (y == 1))
        self.loss += -(y * math.log(q) + (1 - y) * math.log(1 - q))


class Clock:
    """Wall time split into named parts (read, standardize, model), plus the total."""

    def __init__(self):
        self.parts = {}
        self.start = time.perf_counter()
        self._t = self.start

    def lap(self, part):
        now = time.perf_counter()
        self.parts[part] = self.parts.get(part, 0.0) + (now - self._t)
        self._t = now

    def seconds(self):
        return time.perf_counter() - self.start


def report(peer, variant, does, metrics, clock, versions, extra=None):
    """Prints the one JSON line the driver reads."""
    seconds = clock.seconds()
    out = {
        "peer": peer,
        "variant": variant,
        "does": does,
        "records": metrics.n,
        "seconds": seconds,
        "recordsPerSecond": metrics.n / seconds if seconds > 0 else 0,
        "accuracy": metrics.correct / metrics.n if metrics.n else None,
        "logLoss": metrics.loss / metrics.n if metrics.n else None,
        "parts": {k: v / max(metrics.n, 1) * 1e6 for k, v in clock.parts.items()},
        "versions": {"python": platform.python_version(), "numpy": np.__version__, **versions},
    }
    if extra:
        out.update(extra)
    print(json.dumps(out), flush=True)


def fail(peer, variant, error):
    """Prints a result line that says the peer could not run, and exits 0 (the driver reports it)."""
    print(json.dumps({"peer": peer, "variant": variant, "error": error}), flush=True)
    sys.exit(0)
