using System.Numerics;
using System.Runtime.Intrinsics;

namespace Scar.Core.Numerics;

/// <summary>What one pass over a probe's rows sums up: the loss gradient, the loss and the correct count.</summary>
/// <param name="GradW">∂loss/∂W, d × k, already divided by the global row count.</param>
/// <param name="GradB">∂loss/∂b, length k.</param>
/// <param name="Loss">Sum of the rows' cross-entropies (not divided).</param>
/// <param name="Correct">Rows whose argmax equals the label.</param>
public sealed record GradientSums(double[] GradW, double[] GradB, double Loss, long Correct);

/// <summary>
/// The probe's full-batch gradient over a set of rows: fixed blocks of <see cref="ProbeModel.BlockRows"/> rows are
/// gathered into per-worker scratch, multiplied with GEMM, and folded in block order, so the sums are bitwise the same
/// for any thread count. Used by the in-memory trainer and by each embedding shard of a distributed one.
/// </summary>
internal sealed class ProbeGradientKernel(int dim, int classes, int threads)
{
    private Worker[] _workers = [];

    /// <summary>
    /// Sums the gradient of the mean cross-entropy over <paramref name="rows"/> of <paramref name="x"/>, with
    /// <paramref name="labels"/>[i] the label of rows[i]; each row's gradient is scaled by <paramref name="invN"/>.
    /// </summary>
    public GradientSums Compute(FloatMatrix x, int[] rows, int[] labels, ProbeModel model, float invN, CancellationToken cancellationToken)
    {
        int d = dim, k = classes, n = rows.Length;
        var gradW = new double[d * k];
        var gradB = new double[k];
        if (n == 0)
        {
            return new GradientSums(gradW, gradB, 0, 0);
        }

        int blocks = (n + ProbeModel.BlockRows - 1) / ProbeModel.BlockRows;
        int workers = Math.Clamp(threads, 1, blocks);

        // Two scratch slots per worker: a worker that finished a block goes on to the next one instead of waiting for
        // its turn to fold (OrderedBlockParallel.RunSlots; the fold order and so the sums are the same).
        int slots = workers == 1 ? 1 : 2 * workers;
        if (_workers.Length < slots)
        {
            _workers = new Worker[slots];
            for (int i = 0; i < slots; i++)
            {
                _workers[i] = new Worker(ProbeModel.BlockRows, d, k);
            }
        }

        double loss = 0;
        long correct = 0;
        var scratch = _workers;
        OrderedBlockParallel.RunSlots(blocks, workers, slots, (block, wi) =>
        {
            Worker s = scratch[wi];
            int start = block * ProbeModel.BlockRows;
            int count = Math.Min(ProbeModel.BlockRows, n - start);
            // With the AVX-512 skinny kernels the products read the rows where they are (the same arithmetic in the
            // same order as on a gathered block, so the same bits); otherwise the rows are gathered into a block.
            // There the logits are written class-major, so the softmax runs 16 rows per vector (same bits again).
            bool indexed = Gemm.SkinnyRowsAvailable(k, d) && count >= 32;
            s.GradB.AsSpan().Clear();
            if (indexed)
            {
                Gemm.SkinnyRowsForward(x.Data, d, rows.AsSpan(start, count), model.Weights, k, s.Logits, ClassStride);
                AddBiasClassMajor(s.Logits, count, ClassStride, model.Bias);
                (s.Loss, s.Correct) = SoftmaxGradientClassMajor(s.Logits, count, ClassStride, k, labels.AsSpan(start, count), invN, s.GradB);

                // dW_block = X_blockᵀ·G_block (d × k).
                Gemm.SkinnyRowsBackward(x.Data, d, rows.AsSpan(start, count), s.Logits, k, s.GradW, ClassStride);
            }
            else
            {
                ProbeModel.Gather(x, rows.AsSpan(start, count), s.Block);
                model.BlockLogits(s.Block, count, s.Logits);
                (s.Loss, s.Correct) = SoftmaxGradient(s.Logits, count, k, labels.AsSpan(start, count), invN, s.LabelLogit, s.GradB);
                Gemm.Sgemm(true, false, d, k, count, 1f, s.Block, d, s.Logits, k, 0f, s.GradW, k);
            }
        }, (_, wi) =>
        {
            Worker s = scratch[wi];
            for (int i = 0; i < gradW.Length; i++)
            {
                gradW[i] += s.GradW[i];
            }

            VectorMath.Add(s.GradB, gradB);
            loss += s.Loss;
            correct += s.Correct;
        }, cancellationToken);
        return new GradientSums(gradW, gradB, loss, correct);
    }

