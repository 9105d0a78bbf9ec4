#!/usr/bin/python3
"""The whole SCAR method (SCAR-SPEC §1-§7) in the ordinary Python stack: scikit-learn KMeans for the cross-modal
pseudo-labels, PyTorch probes, SciPy brentq for the total FDS. Reads the embeddings `Scar.Bench characterize`
wrote and, so that the FDS can be compared, the labels, splits and subsets Scar used (its work/ folder and the
subsets/manifest.json the driver writes); the k-means is still run and timed, and its agreement with Scar's
labels is printed. Each probe starts from the initial W and b Scar's probe with the same id started from (the
manifest's "init" files); without them it falls back to torch's own nn.Linear initialization and says so."""
import argparse, json, math, os, sys, time, zlib
from collections import defaultdict
import numpy as np
import torch
from scipy.optimize import brentq
from scipy.spatial.distance import jensenshannon
from scipy.stats import norm
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

p = argparse.ArgumentParser()
p.add_argument("--out", required=True, help="the char-out-* folder of Scar.Bench characterize")
p.add_argument("--k", type=int, required=True)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--json", action="store_true")
a = p.parse_args()
torch.set_num_threads(a.threads)
RATIOS = [1, 2, 5, 10, 15, 20, 30]
DELTA = EPS = DELTA_E = 0.01
ORDER = 3


INIT_FALLBACKS = []


def train_probe(x, y, classes, seed, init=None, epochs=100, patience=5):
    """SCAR-SPEC §2. `init`: a (d + 1) × k .npy of Scar's initial W (rows 0..d-1, d × k) and b (row d)."""
    torch.manual_seed(seed)
    model = torch.nn.Linear(x.shape[1], classes)
    if init is not None and os.path.exists(init):
        wb = np.load(init)
        d = x.shape[1]
        if wb.shape != (d + 1, classes):
            raise SystemExit(f"{init}: shape {wb.shape}, expected {(d + 1, classes)}")
        with torch.no_grad():
            model.weight.copy_(torch.from_numpy(np.ascontiguousarray(wb[:d].T, dtype=np.float32)))
            model.bias.copy_(torch.from_numpy(np.ascontiguousarray(wb[d], dtype=np.float32)))
    else:
        if not INIT_FALLBACKS:
            print(f"  no initial weights from Scar ({init or 'none in the manifest'}): torch's own nn.Linear init (seeded from the probe id) is used", file=sys.stderr)
        INIT_FALLBACKS.append(init)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    lossf = torch.nn.CrossEntropyLoss()
    best, stale = -1.0, 0
    for _ in range(epochs):
        opt.zero_grad(set_to_none=True)
        logits = model(x)
        lossf(logits, y).backward()
        opt.step()
        acc = (logits.detach().argmax(1) == y).float().mean().item()
        if acc > best:
            best, stale = acc, 0
        else:
            stale += 1
            if stale >= patience:
                break
    return model


def jsd(scores):
    if len(scores) < 2 or np.std(scores, ddof=1) == 0:
        return 1.0
    counts, edges = np.histogram(scores, bins=100, range=(scores.min(), scores.max()))
    width = edges[1] - edges[0]
    pp = counts / (len(scores) * width) + 1e-12
    pp = pp / pp.sum()
    centres = (edges[:-1] + edges[1:]) / 2
    q = norm.pdf(centres, loc=scores.mean(), scale=np.std(scores, ddof=1)) + 1e-12
    q = q / q.sum()
    return float(jensenshannon(pp, q, base=2) ** 2)


def measures(logits, y, k, r):
    """SCAR-SPEC §4 per task: arrays scale, coverage, authenticity, richness; and the multi-class accuracy."""
    n = len(y)
    pred = logits.argmax(1)
    onehot_y = y[:, None] == np.arange(k)[None, :]
    onehot_p = pred[:, None] == np.arange(k)[None, :]
    right = onehot_y == onehot_p  # n × k
    wrong_all = (~right).all(1).sum()
    scale = np.full(k, ((n - wrong_all) / n) / r)
    auth = right.mean(0)
    cov = np.zeros(k)
    rich = np.zeros(k)
    others = (onehot_p.sum(1, keepdims=True) - onehot_p) / (k - 1)
    for c in range(k):
        tp = logits[(y == c) & (pred == c), c]
        fp = -logits[(y != c) & (pred == c), c]
        groups = [g[g > 0] for g in (tp, fp)]
        vals = [1 - jsd(g) for g in groups if len(g) > 0]
        cov[c] = np.mean(vals) if vals else 0.0
        rich[c] = np.where(right[:, c], 1.0, others[:, c]).mean()
    return scale, cov, auth, rich, float((pred == y).mean())


