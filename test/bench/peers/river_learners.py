"""River learners of issue 12's table, prequential on one file: every record is predicted,
scored, then learned, in file order, as a dict of floats. Prints one JSON line.

Learners (--learner):
  nochange  the previous record's label (binary) or value (regression); 0 before the first
  lr        StandardScaler | LogisticRegression(SGD 0.01) (binary)
            StandardScaler | LinearRegression(Adam 0.01) (regression)
  lr_lags   the same, with the previous 2 labels / values as two more features (0 at the start):
            the temporally augmented learner of Bifet et al. 2013
  hat       HoeffdingAdaptiveTreeClassifier (binary); StandardScaler | HoeffdingAdaptiveTreeRegressor
            (regression: the scaler keeps its linear leaf models from diverging)
  arf       ARFClassifier / ARFRegressor, 10 trees

Time: the loop, reading and parsing the CSV included, after imports and model construction;
wall (perf_counter) and CPU (process_time) both reported.

Example:
    python river_learners.py --data elec2.csv --label class --task binary --learner lr
    python river_learners.py --data sea_concepts_50k.csv --label y --task binary --learner arf --windows 12500,25000,37500
"""

import argparse
import csv
import json
import platform
import sys
import time

p = argparse.ArgumentParser(description="River learners of the streamtune learning bench")
p.add_argument("--data", required=True)
p.add_argument("--label", required=True)
p.add_argument("--task", choices=["binary", "regression"], default="binary")
p.add_argument("--learner", choices=["nochange", "lr", "lr_lags", "hat", "arf"], required=True)
p.add_argument("--max-records", type=int, default=0, help="0: the whole file")
p.add_argument("--windows", default="", help="record indexes d: accuracy over [d, d + --window-size) each")
p.add_argument("--window-size", type=int, default=2000)
p.add_argument("--seed", type=int, default=42)
args = p.parse_args()

import river  # noqa: E402
from river import forest, linear_model, optim, preprocessing, tree  # noqa: E402

binary = args.task == "binary"
LAGS = 2


def make(learner):
    if learner == "nochange":
        return None, "previous label / value"
    if learner in ("lr", "lr_lags"):
        suffix = " + previous 2 labels as features" if learner == "lr_lags" else ""
        if binary:
            return (
                preprocessing.StandardScaler() | linear_model.LogisticRegression(optimizer=optim.SGD(0.01)),
                "StandardScaler | LogisticRegression(SGD 0.01)" + suffix,
            )
        return (
            preprocessing.StandardScaler() | linear_model.LinearRegression(optimizer=optim.Adam(0.01)),
            "StandardScaler | LinearRegression(Adam 0.01)" + suffix,
        )
    if learner == "hat":
        if binary:
            return tree.HoeffdingAdaptiveTreeClassifier(seed=args.seed), "HoeffdingAdaptiveTreeClassifier"
        return (
            preprocessing.StandardScaler() | tree.HoeffdingAdaptiveTreeRegressor(seed=args.seed),
            "StandardScaler | HoeffdingAdaptiveTreeRegressor",
        )
    if binary:
        return forest.ARFClassifier(n_models=10, seed=args.seed), "ARFClassifier(n_models=10)"
    return forest.ARFRegressor(n_models=10, seed=args.seed), "ARFRegressor(n_models=10)"


with open(args.data, newline="") as f:
    names = next(csv.reader(f))
if args.label not in names:
    sys.exit(f"label {args.label!r} is not a column of {args.data}: {names}")
li = names.index(args.label)
features = [n for i, n in enumerate(names) if i != li]
model, does = make(args.learner)
windows = [int(w) for w in args.windows.split(",") if w.strip()]
hits = [[0, 0] for _ in windows]

n = 0
correct = 0
squared = 0.0
previous = [0.0] * LAGS  # the last LAGS labels, newest first
wall0 = time.perf_counter()
cpu0 = time.process_time()
with open(args.data, newline="") as f:
    reader = csv.reader(f)
    next(reader)
    for row in reader:
        if args.max_records and n >= args.max_records:
            break
        y = float(row[li])
        x = {name: float(v) for name, v in zip(features, row[:li] + row[li + 1 :])}
        if args.learner == "lr_lags":
            for k in range(LAGS):
                x[f"label_lag{k + 1}"] = previous[k]
        if model is None:
            guess = previous[0]
        elif binary:
            guess = 1.0 if model.predict_one(x) else 0.0
        else:
            guess = model.predict_one(x)
        if binary:
            hit = guess == y
            correct += hit
            for k, d in enumerate(windows):
                if d <= n < d + args.window_size:
                    hits[k][0] += 1
                    hits[k][1] += hit
        else:
            squared += (guess - y) ** 2
        if model is not None:
            model.learn_one(x, y == 1.0 if binary else y)
        previous = [y] + previous[:-1]
        n += 1
wall = time.perf_counter() - wall0
cpu = time.process_time() - cpu0

out = {
    "learner": args.learner,
    "does": does,
    "records": n,
    "wallSeconds": wall,
    "cpuSeconds": cpu,
    "recordsPerSecond": n / wall if wall > 0 else None,
    "recordsPerCpuSecond": n / cpu if cpu > 0 else None,
    "versions": {"python": platform.python_version(), "river": river.__version__},
}
if binary:
    out["accuracy"] = correct / n if n else None
    out["windows"] = [{"from": d, "records": h[0], "accuracy": h[1] / h[0] if h[0] else None} for d, h in zip(windows, hits)]
else:
    out["mse"] = squared / n if n else None
print(json.dumps(out))