    /// <summary>
    /// Softmax cross-entropy in float32, as the reference (PyTorch) computes it: shifts each of the
    /// <paramref name="count"/> rows of <paramref name="logits"/> by its max, takes one vectorized exp over the
    /// block, then per row the sum, the loss and the gradient (softmax − one-hot)·<paramref name="invN"/>, which
    /// replaces the logits; the gradient's column sums are added to <paramref name="gradB"/>. Returns the summed
    /// loss and the rows whose argmax equals the label. <paramref name="labelLogit"/> is scratch of count values.
    /// </summary>
    internal static (double Loss, long Correct) SoftmaxGradient(float[] logits, int count, int k, ReadOnlySpan<int> labels, float invN, Span<float> labelLogit, Span<double> gradB)
    {
        long correct = 0;
        for (int r = 0; r < count; r++)
        {
            Span<float> z = logits.AsSpan(r * k, k);
            int label = labels[r];
            if (ProbeModel.ArgMax(z) == label)
            {
                correct++;
            }

            float max = z[0];
            for (int c = 1; c < k; c++)
            {
                max = Math.Max(max, z[c]);
            }

            for (int c = 0; c < k; c++)
            {
                z[c] -= max;
            }

            labelLogit[r] = z[label];
        }

        ExpInPlace(logits.AsSpan(0, RoundUp(count * k)));
        double loss = 0;
        for (int r = 0; r < count; r++)
        {
            Span<float> e = logits.AsSpan(r * k, k);
            int label = labels[r];
            float sum = 0f;
            for (int c = 0; c < k; c++)
            {
                sum += e[c];
            }

            loss += Math.Log(sum) - labelLogit[r];
            float inverseSum = 1f / sum;
            for (int c = 0; c < k; c++)
            {
                float g = ((e[c] * inverseSum) - (c == label ? 1f : 0f)) * invN;
                e[c] = g;
                gradB[c] += g;
            }
        }

        return (loss, correct);
    }

    /// <summary>Distance between two classes' logits in a worker's class-major buffer: a block's rows, rounded up to a vector.</summary>
    internal static int ClassStride => RoundUp(ProbeModel.BlockRows);

    /// <summary>Adds b[c] to the first <paramref name="count"/> logits of each class (class-major, <paramref name="stride"/> apart).</summary>
    internal static void AddBiasClassMajor(float[] logits, int count, int stride, float[] bias)
    {
        for (int c = 0; c < bias.Length; c++)
        {
            Span<float> z = logits.AsSpan(c * stride, count);
            float b = bias[c];
            for (int r = 0; r < z.Length; r++)
            {
                z[r] += b;
            }
        }
    }

