namespace Scar.Core.Numerics;

/// <summary>
/// A dense row-major float32 matrix. The one in-memory form of an embedding matrix: rows are samples, columns
/// are embedding dimensions. The buffer is owned by the matrix; kernels take spans of it.
/// </summary>
public sealed class FloatMatrix
{
    /// <summary>Wraps <paramref name="data"/> (row-major, length rows × cols) without copying.</summary>
    public FloatMatrix(int rows, int cols, float[] data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        ArgumentNullException.ThrowIfNull(data);
        if ((long)rows * cols != data.LongLength)
        {
            throw new ArgumentException($"data has {data.LongLength} elements, expected {rows} × {cols}.", nameof(data));
        }

        Rows = rows;
        Cols = cols;
        Data = data;
    }

    /// <summary>Allocates a zeroed rows × cols matrix.</summary>
    public FloatMatrix(int rows, int cols)
        : this(rows, cols, new float[checked((long)rows * cols)])
    {
    }

    /// <summary>Number of rows (samples).</summary>
    public int Rows { get; }

    /// <summary>Number of columns (dimensions).</summary>
    public int Cols { get; }

    /// <summary>The row-major buffer.</summary>
    public float[] Data { get; }

    /// <summary>Row <paramref name="i"/> as a span.</summary>
    public Span<float> Row(int i) => Data.AsSpan((int)((long)i * Cols), Cols);

    /// <summary>A new matrix holding the rows listed in <paramref name="rows"/>, in that order.</summary>
    public FloatMatrix GatherRows(ReadOnlySpan<int> rows)
    {
        var result = new FloatMatrix(rows.Length, Cols);
        for (int i = 0; i < rows.Length; i++)
        {
            Row(rows[i]).CopyTo(result.Row(i));
        }

        return result;
    }
}