def total_fds(h, rho):
    h = np.asarray(h, dtype=np.float64)
    e = np.zeros(ORDER + 1); e[0] = 1.0
    for v in h:
        for m in range(ORDER, 0, -1):
            e[m] += v * e[m - 1]
    logs = np.log(e[1:])
    f = lambda x: sum((-1) ** (m + 1) * math.exp(logs[m - 1] - 2 * m * x) for m in range(1, ORDER + 1)) - DELTA_E
    lo = max(math.log(h.max()) / 2, 1e-3)
    per_task = np.log(h / DELTA) / (2 * EPS ** 2)
    try:
        x = brentq(f, lo, lo + 30)  # scipy's default tolerances (xtol 2e-12), as Scar's Brent
    except ValueError:
        return float(per_task.sum()), True
    return math.log(rho) * x / EPS ** 2, False


def estimate(items, X, labels, test, k):
    """One FDS estimate from its 83 probes: returns (total FDS, fallback, per-task FDS, per-task h, probes)."""
    by_ratio = defaultdict(list)
    probes = 0
    test_acc = None
    for it in items:
        rows = np.load(it["rows"])
        y = labels[rows]
        xt = torch.from_numpy(X[rows]); yt = torch.from_numpy(y.astype(np.int64))
        model = train_probe(xt, yt, k, zlib.crc32(it["id"].encode()), it.get("init"))
        with torch.no_grad():
            logits = model(xt).numpy().astype(np.float64)  # scores, moments and bin edges in double, as Scar's reducers
        by_ratio[it["ratio"]].append(measures(logits, y, k, it["ratio"]))
        if it["ratio"] == 1:
            with torch.no_grad():
                test_acc = float((model(torch.from_numpy(X[test])).argmax(1).numpy() == labels[test]).mean())
        probes += 1
    hs_by_ratio, r1 = {}, None
    for r in sorted(by_ratio):
        s, c, au, ri, acc = (np.mean([m[i] for m in by_ratio[r]], axis=0) for i in range(5))
        hs_by_ratio[r] = (1 - c) * np.exp(2 * s * (ri - au) ** 2)
        if r == 1:
            r1 = (float(acc), float(np.mean(au)))
    lam = np.logspace(-4, 1, 1000)
    h_task = []
    for c in range(k):
        xs = np.array([1.0 / r for r in sorted(hs_by_ratio)]); ys = np.array([hs_by_ratio[r][c] for r in sorted(hs_by_ratio)])
        ok = (xs > 0) & (ys > 0) & ~np.isnan(ys)
        xs, ys = xs[ok], ys[ok]
        amax = (ys[None, :] / (1 - np.exp(-lam[:, None] * xs[None, :]))).min(1)
        h_task.append(float(amax.max()))
    acc1, auth1 = r1
    rho = math.e if auth1 >= 1 else max(math.e, (1 - acc1) / (1 - auth1))
    fds, fallback = total_fds(h_task, rho)
    per_task = [math.log(h / DELTA) / (2 * EPS ** 2) for h in h_task]
    return fds, fallback, per_task, probes, test_acc


