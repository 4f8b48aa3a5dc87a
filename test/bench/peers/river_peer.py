"""River peer: StandardScaler | LogisticRegression(Adam(lr)), scored prequentially.

Variants:
  one   predict_proba_one then learn_one, one record at a time (River's own online loop; the
        scaler learns each record before transforming it, as streamtune's standardizer does).
  many  predict_proba_many then learn_many per mini-batch of --batch records (pandas frames;
        the scaler's learn_many updates its moments with the whole batch, then transforms it).

Example:
    python river_peer.py --data elec2.csv --label class --variant one
"""

import sys

from common import Clock, Prequential, batches, fail, header, parse_args, report, rows

args = parse_args("river", ["one", "many"])

import river  # noqa: E402
from river import linear_model, optim, preprocessing  # noqa: E402


def make_model():
    return preprocessing.StandardScaler() | linear_model.LogisticRegression(optimizer=optim.Adam(args.lr))


names, _ = header(args.data, args.label)
model = make_model()
metrics = Prequential()
versions = {"river": river.__version__}

if args.variant == "one":
    clock = Clock()
    for values, y in rows(args.data, args.label, args.max_records):
        x = dict(zip(names, values))
        clock.lap("read")
        p = model.predict_proba_one(x).get(True, 0.0)
        metrics.add_one(p, y)
        model.learn_one(x, y == 1)
        clock.lap("model")
    does = "per record: dict of floats; predict_proba_one, then learn_one (scaler learns the record, then transforms it)"
else:
    try:
        import pandas as pd
    except ImportError:
        sys.exit("the 'many' variant needs pandas (pip install pandas)")
    versions["pandas"] = pd.__version__
    clock = Clock()
    for x, y in batches(args.data, args.label, args.batch, args.max_records):
        frame = pd.DataFrame(x, columns=names)
        target = pd.Series(y == 1)
        clock.lap("read")
        proba = model.predict_proba_many(frame)
        metrics.add(proba[True].to_numpy(), y)
        try:
            model.learn_many(frame, target)
        except Exception as error:  # River's own failure: reported, not hidden
            fail("river", args.variant, f"learn_many failed after {metrics.n} records: {type(error).__name__}: {error}")
        clock.lap("model")
    does = f"per batch of {args.batch}: pandas frame; predict_proba_many, then learn_many (scaler moments updated by the whole batch first)"

report("river", args.variant, does, metrics, clock, versions, {"l2": 0.0, "model": "StandardScaler | LogisticRegression(Adam)"})
