namespace Scar.Core.Numerics;

/// <summary>
/// Trains the SCAR linear probe (spec §2) as the PyTorch reference does: float32 <c>nn.Linear</c> initialization,
/// mean cross-entropy, full-batch Adam, early stop on training accuracy, final weights kept. Rows are processed in
/// fixed blocks gathered into per-worker scratch; per-block gradients are folded in block order, so the weights
/// are bitwise identical for any thread count.
/// </summary>
public static class ProbeTrainer
{
    /// <summary>
    /// Trains on rows <paramref name="rows"/> of <paramref name="x"/>; <paramref name="labels"/>[i] in
    /// [0, <paramref name="classes"/>) labels row <paramref name="rows"/>[i]. <paramref name="seed"/> fixes the
    /// initial weights.
    /// </summary>
    public static ProbeTrainingResult Train(
        FloatMatrix x, int[] rows, int[] labels, int classes, ProbeOptions options, ulong seed,
        CancellationToken cancellationToken = default) =>
        TrainCore(x, rows, labels, classes, options, seed, gradients: null, cancellationToken);

    /// <summary>
    /// As <see cref="Train(FloatMatrix, int[], int[], int, ProbeOptions, ulong, CancellationToken)"/>, with each
    /// epoch's full-batch gradient from <paramref name="gradients"/> (built for the same rows and labels, e.g. on a
    /// GPU); initialization, Adam, early stopping and the final training logits stay here.
    /// </summary>
    public static ProbeTrainingResult Train(
        FloatMatrix x, int[] rows, int[] labels, int classes, ProbeOptions options, ulong seed, IProbeGradientSource gradients,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        return TrainCore(x, rows, labels, classes, options, seed, gradients, cancellationToken);
    }