    /// <summary>
    /// <see cref="SoftmaxGradient"/> on class-major logits (class c's value for row r at c·<paramref name="stride"/> + r),
    /// 16 rows per AVX-512 vector: the same float32 operations in the same order for every row, so the gradient (written
    /// over the logits, class-major), the loss, the correct count and <paramref name="gradB"/> have the bits of the
    /// row-at-a-time loop. The loss is summed row by row and <paramref name="gradB"/> class by class in row order, as
    /// there. Needs AVX-512, k ≤ 16 and <paramref name="stride"/> ≥ <paramref name="count"/> rounded up to 16.
    /// </summary>
    internal static unsafe (double Loss, long Correct) SoftmaxGradientClassMajor(float[] logits, int count, int stride, int k, ReadOnlySpan<int> labels, float invN, Span<double> gradB)
    {
        if (!Vector512.IsHardwareAccelerated || k > 16 || k < 1 || stride < RoundUp(count) || logits.Length < (long)k * stride || labels.Length < count || gradB.Length < k)
        {
            throw new ArgumentException($"class-major softmax needs AVX-512, 1 ≤ k ≤ 16 and a {k} × ≥{RoundUp(count)} buffer (k = {k}, stride {stride}, {logits.Length} values, {labels.Length} labels).");
        }

        long correct = 0;
        double loss = 0;
        int* label = stackalloc int[16];
        float* sums = stackalloc float[16];
        float* labelShifted = stackalloc float[16];
        Vector512<float> one = Vector512.Create(1f), scale = Vector512.Create(invN);
        fixed (float* pl = logits)
        {
            for (int r0 = 0; r0 < count; r0 += 16)
            {
                int lanes = Math.Min(16, count - r0);
                for (int l = 0; l < 16; l++)
                {
                    label[l] = l < lanes ? labels[r0 + l] : -1;
                }

                Vector512<int> y = Vector512.Load(label);
                float* z0 = pl + r0;

                // Argmax (ties to the lowest class, NaN never wins) and the max, on the raw logits.
                Vector512<float> first = Vector512.Load(z0), best = first, max = first;
                Vector512<int> arg = Vector512<int>.Zero;
                for (int c = 1; c < k; c++)
                {
                    Vector512<float> z = Vector512.Load(z0 + ((nint)c * stride));
                    Vector512<float> greater = Vector512.GreaterThan(z, best);
                    best = Vector512.ConditionalSelect(greater, z, best);
                    arg = Vector512.ConditionalSelect(greater.AsInt32(), Vector512.Create(c), arg);
                    max = Vector512.Max(max, z);
                }

                correct += BitOperations.PopCount(Vector512.Equals(arg, y).ExtractMostSignificantBits());

                // Shift by the max, keep the label's shifted logit, exponentiate, sum in class order.
                Vector512<float> sum = Vector512<float>.Zero, atLabel = Vector512<float>.Zero;
                for (int c = 0; c < k; c++)
                {
                    float* zc = z0 + ((nint)c * stride);
                    Vector512<float> z = Vector512.Load(zc) - max;
                    atLabel = Vector512.ConditionalSelect(Vector512.Equals(y, Vector512.Create(c)).AsSingle(), z, atLabel);
                    Vector512<float> e = Vector512.Exp(z);
                    e.Store(zc);
                    sum += e;
                }

                // (softmax − one-hot)·invN over the exponentials.
                Vector512<float> inverse = one / sum;
                for (int c = 0; c < k; c++)
                {
                    float* zc = z0 + ((nint)c * stride);
                    Vector512<float> hot = Vector512.ConditionalSelect(Vector512.Equals(y, Vector512.Create(c)).AsSingle(), one, Vector512<float>.Zero);
                    (((Vector512.Load(zc) * inverse) - hot) * scale).Store(zc);
                }

                sum.Store(sums);
                atLabel.Store(labelShifted);
                for (int l = 0; l < lanes; l++)
                {
                    loss += Math.Log(sums[l]) - labelShifted[l];
                }
            }

            // The bias gradient: each class's column summed in row order (four classes' chains at a time).
            int c0 = 0;
            for (; c0 + 4 <= k; c0 += 4)
            {
                float* g0 = pl + ((nint)c0 * stride), g1 = g0 + stride, g2 = g1 + stride, g3 = g2 + stride;
                double s0 = gradB[c0], s1 = gradB[c0 + 1], s2 = gradB[c0 + 2], s3 = gradB[c0 + 3];
                for (int r = 0; r < count; r++)
                {
                    s0 += g0[r];
                    s1 += g1[r];
                    s2 += g2[r];
                    s3 += g3[r];
                }

                (gradB[c0], gradB[c0 + 1], gradB[c0 + 2], gradB[c0 + 3]) = (s0, s1, s2, s3);
            }

            for (; c0 < k; c0++)
            {
                float* g0 = pl + ((nint)c0 * stride);
                double s0 = gradB[c0];
                for (int r = 0; r < count; r++)
                {
                    s0 += g0[r];
                }

                gradB[c0] = s0;
            }
        }

        return (loss, correct);
    }

    // Exponentials are taken a whole vector at a time (padding included), so every element goes through the same
    // function whatever its position: the sums do not depend on where a block ends.
    internal static int RoundUp(int length) => (length + 15) & ~15;

    private static void ExpInPlace(Span<float> values)
    {
        ref float v = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(values);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= values.Length - 16; i += 16)
            {
                Vector512.Exp(Vector512.LoadUnsafe(ref v, (nuint)i)).StoreUnsafe(ref v, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= values.Length - 8; i += 8)
            {
                Vector256.Exp(Vector256.LoadUnsafe(ref v, (nuint)i)).StoreUnsafe(ref v, (nuint)i);
            }
        }

        for (; i < values.Length; i++)
        {
            values[i] = MathF.Exp(values[i]);
        }
    }

    /// <summary>One worker's scratch: the gathered block, its logits (then its gradient), and its partial sums.</summary>
    private sealed class Worker(int blockRows, int d, int k)
    {
        private float[]? _block;

        // The gathered rows, needed only where the skinny kernels cannot read them in place.
        public float[] Block => _block ??= new float[blockRows * d];

        public float[] Logits { get; } = new float[Math.Max(RoundUp(blockRows * k), k * RoundUp(blockRows))];

        public float[] GradW { get; } = new float[d * k];

        public double[] GradB { get; } = new double[k];

        public float[] LabelLogit { get; } = new float[blockRows];

        public double Loss { get; set; }

        public long Correct { get; set; }
    }
}
