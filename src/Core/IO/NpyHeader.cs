using System.Text;

namespace Scar.Core.IO;

/// <summary>
/// The parsed header of a .npy file: element type, memory order, shape, and where the raw data starts.
/// </summary>
/// <param name="DType">Element type of the data.</param>
/// <param name="FortranOrder">True when the data is stored column-major (<c>fortran_order: True</c>).</param>
/// <param name="Shape">Array dimensions, outermost first; empty for a 0-d (scalar) array.</param>
/// <param name="DataOffset">Byte offset of the first element from the start of the file.</param>
public sealed record NpyHeader(NpyDType DType, bool FortranOrder, long[] Shape, long DataOffset)
{
    /// <summary>Bytes per element of <see cref="DType"/>.</summary>
    public int ItemSize => NpyDTypes.ItemSize(DType);

    /// <summary>
    /// Number of elements (product of <see cref="Shape"/>; 1 for a scalar). Headers returned by
    /// <see cref="NpyFile.ReadHeader"/> are validated so this cannot overflow.
    /// </summary>
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (long dim in Shape)
            {
                count = checked(count * dim);
            }

            return count;
        }
    }

    /// <summary>Bytes of element data that follow the header: <see cref="ElementCount"/> × <see cref="ItemSize"/>.</summary>
    public long DataByteCount => checked(ElementCount * ItemSize);

    /// <summary>The shape as Python prints a tuple: <c>(3,)</c>, <c>(3, 4)</c>, <c>()</c>.</summary>
    public string ShapeText => FormatShape(Shape);

    /// <summary>Value equality including the elements of <see cref="Shape"/> (a plain record compares the array reference).</summary>
    public bool Equals(NpyHeader? other) =>
        other is not null
        && DType == other.DType
        && FortranOrder == other.FortranOrder
        && DataOffset == other.DataOffset
        && Shape.AsSpan().SequenceEqual(other.Shape);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.Add(DType);
        hash.Add(FortranOrder);
        hash.Add(DataOffset);
        foreach (long dim in Shape)
        {
            hash.Add(dim);
        }

        return hash.ToHashCode();
    }

    /// <summary>Readable form with the shape spelled out, e.g. for logs.</summary>
    public override string ToString() =>
        $"NpyHeader {{ DType = {DType}, FortranOrder = {FortranOrder}, Shape = {ShapeText}, DataOffset = {DataOffset} }}";

    /// <summary>Formats a shape as Python's <c>repr</c> of a tuple, so messages match what users see in NumPy.</summary>
    internal static string FormatShape(ReadOnlySpan<long> shape)
    {
        if (shape.Length == 1)
        {
            return $"({shape[0]},)";
        }

        var text = new StringBuilder("(");
        for (int i = 0; i < shape.Length; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }

            text.Append(shape[i]);
        }

        return text.Append(')').ToString();
    }
}
