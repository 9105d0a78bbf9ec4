namespace Scar.Core.Numerics;

/// <summary>A trained linear softmax classifier: <c>logits = x·W + b</c> with W of shape Dim × Classes.</summary>
public sealed class ProbeModel
{
    /// <summary>Rows gathered per product: one block's copy stays in L2.</summary>
    internal const int BlockRows = 512;

    /// <summary>Wraps trained parameters (not copied).</summary>
    public ProbeModel(int dim, int classes, float[] weights, float[] bias)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(bias);
        if (weights.Length != (long)dim * classes || bias.Length != classes)
        {
            throw new ArgumentException($"weights must be {dim} × {classes} and bias {classes} long.", nameof(weights));
        }

        Dim = dim;
        Classes = classes;
        Weights = weights;
        Bias = bias;
    }

    /// <summary>Input dimension d.</summary>
    public int Dim { get; }

    /// <summary>Number of classes k.</summary>
    public int Classes { get; }

    /// <summary>W, d × k row-major.</summary>
    public float[] Weights { get; }

    /// <summary>b, length k.</summary>
    public float[] Bias { get; }

    /// <summary>Writes the logits of rows <paramref name="rows"/> of <paramref name="x"/> into <paramref name="logits"/> (rows.Length × k).</summary>
    public void Logits(FloatMatrix x, ReadOnlySpan<int> rows, Span<float> logits)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckShape(x);
        if (logits.Length < (long)rows.Length * Classes)
        {
            throw new ArgumentException($"logits holds {logits.Length} values; {rows.Length} rows × {Classes} classes are needed.", nameof(logits));
        }

        // Rented: shards call this for every probe, and a fresh block each time would be large-object-heap garbage.
        float[]? scratch = null;
        try
        {
            for (int start = 0; start < rows.Length; start += BlockRows)
            {
                int count = Math.Min(BlockRows, rows.Length - start);
                RowsLogits(x, rows.Slice(start, count), logits.Slice(start * Classes, count * Classes), ref scratch);
            }
        }
        finally
        {
            if (scratch is not null)
            {
                System.Buffers.ArrayPool<float>.Shared.Return(scratch);
            }
        }
    }

    /// <summary>
    /// The logits of ≤ <see cref="BlockRows"/> rows: read where they are by the skinny AVX-512 product when it takes
    /// them (the kernel a gathered block's product runs too, so the same bits), else gathered into
    /// <paramref name="scratch"/> (rented on first need; the caller returns it) and multiplied.
    /// </summary>
    internal void RowsLogits(FloatMatrix x, ReadOnlySpan<int> rows, Span<float> logits, ref float[]? scratch)
    {
        int count = rows.Length;
        if (count >= 4 && Gemm.SkinnyRowsAvailable(Classes, Dim))
        {
            Gemm.SkinnyRowsForward(x.Data, Dim, rows, Weights, Classes, logits);
            AddBias(logits, count);
            return;
        }

        scratch ??= System.Buffers.ArrayPool<float>.Shared.Rent(BlockRows * Dim);
        Gather(x, rows, scratch);
        BlockLogits(scratch, count, logits);
    }

    /// <summary>Fraction of <paramref name="rows"/> whose argmax logit (ties to the lowest class) equals the label.</summary>
    public double Accuracy(FloatMatrix x, ReadOnlySpan<int> rows, ReadOnlySpan<int> labels)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (labels.Length != rows.Length)
        {
            throw new ArgumentException($"{labels.Length} labels for {rows.Length} rows.", nameof(labels));
        }

        if (rows.Length == 0)
        {
            return 0;
        }

        CheckShape(x);
        float[]? scratch = null;
        float[] logits = new float[Math.Min(BlockRows, rows.Length) * Classes];
        long correct = 0;
        try
        {
            for (int start = 0; start < rows.Length; start += BlockRows)
            {
                int count = Math.Min(BlockRows, rows.Length - start);
                RowsLogits(x, rows.Slice(start, count), logits.AsSpan(0, count * Classes), ref scratch);
                for (int r = 0; r < count; r++)
                {
                    if (ArgMax(logits.AsSpan(r * Classes, Classes)) == labels[start + r])
                    {
                        correct++;
                    }
                }
            }
        }
        finally
        {
            if (scratch is not null)
            {
                System.Buffers.ArrayPool<float>.Shared.Return(scratch);
            }
        }

        return (double)correct / rows.Length;
    }

    /// <summary>logits[count × k] = block[count × d]·W + b.</summary>
    internal void BlockLogits(ReadOnlySpan<float> block, int count, Span<float> logits)
    {
        Gemm.Sgemm(false, false, count, Classes, Dim, 1f, block, Dim, Weights, Classes, 0f, logits, Classes);
        AddBias(logits, count);
    }

    /// <summary>Adds b to each of the first <paramref name="count"/> rows of logits.</summary>
    internal void AddBias(Span<float> logits, int count)
    {
        for (int r = 0; r < count; r++)
        {
            Span<float> row = logits.Slice(r * Classes, Classes);
            for (int c = 0; c < Classes; c++)
            {
                row[c] += Bias[c];
            }
        }
    }

    /// <summary>Copies rows of x into a contiguous block (the caller's scratch).</summary>
    internal static void Gather(FloatMatrix x, ReadOnlySpan<int> rows, Span<float> block)
    {
        int d = x.Cols;
        for (int r = 0; r < rows.Length; r++)
        {
            x.Row(rows[r]).CopyTo(block.Slice(r * d, d));
        }
    }

    /// <summary>Index of the largest value, ties to the lowest index (as torch.argmax on CPU).</summary>
    internal static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int c = 1; c < values.Length; c++)
        {
            if (values[c] > values[best])
            {
                best = c;
            }
        }

        return best;
    }

    private void CheckShape(FloatMatrix x)
    {
        if (x.Cols != Dim)
        {
            throw new ArgumentException($"the probe takes {Dim}-dimensional rows; the matrix has {x.Cols} columns.", nameof(x));
        }
    }
}
