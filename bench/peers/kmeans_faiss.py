#!/usr/bin/python3
"""FAISS k-means peer of `Scar.Bench kmeans`: the same .npy data, the same initial centroids, the same iterations."""
import argparse, json, os, sys, time
import numpy as np
import faiss

p = argparse.ArgumentParser()
p.add_argument("--x", required=True)
p.add_argument("--init", required=True)
p.add_argument("--iters", type=int, default=20)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--json", action="store_true")
a = p.parse_args()
faiss.omp_set_num_threads(a.threads)
x = np.ascontiguousarray(np.load(a.x), dtype=np.float32)
init = np.ascontiguousarray(np.load(a.init), dtype=np.float32)
n, d = x.shape
k = init.shape[0]
# No subsampling (FAISS's default keeps 256 points per centroid), no re-seeding beyond FAISS's own empty-cluster split.
km = faiss.Kmeans(d, k, niter=a.iters, max_points_per_centroid=n, min_points_per_centroid=1, verbose=False, seed=1234)
t0 = time.perf_counter()
km.train(x, init_centroids=init)
seconds = time.perf_counter() - t0
objective = float(km.obj[-1])  # the objective of the last iteration's assignment, as Scar's stats[^1]
gflops = 2.0 * n * d * k * a.iters / seconds / 1e9
print(f"faiss kmeans n={n} d={d} k={k} iters={a.iters} threads={a.threads}: {seconds:.3f} s, {gflops:.1f} GFLOP/s, objective {objective!r}", file=sys.stderr)
if a.json:
    print(json.dumps({"seconds": seconds, "gflops": gflops, "objective": objective, "iterations": a.iters, "threads": a.threads}))
