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
        if (_workers.Length < workers)
        {
            _workers = new Worker[workers];
            for (int i = 0; i < workers; i++)
            {
                _workers[i] = new Worker(ProbeModel.BlockRows, d, k);
            }
        }

        double loss = 0;
        long correct = 0;
        var scratch = _workers;
        OrderedBlockParallel.Run(blocks, workers, (block, wi) =>
        {
            Worker s = scratch[wi];
            int start = block * ProbeModel.BlockRows;
            int count = Math.Min(ProbeModel.BlockRows, n - start);
            // With the AVX-512 skinny kernels the products read the rows where they are (the same arithmetic in the
            // same order as on a gathered block, so the same bits); otherwise the rows are gathered into a block.
            bool indexed = Gemm.SkinnyRowsAvailable(k, d) && count >= 32;
            if (indexed)
            {
                Gemm.SkinnyRowsForward(x.Data, d, rows.AsSpan(start, count), model.Weights, k, s.Logits);
                model.AddBias(s.Logits, count);
            }
            else
            {
                ProbeModel.Gather(x, rows.AsSpan(start, count), s.Block);
                model.BlockLogits(s.Block, count, s.Logits);
            }

            s.GradB.AsSpan().Clear();
            (s.Loss, s.Correct) = SoftmaxGradient(s.Logits, count, k, labels.AsSpan(start, count), invN, s.LabelLogit, s.GradB);

            // dW_block = X_blockᵀ·G_block (d × k).
            if (indexed)
            {
                Gemm.SkinnyRowsBackward(x.Data, d, rows.AsSpan(start, count), s.Logits, k, s.GradW);
            }
            else
            {
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
        public float[] Block { get; } = new float[blockRows * d];

        public float[] Logits { get; } = new float[RoundUp(blockRows * k)];

        public float[] GradW { get; } = new float[d * k];

        public double[] GradB { get; } = new double[k];

        public float[] LabelLogit { get; } = new float[blockRows];

        public double Loss { get; set; }

        public long Correct { get; set; }
    }
}
