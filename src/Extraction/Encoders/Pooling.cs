using System.Numerics.Tensors;

namespace Scar.Extraction.Encoders;

/// <summary>Output pooling and normalization shared by the encoders.</summary>
public static class Pooling
{
    /// <summary>L2-normalizes a vector in place (a zero vector stays zero).</summary>
    public static void L2Normalize(Span<float> v)
    {
        float norm = TensorPrimitives.Norm(v);
        if (norm > 0)
        {
            TensorPrimitives.Divide(v, norm, v);
        }
    }

    /// <summary>
    /// Pools one item of a model output into <paramref name="row"/>: [B, D…] flattened for <see cref="PoolingKind.None"/>,
    /// [B, T, D] averaged over the masked tokens or taken at token 0.
    /// </summary>
    public static void PoolItem(ReadOnlySpan<float> output, long[] shape, int item, PoolingKind pooling, ReadOnlySpan<long> mask, Span<float> row)
    {
        if (pooling == PoolingKind.None)
        {
            int per = output.Length / (int)shape[0];
            output.Slice(item * per, per).CopyTo(row);
            return;
        }

        if (shape.Length != 3)
        {
            throw new ExtractionException($"{pooling} pooling needs a [batch, tokens, dim] output; the model gives [{string.Join(", ", shape)}].");
        }

        int t = (int)shape[1], d = (int)shape[2];
        var item0 = output.Slice(item * t * d, t * d);
        if (pooling == PoolingKind.Cls)
        {
            item0[..d].CopyTo(row);
            return;
        }

        row.Clear();
        float count = 0;
        for (int i = 0; i < t; i++)
        {
            if (mask.IsEmpty || mask[i] != 0)
            {
                TensorPrimitives.Add(row, item0.Slice(i * d, d), row);
                count++;
            }
        }

        if (count > 0)
        {
            TensorPrimitives.Divide(row, count, row);
        }
    }

    /// <summary>The embedding width a declared output shape gives (null when symbolic).</summary>
    public static int? Width(int[] outputShape, PoolingKind pooling)
    {
        if (pooling != PoolingKind.None)
        {
            return outputShape.Length == 3 && outputShape[2] > 0 ? outputShape[2] : null;
        }

        long per = 1;
        for (int i = 1; i < outputShape.Length; i++)
        {
            if (outputShape[i] <= 0)
            {
                return null;
            }

            per *= outputShape[i];
        }

        return outputShape.Length > 1 ? (int)per : null;
    }
}
