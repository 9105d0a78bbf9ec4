#!/usr/bin/python3
"""PyTorch peer of `Scar.Bench probe`: nn.Linear, mean cross-entropy, full-batch Adam (1e-3, 0.9/0.999, 1e-8),
early stop when the training accuracy has not improved for `patience` epochs, then the training logits."""
import argparse, json, sys, time
import numpy as np
import torch

p = argparse.ArgumentParser()
p.add_argument("--x", required=True)
p.add_argument("--y", required=True)
p.add_argument("--epochs", type=int, default=100)
p.add_argument("--patience", type=int, default=5)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--seed", type=int, default=42)
p.add_argument("--json", action="store_true")
a = p.parse_args()
torch.set_num_threads(a.threads)


def train(x, y, classes, epochs, patience, seed):
    """Returns (model, epochs run, loss history, accuracy history, training logits)."""
    torch.manual_seed(seed)
    model = torch.nn.Linear(x.shape[1], classes)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    lossf = torch.nn.CrossEntropyLoss()
    best, stale, losses, accs, run = -1.0, 0, [], [], 0
    for epoch in range(epochs):
        opt.zero_grad(set_to_none=True)
        logits = model(x)
        loss = lossf(logits, y)
        loss.backward()
        opt.step()
        run += 1
        acc = (logits.detach().argmax(1) == y).float().mean().item()
        losses.append(loss.item()); accs.append(acc)
        if acc > best:
            best, stale = acc, 0
        else:
            stale += 1
            if stale >= patience:
                break
    with torch.no_grad():
        final = model(x)
    return model, run, losses, accs, final


if __name__ == "__main__":
    x = torch.from_numpy(np.ascontiguousarray(np.load(a.x), dtype=np.float32))
    y = torch.from_numpy(np.load(a.y).astype(np.int64))
    classes = int(y.max()) + 1
    train(x[:4096], y[:4096], classes, 3, a.patience, a.seed)  # warm-up, as the C# driver
    t0 = time.perf_counter()
    _, run, losses, accs, _ = train(x, y, classes, a.epochs, a.patience, a.seed)
    ms = (time.perf_counter() - t0) * 1000
    print(f"torch probe n={x.shape[0]} d={x.shape[1]} classes={classes} epochs={run} threads={a.threads}: {ms:.0f} ms, "
          f"{ms / run:.1f} ms/epoch, final loss {losses[-1]:.6f}, train accuracy {accs[-1]:.4f}", file=sys.stderr)
    if a.json:
        print(json.dumps({"ms_per_epoch": ms / run, "final_loss": losses[-1], "epochs": run, "train_accuracy": accs[-1], "threads": a.threads}))
