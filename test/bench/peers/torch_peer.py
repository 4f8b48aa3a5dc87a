"""PyTorch peer (CPU): d -> Linear(units) -> ReLU -> Dropout -> Linear(1), a plain training loop
with Adam(lr, eps 1e-7), loss = BCEWithLogits (mean) + l2 * sum(kernel^2) over both weight
matrices (not Adam's weight_decay, which would differ), Xavier-uniform weights and zero biases,
scored prequentially: sigmoid of the training-mode forward pass (before the update, dropout on,
as streamtune scores its train rows), then backward and step.

Variants:
  loop   the plain eager loop described above.

Standardization: common.OnlineStandardizer (per-record Welford, as streamtune).

Example:
    python torch_peer.py --data elec2.csv --label class
"""

from common import Clock, OnlineStandardizer, Prequential, batches, header, parse_args, report

args = parse_args("torch", ["loop"])

import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.manual_seed(args.seed)
names, _ = header(args.data, args.label)
dim = len(names)
model = torch.nn.Sequential(
    torch.nn.Linear(dim, args.units),
    torch.nn.ReLU(),
    torch.nn.Dropout(args.dropout),
    torch.nn.Linear(args.units, 1),
)
kernels = [m.weight for m in model if isinstance(m, torch.nn.Linear)]
for m in model:
    if isinstance(m, torch.nn.Linear):
        torch.nn.init.xavier_uniform_(m.weight)
        torch.nn.init.zeros_(m.bias)
optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.999), eps=1e-7)
bce = torch.nn.BCEWithLogitsLoss()
model.train()

scaler = OnlineStandardizer(dim)
metrics = Prequential()
clock = Clock()
for x, y in batches(args.data, args.label, args.batch, args.max_records):
    clock.lap("read")
    z = torch.from_numpy(scaler.learn_transform(x).astype(np.float32))
    clock.lap("standardize")
    target = torch.from_numpy(y.astype(np.float32)).reshape(-1, 1)
    logits = model(z)
    metrics.add(torch.sigmoid(logits).detach().numpy(), y)
    loss = bce(logits, target) + args.l2 * sum(torch.sum(k * k) for k in kernels)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    clock.lap("model")

report(
    "torch",
    "loop",
    "per batch: training-mode forward (scores = its sigmoid, before the update), backward, Adam step",
    metrics,
    clock,
    {"torch": torch.__version__},
    {"threads": {"intra": torch.get_num_threads(), "inter": torch.get_num_interop_threads()}},
)
