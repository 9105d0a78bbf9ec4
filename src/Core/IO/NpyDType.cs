namespace Scar.Core.IO;

/// <summary>
/// The element types Scar understands in .npy files. All are stored little-endian on disk; the descr strings
/// NumPy writes for them are <c>'&lt;f2'</c>, <c>'&lt;f4'</c>, <c>'&lt;f8'</c>, <c>'&lt;i4'</c> and <c>'&lt;i8'</c>.
/// </summary>
public enum NpyDType
{
    /// <summary>IEEE 754 half precision (<c>np.float16</c>, descr <c>'&lt;f2'</c>).</summary>
    Float16,

    /// <summary>IEEE 754 single precision (<c>np.float32</c>, descr <c>'&lt;f4'</c>).</summary>
    Float32,

    /// <summary>
    /// IEEE 754 double precision (<c>np.float64</c>, descr <c>'&lt;f8'</c>). Recognised so that a float64 file gets a
    /// "convert it" message instead of "unknown dtype"; Scar does not load it as a matrix.
    /// </summary>
    Float64,

    /// <summary>32-bit signed integer (<c>np.int32</c>, descr <c>'&lt;i4'</c>).</summary>
    Int32,

    /// <summary>64-bit signed integer (<c>np.int64</c>, descr <c>'&lt;i8'</c>).</summary>
    Int64,
}

/// <summary>Names and sizes of <see cref="NpyDType"/> values, as NumPy spells them.</summary>
internal static class NpyDTypes
{
    /// <summary>Bytes per element.</summary>
    public static int ItemSize(NpyDType dtype) => dtype switch
    {
        NpyDType.Float16 => 2,
        NpyDType.Float32 => 4,
        NpyDType.Float64 => 8,
        NpyDType.Int32 => 4,
        NpyDType.Int64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown NpyDType."),
    };

    /// <summary>The little-endian descr NumPy writes, e.g. <c>&lt;f4</c>.</summary>
    public static string Descr(NpyDType dtype) => dtype switch
    {
        NpyDType.Float16 => "<f2",
        NpyDType.Float32 => "<f4",
        NpyDType.Float64 => "<f8",
        NpyDType.Int32 => "<i4",
        NpyDType.Int64 => "<i8",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown NpyDType."),
    };

    /// <summary>The NumPy type name, e.g. <c>float32</c>.</summary>
    public static string Name(NpyDType dtype) => dtype switch
    {
        NpyDType.Float16 => "float16",
        NpyDType.Float32 => "float32",
        NpyDType.Float64 => "float64",
        NpyDType.Int32 => "int32",
        NpyDType.Int64 => "int64",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown NpyDType."),
    };

    /// <summary>Both spellings, for messages: <c>float64 ('&lt;f8')</c>.</summary>
    public static string Describe(NpyDType dtype) => $"{Name(dtype)} ('{Descr(dtype)}')";

    /// <summary>
    /// Maps a descr string to a dtype. Returns null with <paramref name="problem"/> set (the problem and its fix)
    /// when the descr is big-endian or a type Scar does not read.
    /// </summary>
    public static NpyDType? Parse(string descr, out string problem)
    {
        problem = "";
        if (descr.Length == 3)
        {
            char order = descr[0];
            NpyDType? type = descr.AsSpan(1) switch
            {
                "f2" => NpyDType.Float16,
                "f4" => NpyDType.Float32,
                "f8" => NpyDType.Float64,
                "i4" => NpyDType.Int32,
                "i8" => NpyDType.Int64,
                _ => null,
            };
            if (type is { } known)
            {
                // '=' is "native order": NumPy only writes it for machines whose native order is the one they
                // run on, and every platform .NET runs Scar on is little-endian, so it means '<' here. '|' means
                // "order not applicable"; it is not correct for multi-byte types, but some writers emit it, and
                // reading it as little-endian is what NumPy on those machines does.
                if (order is '<' or '|' || (order == '=' && BitConverter.IsLittleEndian))
                {
                    return known;
                }

                if (order is '>' or '=')
                {
                    problem = $"data is big-endian ('{descr}'); Scar reads little-endian only; convert with " +
                        $"x.astype('<{descr.AsSpan(1)}') and save again";
                    return null;
                }
            }
        }

        problem = $"unsupported dtype '{descr}'; Scar reads float32/float16 matrices and int32/int64 vectors; " +
            "convert with x.astype(np.float32) (embeddings) or x.astype(np.int32) (labels) and save again";
        return null;
    }
}
