using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Scar.Core.Distributed;
using Scar.Core.IO;
using Scar.Core.Numerics;
using Scar.Core.Pipeline;

namespace Scar.Bench;

/// <summary>
/// The benchmark driver of issue 8: <c>kmeans</c>, <c>probe</c>, <c>characterize</c> and <c>gemm</c>. Every verb
/// writes the data it uses to .npy under <c>--data</c> so that the Python peers in <c>bench/peers</c> read the
/// same bytes; with <c>--json</c> stdout carries one JSON line and the human-readable lines go to stderr.
/// </summary>
internal static class Program
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.Error.WriteLine("""
                usage: Scar.Bench VERB [options] [--json]
                  kmeans       --n 200000 --d 512 --k 100 --iters 20 --seed 42 [--init FILE.npy] [--threads T] [--data DIR]
                  probe        --n 200000 --d 512 --classes 10 --epochs 100 [--patience 5] [--threads T] [--data DIR]
                  characterize --n 100000 --d 512 --k 10 [--seed 42] [--threads T] [--data DIR]
                  gemm         --m 4096 --n 4096 --k 4096 [--reps 3] [--threads T] [--managed] [--transb]
                  bandwidth    --mib 1024 [--reps 5] [--threads T]   (memory read bandwidth: the probe's roofline)
                """);
            return 2;
        }

        var o = new Options(args.AsSpan(1).ToArray());
        try
        {
            return args[0] switch
            {
                "kmeans" => KMeansBench(o),
                "probe" => ProbeBench(o),
                "characterize" => await CharacterizeBench(o),
                "gemm" => GemmBench(o),
                "bandwidth" => BandwidthBench(o),
                "probe-profile" => ProbeProfile(o),
                _ => throw new ArgumentException($"unknown verb '{args[0]}'; use kmeans, probe, characterize or gemm."),
            };
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
    }

    private static int KMeansBench(Options o)
    {
        int n = o.Int("n", 200_000), d = o.Int("d", 512), k = o.Int("k", 100), iters = o.Int("iters", 20), threads = o.Threads;
        ulong seed = (ulong)o.Int("seed", 42);
        string dir = o.DataDir;
        string xPath = Path.Combine(dir, $"kmeans-x-{n}x{d}-s{seed}.npy");
        FloatMatrix x = LoadOrGenerate(xPath, n, d, k, seed);

        string initPath = o.Text("init") ?? Path.Combine(dir, $"kmeans-init-{n}x{d}-k{k}-s{seed}.npy");
        double initSeconds = double.NaN;
        float[] init;
        if (File.Exists(initPath))
        {
            init = NpyFile.ReadMatrix(initPath).Data;
        }
        else
        {
            var initClock = Stopwatch.StartNew();
            init = KMeans.Seed(x, new KMeansOptions { K = k, Seed = seed, Threads = threads });
            initSeconds = initClock.Elapsed.TotalSeconds;
            NpyFile.WriteMatrix(initPath, new FloatMatrix(k, d, init));
            Console.Error.WriteLine($"k-means++ init (greedy, {2 + (int)Math.Log(k)} local trials): {initSeconds:F2} s -> {initPath}");
        }

        var options = new KMeansOptions { K = k, MaxIterations = iters, Tolerance = 0, Threads = threads };
        using AcceleratedDevice? accelerated = AcceleratedDevice.ForKMeans(o.Text("device"), x, init, k, threads);
        if (accelerated is { Failed: true })
        {
            return 3;
        }

        string backend = accelerated?.Backend ?? Gemm.Backend;
        var clock = Stopwatch.StartNew();
        KMeansResult result = KMeans.FitFrom(x, init, options, accelerated?.Assigner);
        double seconds = clock.Elapsed.TotalSeconds;
        double gflops = 2.0 * n * d * k * result.Iterations / seconds / 1e9;
        double objective = result.Stats[^1].Objective;
        double iterSeconds = result.Stats.Sum(s => s.Seconds);
        Console.Error.WriteLine($"kmeans n={n} d={d} k={k} iters={result.Iterations} threads={threads} backend={backend}: {seconds:F3} s " +
            $"({iterSeconds:F3} s in iterations), {gflops:F1} GFLOP/s, objective {objective:R} (last assignment), inertia after update {result.Inertia:R}");
        Emit(o, new Dictionary<string, object?>
        {
            ["seconds"] = seconds, ["gflops"] = gflops, ["objective"] = objective, ["iterations"] = result.Iterations,
            ["iteration_seconds"] = iterSeconds, ["init_seconds"] = double.IsNaN(initSeconds) ? null : initSeconds, ["inertia"] = result.Inertia,
            ["threads"] = threads, ["backend"] = backend, ["x"] = Path.GetFullPath(xPath), ["init"] = Path.GetFullPath(initPath),
            ["device"] = accelerated?.Device ?? "cpu", ["setup_seconds"] = accelerated?.SetupSeconds,
        });
        return 0;
    }

    private static int ProbeBench(Options o)
    {
        int n = o.Int("n", 200_000), d = o.Int("d", 512), classes = o.Int("classes", 10), epochs = o.Int("epochs", 100);
        int patience = o.Int("patience", 5), threads = o.Threads;
        ulong seed = (ulong)o.Int("seed", 42);
        string dir = o.DataDir;
        string xPath = Path.Combine(dir, $"probe-x-{n}x{d}-c{classes}-s{seed}.npy");
        string yPath = Path.Combine(dir, $"probe-y-{n}-c{classes}-s{seed}.npy");
        FloatMatrix x = LoadOrGenerate(xPath, n, d, classes, seed, yPath);
        int[] labels = NpyFile.ReadIntVector(yPath);
        int[] rows = Enumerable.Range(0, n).ToArray();
        var options = new ProbeOptions { MaxEpochs = epochs, Patience = patience, Threads = threads };

        // One short warm-up so that tiering does not land in the measured epochs (the accelerated one runs its graph once).
        ProbeTrainer.Train(x, rows[..Math.Min(n, 4096)], labels[..Math.Min(n, 4096)], classes, options with { MaxEpochs = 3 }, seed);
        using AcceleratedDevice? accelerated = AcceleratedDevice.ForProbe(o.Text("device"), x, rows, labels, classes, threads, seed);
        if (accelerated is { Failed: true })
        {
            return 3;
        }

        string backend = accelerated?.Backend ?? Gemm.Backend;
        var clock = Stopwatch.StartNew();
        ProbeTrainingResult result = accelerated?.Gradients is { } gradients
            ? ProbeTrainer.Train(x, rows, labels, classes, options, seed, gradients)
            : ProbeTrainer.Train(x, rows, labels, classes, options, seed);
        double ms = clock.Elapsed.TotalMilliseconds;
        double perEpoch = ms / result.Epochs;
        double loss = result.LossHistory[^1];
        Console.Error.WriteLine($"probe n={n} d={d} classes={classes} epochs={result.Epochs} (max {epochs}, patience {patience}) threads={threads} " +
            $"backend={backend}: {ms:F0} ms, {perEpoch:F1} ms/epoch, final loss {loss:F6}, train accuracy {result.TrainAccuracy:F4}");
        Emit(o, new Dictionary<string, object?>
        {
            ["ms_per_epoch"] = perEpoch, ["final_loss"] = loss, ["epochs"] = result.Epochs, ["train_accuracy"] = result.TrainAccuracy,
            ["threads"] = threads, ["backend"] = backend, ["x"] = Path.GetFullPath(xPath), ["y"] = Path.GetFullPath(yPath),
            ["device"] = accelerated?.Device ?? "cpu", ["setup_seconds"] = accelerated?.SetupSeconds,
        });
        return 0;
    }

    private static async Task<int> CharacterizeBench(Options o)
    {
        int n = o.Int("n", 100_000), d = o.Int("d", 512), k = o.Int("k", 10), threads = o.Threads;
        ulong seed = (ulong)o.Int("seed", 42);
        string dir = o.DataDir;
        string imagePath = Path.Combine(dir, $"char-image-{n}x{d}-k{k}.npy");
        string textPath = Path.Combine(dir, $"char-text-{n}x{d}-k{k}.npy");
        bool generated = false;
        if (!File.Exists(imagePath) || !File.Exists(textPath))
        {
            // Generated, written and dropped before the measured run: the peak then counts the pipeline only
            // when the files already exist (run twice; the driver says which case it measured).
            var corpus = SyntheticCorpusGenerator.Generate(new SyntheticCorpusOptions { Items = n, Concepts = k, DimA = d, DimB = d, Seed = seed });
            NpyFile.WriteMatrix(imagePath, corpus.A);
            NpyFile.WriteMatrix(textPath, corpus.B);
            NpyFile.WriteIntVector(Path.Combine(dir, $"char-concepts-{n}-k{k}.npy"), corpus.Concepts);
            generated = true;
            corpus = null;
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }

        string outDir = Path.Combine(dir, $"char-out-{n}x{d}-k{k}");
        if (Directory.Exists(outDir))
        {
            Directory.Delete(outDir, recursive: true);
        }

        var options = new CharacterizeOptions
        {
            Modalities = [new ModalityInput("image", imagePath), new ModalityInput("text", textPath)],
            K = k,
            Seed = seed,
        };
        // --device cuda|onnx-cpu: the shards' k-means assignments and probe gradients on ONNX Runtime, as on a silo
        // with SCAR_ACCELERATOR (session setup is inside the timed run: a silo pays it per process).
        using AcceleratedDevice? accelerated = AcceleratedDevice.ForShards(o.Text("device"), threads);
        if (accelerated is { Failed: true })
        {
            return 3;
        }

        var shards = new LocalShardProvider(options.ShardRows, accelerated?.Shards);
        var executor = new LocalProbeExecutor(shards, options.Probe, threads);
        var clock = Stopwatch.StartNew();
        CharacterizationResult result = await Characterizer.RunAsync(options, outDir, executor, shards);
        double seconds = clock.Elapsed.TotalSeconds;
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        long peak = process.PeakWorkingSet64;
        long embeddingBytes = 2L * n * d * sizeof(float);

        // The subsets every probe drew, for the Python pipeline (outside the timed run).
        WriteSubsets(options, outDir);

        var fds = result.Report.Modalities.ToDictionary(m => m.Name, m => m.FdsTotal);
        string backend = accelerated?.Backend ?? Gemm.Backend;
        Console.Error.WriteLine($"characterize n={n} d={d} k={k} threads={threads} backend={backend}: {seconds:F2} s " +
            $"({string.Join(", ", result.StageSeconds.Select(s => $"{s.Key} {s.Value:F2} s"))})");
        Console.Error.WriteLine($"  peak working set {peak / 1048576.0:F0} MiB, embeddings {embeddingBytes / 1048576.0:F0} MiB, ratio {(double)peak / embeddingBytes:F2}{(generated ? " (includes generating the data: rerun for the pipeline alone)" : string.Empty)}");
        foreach (var m in result.Report.Modalities)
        {
            Console.Error.WriteLine($"  {m.Name}: FDS {m.FdsTotal?.ToString("R", CultureInfo.InvariantCulture) ?? "none"}, train acc {m.TrainAccuracy:F4}, test acc {m.TestAccuracy:F4}");
        }

        Emit(o, new Dictionary<string, object?>
        {
            ["seconds"] = seconds, ["stages"] = result.StageSeconds, ["peak_working_set_bytes"] = peak, ["embedding_bytes"] = embeddingBytes,
            ["peak_ratio"] = (double)peak / embeddingBytes, ["peak_includes_generation"] = generated, ["fds"] = fds, ["threads"] = threads,
            ["backend"] = backend, ["device"] = accelerated?.Device ?? "cpu", ["out"] = Path.GetFullPath(outDir), ["image"] = Path.GetFullPath(imagePath), ["text"] = Path.GetFullPath(textPath),
        });
        return 0;
    }

    private static void WriteSubsets(CharacterizeOptions options, string outDir)
    {
        string workDir = Path.Combine(outDir, "work");
        string subsetDir = Path.Combine(outDir, "subsets");
        Directory.CreateDirectory(subsetDir);
        var manifest = new List<Dictionary<string, object>>();
        PreparedJob job = JobPreparationView(options, workDir);
        foreach (var m in job.Modalities)
        {
            foreach (string set in new[] { ProbePlan.TotalSet, ProbePlan.PrimarySet })
            {
                foreach (ProbeWork w in ProbePlan.ForEstimate(job, m, set, options))
                {
                    int[] labels = NpyFile.ReadIntVector(w.LabelsPath);
                    int[] pool = NpyFile.ReadIntVector(w.PoolPath);
                    int[] rows = StratifiedSampler.Sample(pool, labels, w.Classes, w.Ratio, DeterministicRandom.Derive(w.Seed, "subset"));
                    string file = Path.Combine(subsetDir, w.Id.Replace('/', '_') + ".npy");
                    NpyFile.WriteIntVector(file, rows);
                    manifest.Add(new Dictionary<string, object>
                    {
                        ["id"] = w.Id, ["modality"] = m.Name, ["set"] = set, ["ratio"] = w.Ratio, ["repeat"] = w.Repeat, ["rows"] = file,
                        ["init"] = WriteInit(subsetDir, w), ["embeddings"] = w.EmbeddingsPath, ["labels"] = w.LabelsPath, ["test"] = w.TestPath,
                        ["primary"] = m.PrimaryPath, ["reserve"] = m.ReservePath,
                    });
                }
            }

            // The completion probes (§7): one seed for every arm; their rows are the work/ files Scar trained on.
            foreach (string arm in DataCompletion.Arms)
            {
                string rows = Path.Combine(workDir, $"{m.Name}.completion.{arm}.npy");
                var w = new ProbeWork($"{m.Name}/completion/{arm}", m.EmbeddingsPath, m.LabelsPath, rows, job.TestPath, job.Classes, 1, 0,
                    DataCompletion.ProbeSeed(options, m.Index));
                manifest.Add(new Dictionary<string, object>
                {
                    ["id"] = w.Id, ["modality"] = m.Name, ["set"] = "completion", ["arm"] = arm, ["ratio"] = 1, ["repeat"] = 0, ["rows"] = rows,
                    ["init"] = WriteInit(subsetDir, w), ["embeddings"] = w.EmbeddingsPath, ["labels"] = w.LabelsPath, ["test"] = w.TestPath,
                    ["primary"] = m.PrimaryPath, ["reserve"] = m.ReservePath,
                });
            }
        }

        File.WriteAllText(Path.Combine(subsetDir, "manifest.json"), JsonSerializer.Serialize(manifest, Json));
    }

    /// <summary>
    /// Writes the weights probe <paramref name="w"/> started from as a (d + 1) × k float32 .npy: rows 0 … d − 1 are W
    /// (d × k, so torch's <c>Linear.weight</c> is its transpose), row d is b. Returns the path.
    /// </summary>
    private static string WriteInit(string subsetDir, ProbeWork w)
    {
        int d = checked((int)NpyFile.ReadHeader(w.EmbeddingsPath).Shape[1]);
        ProbeModel model = ShardedProbeTrainer.InitialModel(w, d);
        float[] data = new float[(d + 1) * w.Classes];
        model.Weights.CopyTo(data, 0);
        model.Bias.CopyTo(data, d * w.Classes);
        string file = Path.Combine(subsetDir, w.Id.Replace('/', '_') + ".init.npy");
        NpyFile.WriteMatrix(file, new FloatMatrix(d + 1, w.Classes, data));
        return file;
    }

    /// <summary>The prepared job of a finished run, rebuilt from its report and work folder (paths only; nothing is recomputed).</summary>
    private static PreparedJob JobPreparationView(CharacterizeOptions options, string workDir)
    {
        var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(workDir)!, "report.json"))).RootElement;
        int k = report.GetProperty("k").GetInt32();
        var modalities = new List<PreparedModality>();
        for (int i = 0; i < options.Modalities.Count; i++)
        {
            string name = options.Modalities[i].Name;
            modalities.Add(new PreparedModality(name, i, string.Empty, options.Modalities[i].Path, 0, Path.Combine(workDir, $"{name}.labels.npy"),
                Path.Combine(workDir, $"{name}.primary.npy"), Path.Combine(workDir, $"{name}.reserve.npy"), [], [], []));
        }

        return new PreparedJob(report.GetProperty("n").GetInt32(), k, Path.Combine(workDir, "split.train.npy"), Path.Combine(workDir, "split.test.npy"),
            0, 0, modalities, []);
    }

    /// <summary>One thread, one epoch's worth of blocks, split into the stages ProbeTrainer runs per block (a Stopwatch profile).</summary>
    private static int ProbeProfile(Options o)
    {
        int n = o.Int("n", 200_000), d = o.Int("d", 512), k = o.Int("classes", 10), reps = o.Int("reps", 3);
        ulong seed = (ulong)o.Int("seed", 42);
        string dir = o.DataDir;
        FloatMatrix x = LoadOrGenerate(Path.Combine(dir, $"probe-x-{n}x{d}-c{k}-s{seed}.npy"), n, d, k, seed, Path.Combine(dir, $"probe-y-{n}-c{k}-s{seed}.npy"));
        int[] rows = Enumerable.Range(0, n).ToArray();
        var random = new DeterministicRandom(3);
        float[] w = new float[d * k], bias = new float[k];
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = (float)(random.NextGaussian() * 0.05);
        }

        // The stages of ProbeGradientKernel's block step, timed apart: rows read in place by the skinny AVX-512
        // products into class-major logits, the float32 softmax 16 rows per vector, then the gradient product (rows
        // gathered into a block and the row-at-a-time softmax where AVX-512 is unavailable).
        var model = new ProbeModel(d, k, w, bias);
        int blockRows = ProbeModel.BlockRows;
        bool indexed = Gemm.SkinnyRowsAvailable(k, d);
        int stride = ProbeGradientKernel.ClassStride; // in place, the logits are class-major as in ProbeGradientKernel
        float[] block = new float[blockRows * d], logits = new float[Math.Max(ProbeGradientKernel.RoundUp(blockRows * k), k * stride)], grad = new float[d * k];
        float[] labelLogit = new float[blockRows];
        double[] gradB = new double[k];
        int[] labels = NpyFile.ReadIntVector(Path.Combine(dir, $"probe-y-{n}-c{k}-s{seed}.npy"));
        float invN = 1f / n;
        var t = new double[4];
        for (int rep = 0; rep < reps; rep++)
        {
            Array.Clear(t);
            var clock = new Stopwatch();
            double loss = 0;
            for (int start = 0; start < n; start += blockRows)
            {
                int count = Math.Min(blockRows, n - start);
                bool inPlace = indexed && count >= 32;
                clock.Restart();
                if (!inPlace)
                {
                    ProbeModel.Gather(x, rows.AsSpan(start, count), block);
                }

                t[0] += clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                if (inPlace)
                {
                    Gemm.SkinnyRowsForward(x.Data, d, rows.AsSpan(start, count), w, k, logits, stride);
                    ProbeGradientKernel.AddBiasClassMajor(logits, count, stride, bias);
                }
                else
                {
                    model.BlockLogits(block, count, logits);
                }

                t[1] += clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                loss += inPlace
                    ? ProbeGradientKernel.SoftmaxGradientClassMajor(logits, count, stride, k, labels.AsSpan(start, count), invN, gradB).Loss
                    : ProbeGradientKernel.SoftmaxGradient(logits, count, k, labels.AsSpan(start, count), invN, labelLogit, gradB).Loss;
                t[2] += clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                if (inPlace)
                {
                    Gemm.SkinnyRowsBackward(x.Data, d, rows.AsSpan(start, count), logits, k, grad, stride);
                }
                else
                {
                    Gemm.Sgemm(true, false, d, k, count, 1f, block, d, logits, k, 0f, grad, k);
                }

                t[3] += clock.Elapsed.TotalMilliseconds;
            }

            Console.Error.WriteLine($"one thread, one epoch n={n} d={d} k={k} ({(indexed ? "rows read in place" : "rows gathered")}): gather {t[0]:F1} ms, forward {t[1]:F1} ms ({2.0 * n * d * k / t[1] / 1e6:F1} GFLOP/s), " +
                $"softmax + loss + gradient {t[2]:F1} ms, backward {t[3]:F1} ms ({2.0 * n * d * k / t[3] / 1e6:F1} GFLOP/s); total {t.Sum():F1} ms (loss {loss / n:F4})");
        }

        return 0;
    }

    // Sums a buffer much larger than the caches on T threads (each its own contiguous part), best of reps: the rate at
    // which a full-batch probe epoch can stream its rows from memory, whatever its arithmetic.
    private static int BandwidthBench(Options o)
    {
        int mib = o.Int("mib", 1024), reps = o.Int("reps", 5), threads = o.Threads;
        long count = (long)mib * 1048576 / sizeof(float);
        float[] data = GC.AllocateUninitializedArray<float>(checked((int)count));
        Parallel.For(0, threads, t =>
        {
            long chunk = (count + threads - 1) / threads;
            data.AsSpan((int)(t * chunk), (int)Math.Min(chunk, count - (t * chunk))).Fill(1f);
        });
        double best = double.MaxValue;
        double checksum = 0;
        for (int rep = 0; rep <= reps; rep++)
        {
            var partial = new double[threads];
            var clock = Stopwatch.StartNew();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                long chunk = (count + threads - 1) / threads;
                var span = data.AsSpan((int)(t * chunk), (int)Math.Min(chunk, count - (t * chunk)));
                var acc = System.Numerics.Vector<float>.Zero;
                var vectors = System.Runtime.InteropServices.MemoryMarshal.Cast<float, System.Numerics.Vector<float>>(span);
                foreach (var v in vectors)
                {
                    acc += v;
                }

                partial[t] = System.Numerics.Vector.Sum(acc);
            });
            double seconds = clock.Elapsed.TotalSeconds;
            checksum = partial.Sum();
            if (rep > 0)
            {
                best = Math.Min(best, seconds); // rep 0 warms up
            }
        }

        double gbs = count * (double)sizeof(float) / best / 1e9;
        Console.Error.WriteLine($"read bandwidth {mib} MiB threads={threads}: best of {reps} {best * 1000:F1} ms, {gbs:F1} GB/s (checksum {checksum:G4})");
        Emit(o, new Dictionary<string, object?> { ["seconds"] = best, ["gb_per_s"] = gbs, ["threads"] = threads });
        return 0;
    }

    private static int GemmBench(Options o)
    {
        int m = o.Int("m", 4096), n = o.Int("n", 4096), k = o.Int("k", 4096), reps = o.Int("reps", 3), threads = o.Threads;
        bool managed = o.Flag("managed"), transB = o.Flag("transb"); // --transb: C = A·Bᵀ with B stored n × k (k-means' layout)
        var random = new DeterministicRandom(1);
        float[] a = new float[(long)m * k], b = new float[(long)k * n], c = new float[(long)m * n];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (float)random.NextGaussian();
        }

        for (int i = 0; i < b.Length; i++)
        {
            b[i] = (float)random.NextGaussian();
        }

        // Scar's callers split rows over their own threads and call a single-threaded product per block: so does this.
        int chunk = (m + threads - 1) / threads;
        double best = double.MaxValue;
        for (int rep = 0; rep <= reps; rep++)
        {
            var clock = Stopwatch.StartNew();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                int start = t * chunk, rows = Math.Min(chunk, m - start);
                if (rows <= 0)
                {
                    return;
                }

                var sa = a.AsSpan(start * k, rows * k);
                var sc = c.AsSpan(start * n, rows * n);
                if (managed)
                {
                    Gemm.ManagedSgemm(false, transB, rows, n, k, 1f, sa, k, b, transB ? k : n, 0f, sc, n);
                }
                else
                {
                    Gemm.Sgemm(false, transB, rows, n, k, 1f, sa, k, b, transB ? k : n, 0f, sc, n);
                }
            });
            double s = clock.Elapsed.TotalSeconds;
            if (rep > 0)
            {
                best = Math.Min(best, s); // rep 0 warms up
            }
        }

        double gflops = 2.0 * m * n * k / best / 1e9;
        string backend = managed ? "managed-" + Gemm.ManagedKernel : Gemm.Backend;
        Console.Error.WriteLine($"sgemm {m}x{n}x{k} threads={threads} backend={backend}{(Gemm.OpenBlasCore is { } core ? $" (OpenBLAS kernels {core})" : "")}: best of {reps} {best * 1000:F1} ms, {gflops:F1} GFLOP/s");
        if (!managed && Gemm.BackendNote is { } note)
        {
            Console.Error.WriteLine(note);
        }

        Emit(o, new Dictionary<string, object?> { ["seconds"] = best, ["gflops"] = gflops, ["threads"] = threads, ["backend"] = backend, ["openblas_core"] = Gemm.OpenBlasCore });
        return 0;
    }

    /// <summary>Reads the matrix at <paramref name="path"/>, or generates a synthetic one (Concepts = <paramref name="concepts"/>) and writes it.</summary>
    private static FloatMatrix LoadOrGenerate(string path, int n, int d, int concepts, ulong seed, string? labelsPath = null)
    {
        if (File.Exists(path) && (labelsPath is null || File.Exists(labelsPath)))
        {
            FloatMatrix existing = NpyFile.ReadMatrix(path);
            if (existing.Rows == n && existing.Cols == d)
            {
                return existing;
            }
        }

        var clock = Stopwatch.StartNew();
        var corpus = SyntheticCorpusGenerator.Generate(new SyntheticCorpusOptions
        {
            Items = n, Concepts = concepts, LatentDim = 32, DimA = d, DimB = 1, Spread = 0.8, Noise = 0.5, Mismatch = 0, Seed = seed,
        });
        NpyFile.WriteMatrix(path, corpus.A);
        if (labelsPath is not null)
        {
            NpyFile.WriteIntVector(labelsPath, corpus.Concepts);
        }

        Console.Error.WriteLine($"generated {n}×{d} ({concepts} concepts) in {clock.Elapsed.TotalSeconds:F1} s -> {path}");
        return corpus.A;
    }

    private static void Emit(Options o, Dictionary<string, object?> values)
    {
        if (o.Flag("json"))
        {
            Console.WriteLine(JsonSerializer.Serialize(values, Json));
        }
    }

    /// <summary>"--name value" pairs and bare "--flag"s.</summary>
    private sealed class Options
    {
        private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

        public Options(string[] args)
        {
            for (int i = 0; i < args.Length; i++)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new ArgumentException($"unexpected argument '{args[i]}'; options look like --n 1000.");
                }

                string name = args[i][2..];
                string? value = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
                _values[name] = value;
            }
        }

        public int Threads => Int("threads", Environment.ProcessorCount);

        public string DataDir
        {
            get
            {
                string dir = Path.GetFullPath(Text("data") ?? Path.Combine("bench", "data"));
                Directory.CreateDirectory(dir);
                return dir;
            }
        }

        public bool Flag(string name) => _values.ContainsKey(name);

        public string? Text(string name) => _values.TryGetValue(name, out string? v) ? v : null;

        public int Int(string name, int fallback) =>
            _values.TryGetValue(name, out string? v) && v is not null
                ? int.Parse(v.Replace("_", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture)
                : fallback;
    }
}