def main():
    work = os.path.join(a.out, "work")
    manifest = json.load(open(os.path.join(a.out, "subsets", "manifest.json")))
    report = json.load(open(os.path.join(a.out, "report.json")))
    test = np.load(os.path.join(work, "split.test.npy"))
    names = [m["name"] for m in report["modalities"]]
    emb = {m: np.ascontiguousarray(np.load(next(it["embeddings"] for it in manifest if it["modality"] == m)), dtype=np.float32) for m in names}
    stages, t0 = {}, time.perf_counter()

    # §1: cross-modal pseudo-labels with scikit-learn (timed; Scar's labels are used below so the FDS compare like for like).
    ari = {}
    for i, m in enumerate(names):
        other = names[1 - i]
        km = KMeans(n_clusters=a.k, init="k-means++", n_init=1, random_state=42, algorithm="lloyd").fit(emb[other])
        ari[m] = float(adjusted_rand_score(np.load(os.path.join(work, f"{m}.labels.npy")), km.labels_))
    stages["kmeans"] = time.perf_counter() - t0; t0 = time.perf_counter()

    results, probes = {}, 0
    for m in names:
        labels = np.load(os.path.join(work, f"{m}.labels.npy"))
        for s in ("total", "primary"):
            items = [it for it in manifest if it["modality"] == m and it["set"] == s]
            fds, fb, per_task, cnt, tacc = estimate(items, emb[m], labels, test, a.k)
            results[(m, s)] = (fds, fb, per_task, tacc)
            probes += cnt
    stages["probing"] = time.perf_counter() - t0; t0 = time.perf_counter()

    # §7: completion from the primary per-task FDS (own draws), four probes per modality.
    rng = np.random.default_rng(42)
    completion = {}
    for m in names:
        labels = np.load(os.path.join(work, f"{m}.labels.npy"))
        primary = np.load(os.path.join(work, f"{m}.primary.npy")); reserve = np.load(os.path.join(work, f"{m}.reserve.npy"))
        per_task = results[(m, "primary")][2]
        n_prim = np.bincount(labels[primary], minlength=a.k); res_by = [reserve[labels[reserve] == c] for c in range(a.k)]
        deficit = np.maximum(0, np.array(per_task) - n_prim)
        if deficit.sum() > 0:
            w = deficit / deficit.sum()
            budget = min(len(reserve), min(min(len(res_by[c]), deficit[c]) / w[c] for c in range(a.k) if w[c] > 0))
        else:
            w, budget = np.zeros(a.k), 0.0
        add = [rng.choice(res_by[c], int(budget * w[c]), replace=False) for c in range(a.k)]
        scar = np.concatenate([primary] + add); total_added = sum(len(x) for x in add)
        rand = np.concatenate([primary, rng.choice(reserve, total_added, replace=False)])
        cw = np.concatenate([primary] + [rng.choice(res_by[c], min(len(res_by[c]), total_added // a.k), replace=False) for c in range(a.k)])
        accs = {}
        init = next((it["init"] for it in manifest if it["modality"] == m and it["set"] == "completion"), None)
        for arm, rows in (("primary", primary), ("scar", scar), ("random", rand), ("classwise", cw)):
            model = train_probe(torch.from_numpy(emb[m][rows]), torch.from_numpy(labels[rows].astype(np.int64)), a.k, 7, init)
            with torch.no_grad():
                accs[arm] = float((model(torch.from_numpy(emb[m][test])).argmax(1).numpy() == labels[test]).mean())
            probes += 1
        completion[m] = {"added": total_added, **accs}
    stages["completing"] = time.perf_counter() - t0
    total = sum(stages.values())

    if INIT_FALLBACKS:
        print(f"  {len(INIT_FALLBACKS)} of {probes} probes started from torch's own init, not Scar's", file=sys.stderr)
    out = {"seconds": total, "init_fallbacks": len(INIT_FALLBACKS), "stages": stages, "probes": probes, "fds": {}, "scar_fds": {}, "fds_rel_diff": {}, "kmeans_ari_vs_scar": ari, "completion": completion}
    for mr in report["modalities"]:
        m = mr["name"]
        ours = results[(m, "total")][0]
        out["fds"][m] = ours; out["scar_fds"][m] = mr["fds_total"]
        out["fds_rel_diff"][m] = abs(ours - mr["fds_total"]) / mr["fds_total"] if mr["fds_total"] else None
        print(f"  {m}: python FDS {ours:.1f} (fallback {results[(m, 'total')][1]}), scar FDS {mr['fds_total']}, rel diff {out['fds_rel_diff'][m]:.4%}, "
              f"sklearn-vs-scar labels ARI {ari[m]:.4f}", file=sys.stderr)
    print(f"python pipeline: {total:.1f} s ({', '.join(f'{k} {v:.1f} s' for k, v in stages.items())}), {probes} probes", file=sys.stderr)
    if a.json:
        print(json.dumps(out))


main()
