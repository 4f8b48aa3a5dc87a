"""Keras (TensorFlow) peer: d -> Dense(units, relu) -> Dropout -> Dense(1, sigmoid), Adam(lr,
epsilon 1e-7), L2 on the kernels (keras.regularizers.L2: l2 * sum(kernel^2), added to the mean
binary cross-entropy), Glorot-uniform kernels and zero biases, scored prequentially per batch.

Variants:
  train_on_batch  model(x, training=False) for the scores, then model.train_on_batch(x, y):
                  two forward passes per batch (Keras returns no predictions from a train step).
  tf_function     one compiled step (tf.function, reduce_retracing): a training-mode forward
                  pass whose outputs are the scores (before the update, dropout on, as streamtune
                  scores its train rows), the loss with the L2 term, gradients, Adam update.

Standardization: common.OnlineStandardizer (per-record Welford, as streamtune).

Example:
    python keras_peer.py --data elec2.csv --label class --variant tf_function
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from common import Clock, OnlineStandardizer, Prequential, batches, header, parse_args, report  # noqa: E402

args = parse_args("keras", ["train_on_batch", "tf_function"])

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

keras.utils.set_random_seed(args.seed)
names, _ = header(args.data, args.label)
dim = len(names)
reg = keras.regularizers.L2(args.l2)
model = keras.Sequential(
    [
        keras.Input(shape=(dim,)),
        keras.layers.Dense(args.units, activation="relu", kernel_regularizer=reg),
        keras.layers.Dropout(args.dropout),
        keras.layers.Dense(1, activation="sigmoid", kernel_regularizer=reg),
    ]
)
optimizer = keras.optimizers.Adam(learning_rate=args.lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7)
bce = keras.losses.BinaryCrossentropy()

scaler = OnlineStandardizer(dim)
metrics = Prequential()

if args.variant == "train_on_batch":
    model.compile(optimizer=optimizer, loss=bce)
    does = "per batch: model(x, training=False) for the scores, then train_on_batch (2 forward passes)"
    clock = Clock()
    for x, y in batches(args.data, args.label, args.batch, args.max_records):
        clock.lap("read")
        z = scaler.learn_transform(x).astype(np.float32)
        clock.lap("standardize")
        p = model(z, training=False).numpy()
        metrics.add(p, y)
        model.train_on_batch(z, y.astype(np.float32).reshape(-1, 1))
        clock.lap("model")
else:

    @tf.function(reduce_retracing=True)
    def step(z, y):
        with tf.GradientTape() as tape:
            p = model(z, training=True)
            loss = bce(y, p) + tf.add_n(model.losses)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return p

    does = "per batch: one tf.function step; scores from its training-mode forward pass (before the update)"
    clock = Clock()
    for x, y in batches(args.data, args.label, args.batch, args.max_records):
        clock.lap("read")
        z = scaler.learn_transform(x).astype(np.float32)
        clock.lap("standardize")
        p = step(tf.constant(z), tf.constant(y.astype(np.float32).reshape(-1, 1))).numpy()
        metrics.add(p, y)
        clock.lap("model")

report(
    "keras",
    args.variant,
    does,
    metrics,
    clock,
    {"tensorflow": tf.__version__, "keras": keras.__version__},
    {"threads": {"intra": tf.config.threading.get_intra_op_parallelism_threads(), "inter": tf.config.threading.get_inter_op_parallelism_threads()}},
)