    private static ProbeTrainingResult TrainCore(
        FloatMatrix x, int[] rows, int[] labels, int classes, ProbeOptions options, ulong seed, IProbeGradientSource? gradients,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(options);
        Validate(x, rows, labels, classes, options);

        int n = rows.Length, d = x.Cols, k = classes;
        var model = Initialize(d, k, seed);
        float[] w = model.Weights, b = model.Bias;

        var kernel = new ProbeGradientKernel(d, k, OrderedBlockParallel.ResolveThreads(options.Threads));
        float[] mW = new float[d * k], vW = new float[d * k], mB = new float[k], vB = new float[k];
        int blocks = (n + ProbeModel.BlockRows - 1) / ProbeModel.BlockRows;
        int workers = Math.Clamp(OrderedBlockParallel.ResolveThreads(options.Threads), 1, blocks);

        var lossHistory = new List<double>(options.MaxEpochs);
        var accuracyHistory = new List<double>(options.MaxEpochs);
        double best = double.NegativeInfinity;
        int stale = 0, epochs = 0;
        for (int epoch = 1; epoch <= options.MaxEpochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sums = gradients?.Compute(model, cancellationToken) ?? kernel.Compute(x, rows, labels, model, 1f / n, cancellationToken);
            if (sums.GradW.Length != d * k || sums.GradB.Length != k)
            {
                throw new InvalidOperationException($"the gradient source returned {sums.GradW.Length} + {sums.GradB.Length} values for a {d} × {k} probe.");
            }

            AdamStep(w, sums.GradW, mW, vW, epoch, options);
            AdamStep(b, sums.GradB, mB, vB, epoch, options);
            epochs = epoch;
            double accuracy = (double)sums.Correct / n;
            lossHistory.Add(sums.Loss / n);
            accuracyHistory.Add(accuracy);
            if (accuracy > best)
            {
                best = accuracy;
                stale = 0;
            }
            else if (++stale >= options.Patience)
            {
                break;
            }
        }

        float[] trainLogits = new float[(long)n * k > int.MaxValue ? throw new InvalidOperationException("rows × classes exceeds one array") : n * k];
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken }, () => new BlockScratch(), (block, _, scratch) =>
        {
            int start = block * ProbeModel.BlockRows;
            int count = Math.Min(ProbeModel.BlockRows, n - start);
            model.RowsLogits(x, rows.AsSpan(start, count), trainLogits.AsSpan(start * k, count * k), ref scratch.Block);
            return scratch;
        }, scratch =>
        {
            if (scratch.Block is not null)
            {
                System.Buffers.ArrayPool<float>.Shared.Return(scratch.Block);
            }
        });
        int[] predictions = new int[n];
        long right = 0;
        for (int i = 0; i < n; i++)
        {
            predictions[i] = ProbeModel.ArgMax(trainLogits.AsSpan(i * k, k));
            right += predictions[i] == labels[i] ? 1 : 0;
        }

        return new ProbeTrainingResult(model, epochs, trainLogits, predictions, (double)right / n, lossHistory, accuracyHistory);
    }

    /// <summary>
    /// nn.Linear's default: W and b uniform in ±1/√d. Drawn in torch's weight layout order (class by class, then
    /// the bias) so that a port of the reference seeded the same way draws the same values.
    /// </summary>
    internal static ProbeModel Initialize(int d, int k, ulong seed)
    {
        var rng = new DeterministicRandom(seed);
        double bound = 1.0 / Math.Sqrt(d);
        float[] w = new float[d * k];
        float[] b = new float[k];
        for (int c = 0; c < k; c++)
        {
            for (int j = 0; j < d; j++)
            {
                w[(j * k) + c] = (float)(((2 * rng.NextDouble()) - 1) * bound);
            }
        }

        for (int c = 0; c < k; c++)
        {
            b[c] = (float)(((2 * rng.NextDouble()) - 1) * bound);
        }

        return new ProbeModel(d, k, w, b);
    }

    /// <summary>torch.optim.Adam's update (float32 state, bias-corrected), elementwise in double.</summary>
    internal static void AdamStep(float[] parameter, double[] gradient, float[] m, float[] v, int step, ProbeOptions o)
    {
        double b1 = o.Beta1, b2 = o.Beta2;
        double stepSize = o.LearningRate / (1 - Math.Pow(b1, step));
        double correction2Sqrt = Math.Sqrt(1 - Math.Pow(b2, step));
        for (int i = 0; i < parameter.Length; i++)
        {
            double g = (float)gradient[i]; // torch's gradients are float32
            double mi = (b1 * m[i]) + ((1 - b1) * g);
            double vi = (b2 * v[i]) + ((1 - b2) * g * g);
            m[i] = (float)mi;
            v[i] = (float)vi;
            double denom = (Math.Sqrt(vi) / correction2Sqrt) + o.AdamEpsilon;
            parameter[i] = (float)(parameter[i] - (stepSize * mi / denom));
        }
    }

    private static void Validate(FloatMatrix x, int[] rows, int[] labels, int classes, ProbeOptions options)
    {
        if (rows.Length == 0)
        {
            throw new ArgumentException("the probe needs at least one training row.", nameof(rows));
        }

        if (labels.Length != rows.Length)
        {
            throw new ArgumentException($"{labels.Length} labels for {rows.Length} rows.", nameof(labels));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(x.Cols, "x.Cols");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxEpochs, "options.MaxEpochs");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Patience, "options.Patience");
        for (int i = 0; i < rows.Length; i++)
        {
            if ((uint)rows[i] >= (uint)x.Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), $"rows[{i}] = {rows[i]} is outside the matrix's {x.Rows} rows.");
            }

            if ((uint)labels[i] >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), $"labels[{i}] = {labels[i]} is outside [0, {classes}).");
            }
        }
    }

    /// <summary>A worker's gather block for the final logits pass, rented only where the rows cannot be read in place.</summary>
    private sealed class BlockScratch
    {
        public float[]? Block;
    }
}
