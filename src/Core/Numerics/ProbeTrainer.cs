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
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(options);
        Validate(x, rows, labels, classes, options);

        int n = rows.Length, d = x.Cols, k = classes;
        var model = Initialize(d, k, seed);
        float[] w = model.Weights, b = model.Bias;

        int blocks = (n + ProbeModel.BlockRows - 1) / ProbeModel.BlockRows;
        int workers = Math.Clamp(OrderedBlockParallel.ResolveThreads(options.Threads), 1, blocks);
        int blockCapacity = Math.Min(ProbeModel.BlockRows, n);
        var scratch = new Worker[workers];
        for (int i = 0; i < workers; i++)
        {
            scratch[i] = new Worker(blockCapacity, d, k);
        }

        double[] gradW = new double[d * k];
        double[] gradB = new double[k];
        float[] mW = new float[d * k], vW = new float[d * k], mB = new float[k], vB = new float[k];
        double loss = 0;
        long correct = 0;
        float invN = 1f / n;

        // Built once: an epoch then allocates nothing but the parallel loop's own bookkeeping.
        Action<int, int> compute = (block, wi) =>
        {
            Worker s = scratch[wi];
            int start = block * ProbeModel.BlockRows;
            int count = Math.Min(ProbeModel.BlockRows, n - start);
            ProbeModel.Gather(x, rows.AsSpan(start, count), s.Block);
            model.BlockLogits(s.Block, count, s.Logits);
            s.Loss = 0;
            s.Correct = 0;
            s.GradB.AsSpan().Clear();
            for (int r = 0; r < count; r++)
            {
                Span<float> z = s.Logits.AsSpan(r * k, k);
                int label = labels[start + r];
                if (ProbeModel.ArgMax(z) == label)
                {
                    s.Correct++;
                }

                // Stable log-sum-exp; the softmax reuses the shifted exponentials.
                float max = z[0];
                for (int c = 1; c < k; c++)
                {
                    max = Math.Max(max, z[c]);
                }

                double sum = 0;
                Span<double> e = s.Exponentials;
                for (int c = 0; c < k; c++)
                {
                    e[c] = Math.Exp(z[c] - max);
                    sum += e[c];
                }

                s.Loss += Math.Log(sum) + max - z[label];
                double inverseSum = 1.0 / sum;
                for (int c = 0; c < k; c++)
                {
                    double p = e[c] * inverseSum;
                    float g = (float)((p - (c == label ? 1.0 : 0.0)) * invN);
                    z[c] = g;
                    s.GradB[c] += g;
                }
            }

            // dW_block = X_blockᵀ·G_block (d × k).
            Gemm.Sgemm(true, false, d, k, count, 1f, s.Block, d, s.Logits, k, 0f, s.GradW, k);
        };
        Action<int, int> commit = (_, wi) =>
        {
            Worker s = scratch[wi];
            for (int i = 0; i < gradW.Length; i++)
            {
                gradW[i] += s.GradW[i];
            }

            VectorMath.Add(s.GradB, gradB);
            loss += s.Loss;
            correct += s.Correct;
        };

        var lossHistory = new List<double>(options.MaxEpochs);
        var accuracyHistory = new List<double>(options.MaxEpochs);
        double best = double.NegativeInfinity;
        int stale = 0, epochs = 0;
        for (int epoch = 1; epoch <= options.MaxEpochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            gradW.AsSpan().Clear();
            gradB.AsSpan().Clear();
            loss = 0;
            correct = 0;
            OrderedBlockParallel.Run(blocks, workers, compute, commit, cancellationToken);

            AdamStep(w, gradW, mW, vW, epoch, options);
            AdamStep(b, gradB, mB, vB, epoch, options);
            epochs = epoch;
            double accuracy = (double)correct / n;
            lossHistory.Add(loss / n);
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
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken }, () => new float[blockCapacity * d], (block, _, buffer) =>
        {
            int start = block * ProbeModel.BlockRows;
            int count = Math.Min(ProbeModel.BlockRows, n - start);
            ProbeModel.Gather(x, rows.AsSpan(start, count), buffer);
            model.BlockLogits(buffer, count, trainLogits.AsSpan(start * k, count * k));
            return buffer;
        }, _ => { });
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
    private static ProbeModel Initialize(int d, int k, ulong seed)
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
    private static void AdamStep(float[] parameter, double[] gradient, float[] m, float[] v, int step, ProbeOptions o)
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

    /// <summary>One worker's scratch: the gathered block, its logits (then its gradient), and its partial sums.</summary>
    private sealed class Worker(int blockRows, int d, int k)
    {
        public float[] Block { get; } = new float[blockRows * d];

        public float[] Logits { get; } = new float[blockRows * k];

        public float[] GradW { get; } = new float[d * k];

        public double[] GradB { get; } = new double[k];

        public double[] Exponentials { get; } = new double[k];

        public double Loss { get; set; }

        public long Correct { get; set; }
    }
}
