using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Scar.Core.Numerics;

namespace Scar.Core.IO;

/// <summary>
/// Reads and writes NumPy <c>.npy</c> files (format versions 1.0, 2.0 and 3.0): float32/float16 embedding
/// matrices and int32/int64 label vectors.
/// </summary>
/// <remarks>
/// Data is streamed in chunks straight into the destination array, never through a whole-file buffer, so
/// reading an N-byte matrix needs N bytes of memory, not 2N. Every problem with the input file surfaces as a
/// <see cref="ScarInputException"/> whose <see cref="ScarInputException.Input"/> is the path and whose message
/// says what is wrong and how to fix it; problems with the caller's arguments are ordinary argument exceptions.
/// </remarks>
public static class NpyFile
{
    /// <summary>Streaming chunk size: large enough to amortise syscalls, small enough to stay in cache while checked.</summary>
    internal const int ChunkBytes = 1 << 20;

    /// <summary>NumPy pads headers so the data starts on this boundary (its <c>ARRAY_ALIGN</c>).</summary>
    internal const int Alignment = 64;

    // NumPy's default max_header_size is 10 000; a generous cap still rejects a corrupt length before allocating.
    private const int MaxHeaderBytes = 1 << 20;

    // NumPy leaves room in the header for the growth axis to reach this many digits (GROWTH_AXIS_MAX_DIGITS),
    // so that appending writers can rewrite the shape in place. Written the same way for byte-identical files.
    private const int GrowthAxisMaxDigits = 21;

    private const string ResaveFix = "re-save the array with np.save(path, x)";

    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>
    /// Reads and validates the header of the .npy file at <paramref name="path"/> without reading the data:
    /// magic, version, dict syntax, a supported little-endian dtype, and that the file is long enough for the
    /// declared shape.
    /// </summary>
    /// <exception cref="ScarInputException">The file is missing, not an .npy file, or its header is invalid.</exception>
    public static NpyHeader ReadHeader(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using FileStream stream = OpenRead(path);
        return ReadHeader(stream, path);
    }

    /// <summary>
    /// Reads a 2-D float32 or float16 array stored in C (row-major) order as a float32 matrix of rows × dims.
    /// </summary>
    /// <exception cref="ScarInputException">
    /// The file is invalid, not 2-D, not float32/float16, Fortran-ordered, empty, truncated, too large for one
    /// matrix, or holds NaN/±Inf (the message names the first bad row).
    /// </exception>
    public static FloatMatrix ReadMatrix(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using FileStream stream = OpenRead(path);
        NpyHeader header = ReadHeader(stream, path);
        (long rows, long cols) = RequireMatrix(header, path);
        if (rows > int.MaxValue || rows * cols > Array.MaxLength)
        {
            throw new ScarInputException(path,
                $"shape {header.ShapeText} has {rows * cols} elements, more than one in-memory matrix can hold " +
                $"(at most {int.MaxValue} rows and {Array.MaxLength} elements); split it into shards, or read " +
                "row ranges with ReadMatrixRows");
        }

        var matrix = new FloatMatrix((int)rows, (int)cols);
        stream.Position = header.DataOffset;
        ReadFloats(stream, header, path, matrix.Data, firstRow: 0, (int)cols);
        return matrix;
    }

    /// <summary>
    /// Reads rows [<paramref name="startRow"/>, <paramref name="startRow"/> + <paramref name="rowCount"/>) of a
    /// 2-D float32 or float16 C-order array, seeking past the rows before and reading nothing after. Use it to
    /// process a file too large for one matrix in shards. Row numbers in NaN/Inf messages are rows of the file.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="startRow"/> is negative or <paramref name="rowCount"/> is not positive.</exception>
    /// <exception cref="ScarInputException">As for <see cref="ReadMatrix"/>, or the range extends past the last row.</exception>
    public static FloatMatrix ReadMatrixRows(string path, long startRow, int rowCount)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(startRow);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowCount);
        using FileStream stream = OpenRead(path);
        NpyHeader header = ReadHeader(stream, path);
        (long rows, long cols) = RequireMatrix(header, path);
        if (startRow > rows - rowCount)
        {
            throw new ScarInputException(path,
                $"row range out of bounds: {rowCount} rows from row {startRow} were requested, but the file has " +
                $"{rows} rows (shape {header.ShapeText}); request rows within [0, {rows})");
        }

        if (rowCount * cols > Array.MaxLength)
        {
            throw new ScarInputException(path,
                $"{rowCount} rows × {cols} dims = {rowCount * cols} elements is more than one in-memory matrix " +
                $"can hold ({Array.MaxLength}); read fewer rows per shard");
        }

        var matrix = new FloatMatrix(rowCount, (int)cols);
        stream.Position = header.DataOffset + (startRow * cols * header.ItemSize);
        ReadFloats(stream, header, path, matrix.Data, startRow, (int)cols);
        return matrix;
    }

    /// <summary>
    /// Reads a 1-D int32 or int64 array (labels, group ids) as int32. Negative values are returned as they are;
    /// callers decide what they mean.
    /// </summary>
    /// <exception cref="ScarInputException">
    /// The file is invalid, not 1-D, not int32/int64, truncated, too long, or an int64 value does not fit in int32.
    /// </exception>
    public static int[] ReadIntVector(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using FileStream stream = OpenRead(path);
        NpyHeader header = ReadIntVectorHeader(stream, path);
        long length = header.Shape[0];
        if (length > Array.MaxLength)
        {
            throw new ScarInputException(path,
                $"the vector has {length} elements, more than one array can hold ({Array.MaxLength}); split it " +
                "into shards");
        }

        return ReadInts(stream, header, path, 0, (int)length);
    }

    /// <summary>
    /// Reads values [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of a 1-D int32
    /// or int64 array as int32, seeking past the values before (a shard's slice of a per-row vector).
    /// </summary>
    /// <exception cref="ScarInputException">As for <see cref="ReadIntVector"/>, or the vector is shorter than the range.</exception>
    public static int[] ReadIntVectorRange(string path, long start, int count)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        using FileStream stream = OpenRead(path);
        NpyHeader header = ReadIntVectorHeader(stream, path);
        long length = header.Shape[0];
        if (start > length - count)
        {
            throw new ScarInputException(path,
                $"has {length} values but the embeddings have at least {start + count} rows; give one value per row");
        }

        return ReadInts(stream, header, path, start, count);
    }

    private static NpyHeader ReadIntVectorHeader(FileStream stream, string path)
    {
        NpyHeader header = ReadHeader(stream, path);
        if (header.DType is not (NpyDType.Int32 or NpyDType.Int64))
        {
            throw new ScarInputException(path,
                $"expected int32 or int64 labels, found {NpyDTypes.Describe(header.DType)}; convert with " +
                "x.astype(np.int32) and save again");
        }

        if (header.Shape.Length != 1)
        {
            throw new ScarInputException(path,
                $"expected a 1-D array of labels, found shape {header.ShapeText}; save a flat vector, e.g. " +
                "np.save(path, x.reshape(-1))");
        }

        // A 1-D array has the same layout in C and Fortran order, so fortran_order is irrelevant here.
        return header;
    }

    private static int[] ReadInts(FileStream stream, NpyHeader header, string path, long start, int count)
    {
        int[] result = new int[count];
        stream.Position = header.DataOffset + (start * header.ItemSize);
        if (header.DType == NpyDType.Int32)
        {
            ReadInt32s(stream, path, result);
        }
        else
        {
            ReadInt64sAsInt32(stream, path, result);
        }

        return result;
    }

    /// <summary>
    /// Writes <paramref name="matrix"/> as a 2-D C-order .npy file (version 1.0, or 2.0 if the header needs it),
    /// with the header padded so the data starts on a 64-byte boundary, as <c>np.save</c> does. The file is written
    /// beside <paramref name="path"/> and moved into place, so readers never see a half-written file.
    /// </summary>
    /// <param name="path">Destination file; replaced if it exists.</param>
    /// <param name="matrix">The matrix to write.</param>
    /// <param name="dtype"><see cref="NpyDType.Float32"/> or <see cref="NpyDType.Float16"/>.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="dtype"/> is not a float32/float16, or a finite value is outside the float16 range (±65504).
    /// </exception>
    /// <exception cref="ScarInputException">The destination folder is missing or not writable.</exception>
    public static void WriteMatrix(string path, FloatMatrix matrix, NpyDType dtype = NpyDType.Float32)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(matrix);
        if (dtype is not (NpyDType.Float32 or NpyDType.Float16))
        {
            throw new ArgumentException($"A matrix is written as float32 or float16, not {NpyDTypes.Name(dtype)}.", nameof(dtype));
        }

        WriteAtomically(path, stream =>
        {
            WriteHeader(stream, dtype, [matrix.Rows, matrix.Cols]);
            if (dtype == NpyDType.Float32)
            {
                WriteLittleEndian(stream, MemoryMarshal.Cast<float, uint>(matrix.Data));
            }
            else
            {
                WriteHalves(stream, matrix.Data, matrix.Cols);
            }
        });
    }

    /// <summary>
    /// Writes <paramref name="values"/> as a 1-D .npy file of int32 or int64 (version 1.0, 64-byte aligned data),
    /// written beside <paramref name="path"/> and moved into place.
    /// </summary>
    /// <param name="path">Destination file; replaced if it exists.</param>
    /// <param name="values">The values to write.</param>
    /// <param name="dtype"><see cref="NpyDType.Int32"/> or <see cref="NpyDType.Int64"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not int32/int64.</exception>
    /// <exception cref="ScarInputException">The destination folder is missing or not writable.</exception>
    public static void WriteIntVector(string path, ReadOnlySpan<int> values, NpyDType dtype = NpyDType.Int32)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (dtype is not (NpyDType.Int32 or NpyDType.Int64))
        {
            throw new ArgumentException($"A vector is written as int32 or int64, not {NpyDTypes.Name(dtype)}.", nameof(dtype));
        }

        string temp = TempPathFor(path);
        try
        {
            // Not WriteAtomically: a span cannot be captured by its lambda.
            using (FileStream stream = CreateWrite(temp, path))
            {
                WriteHeader(stream, dtype, [values.Length]);
                if (dtype == NpyDType.Int32)
                {
                    WriteLittleEndian(stream, MemoryMarshal.Cast<int, uint>(values));
                }
                else
                {
                    WriteInt64s(stream, values);
                }
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Builds the complete header (magic, version, length, padded dict) exactly as <c>np.save</c> writes it:
    /// sorted keys, a trailing ", ", room for the growth axis, then spaces and '\n' up to a 64-byte boundary.
    /// </summary>
    internal static byte[] BuildHeader(NpyDType dtype, bool fortranOrder, ReadOnlySpan<long> shape)
    {
        string dict = $"{{'descr': '{NpyDTypes.Descr(dtype)}', 'fortran_order': {(fortranOrder ? "True" : "False")}, " +
            $"'shape': {NpyHeader.FormatShape(shape)}, }}";
        if (shape.Length > 0)
        {
            long growthAxis = shape[fortranOrder ? shape.Length - 1 : 0];
            dict += new string(' ', GrowthAxisMaxDigits - growthAxis.ToString(System.Globalization.CultureInfo.InvariantCulture).Length);
        }

        // Try version 1.0 (u16 length) first, as NumPy does; 2.0 (u32) only when the header does not fit.
        foreach ((byte major, int prefixLength) in new (byte, int)[] { (1, 10), (2, 12) })
        {
            int textLength = dict.Length + 1; // + '\n'
            int padding = Alignment - ((prefixLength + textLength) % Alignment);
            int headerLength = textLength + padding;
            if (major == 1 && headerLength > ushort.MaxValue)
            {
                continue;
            }

            byte[] bytes = new byte[prefixLength + headerLength];
            Magic.CopyTo(bytes);
            bytes[6] = major;
            bytes[7] = 0;
            if (major == 1)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)headerLength);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)headerLength);
            }

            int written = Encoding.Latin1.GetBytes(dict, bytes.AsSpan(prefixLength));
            bytes.AsSpan(prefixLength + written, padding).Fill((byte)' ');
            bytes[^1] = (byte)'\n';
            return bytes;
        }

        throw new UnreachableException();
    }

    private static NpyHeader ReadHeader(FileStream stream, string path)
    {
        long fileLength = stream.Length;
        Span<byte> prefix = stackalloc byte[12];
        if (fileLength < 10)
        {
            throw NotNpy(path, $"the file is only {fileLength} bytes, too short for a .npy header");
        }

        ReadExactly(stream, prefix[..10], path);
        if (!prefix[..6].SequenceEqual(Magic))
        {
            if (prefix[..4].SequenceEqual("PK\u0003\u0004"u8))
            {
                throw new ScarInputException(path,
                    "this is an .npz archive, not an .npy file; extract the array with np.load(path)['name'] " +
                    "and save it with np.save");
            }

            throw NotNpy(path, "it does not start with the .npy magic bytes");
        }

        byte major = prefix[6];
        byte minor = prefix[7];
        if (major is < 1 or > 3 || minor != 0)
        {
            throw new ScarInputException(path,
                $"unsupported .npy format version {major}.{minor}; Scar reads versions 1.0, 2.0 and 3.0; {ResaveFix} " +
                "(NumPy writes 1.0 unless the header needs more)");
        }

        long headerLength;
        int prefixLength;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]);
            prefixLength = 10;
        }
        else
        {
            if (fileLength < 12)
            {
                throw Truncated(path, $"the file ends inside the version {major}.0 header prefix");
            }

            ReadExactly(stream, prefix[10..12], path);
            headerLength = BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
            prefixLength = 12;
        }

        if (headerLength > MaxHeaderBytes)
        {
            throw new ScarInputException(path,
                $"the header claims to be {headerLength} bytes, far more than any array header needs; the file is " +
                $"corrupt; {ResaveFix}");
        }

        long dataOffset = prefixLength + headerLength;
        if (fileLength < dataOffset)
        {
            throw Truncated(path, $"the header needs {dataOffset} bytes, but the file has only {fileLength}");
        }

        byte[] headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, path);

        // Versions 1.0 and 2.0 store the dict as latin-1; 3.0 exists precisely to allow utf-8.
        string text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        NpyHeaderParser.Fields fields;
        try
        {
            fields = NpyHeaderParser.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new ScarInputException(path, $"the .npy header is malformed ({ex.Message}); {ResaveFix}", ex);
        }

        NpyDType dtype = NpyDTypes.Parse(fields.Descr, out string problem)
            ?? throw new ScarInputException(path, problem);
        var header = new NpyHeader(dtype, fields.FortranOrder, fields.Shape, dataOffset);

        long needed;
        try
        {
            needed = header.DataByteCount;
        }
        catch (OverflowException ex)
        {
            throw new ScarInputException(path,
                $"declared shape {header.ShapeText} is too large to be real; the header is corrupt; {ResaveFix}", ex);
        }

        // Checked here, before any caller allocates, so a corrupt shape can never trigger a huge allocation.
        long available = fileLength - dataOffset;
        if (available < needed)
        {
            throw Truncated(path,
                $"shape {header.ShapeText} of {NpyDTypes.Name(dtype)} needs {needed} bytes after the " +
                $"{dataOffset}-byte header, but the file has only {available}");
        }

        return header;
    }

    /// <summary>Checks what every matrix read needs: float32/float16, 2-D, C order, no empty dimension.</summary>
    private static (long Rows, long Cols) RequireMatrix(NpyHeader header, string path)
    {
        if (header.DType is not (NpyDType.Float32 or NpyDType.Float16))
        {
            throw new ScarInputException(path,
                $"expected float32 or float16 embeddings, found {NpyDTypes.Describe(header.DType)}; convert with " +
                "x.astype(np.float32) and save again");
        }

        if (header.Shape.Length != 2)
        {
            throw new ScarInputException(path,
                $"expected a 2-D array (rows × dims), found shape {header.ShapeText}; save one row per sample, " +
                "e.g. np.save(path, x.reshape(len(x), -1))");
        }

        long rows = header.Shape[0];
        long cols = header.Shape[1];
        if (header.FortranOrder)
        {
            throw new ScarInputException(path,
                "the array is stored in Fortran (column-major) order; save with np.save(path, np.ascontiguousarray(x))");
        }

        if (rows == 0 || cols == 0)
        {
            throw new ScarInputException(path,
                $"the matrix is empty: shape {header.ShapeText} has zero {(rows == 0 ? "rows" : "columns")}; " +
                "export at least one row with at least one dimension");
        }

        if (cols > Array.MaxLength)
        {
            throw new ScarInputException(path,
                $"rows have {cols} dims, more than one array can hold; reduce the dimensionality before saving");
        }

        return (rows, cols);
    }

    /// <summary>
    /// Streams float32 or float16 elements into <paramref name="destination"/> chunk by chunk, checking each chunk
    /// for NaN/Inf while it is still in cache. <paramref name="firstRow"/> is the file row of destination[0].
    /// </summary>
    private static void ReadFloats(FileStream stream, NpyHeader header, string path, float[] destination, long firstRow, int cols)
    {
        if (header.DType == NpyDType.Float32)
        {
            const int chunkElements = ChunkBytes / sizeof(float);
            for (int offset = 0; offset < destination.Length; offset += chunkElements)
            {
                Span<float> chunk = destination.AsSpan(offset, Math.Min(chunkElements, destination.Length - offset));

                // Straight into the matrix: the file's little-endian floats are the in-memory representation.
                ReadExactly(stream, MemoryMarshal.AsBytes(chunk), path);
                if (!BitConverter.IsLittleEndian)
                {
                    Span<uint> bits = MemoryMarshal.Cast<float, uint>(chunk);
                    BinaryPrimitives.ReverseEndianness(bits, bits);
                }

                CheckFinite(chunk, offset, firstRow, cols, path);
            }

            return;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            const int chunkElements = ChunkBytes / sizeof(ushort);
            for (int offset = 0; offset < destination.Length; offset += chunkElements)
            {
                int count = Math.Min(chunkElements, destination.Length - offset);
                Span<byte> raw = buffer.AsSpan(0, count * sizeof(ushort));
                ReadExactly(stream, raw, path);
                Span<ushort> halves = MemoryMarshal.Cast<byte, ushort>(raw);
                if (!BitConverter.IsLittleEndian)
                {
                    BinaryPrimitives.ReverseEndianness(halves, halves);
                }

                Span<float> chunk = destination.AsSpan(offset, count);
                NpyKernels.HalfToSingle(halves, chunk);
                CheckFinite(chunk, offset, firstRow, cols, path);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void CheckFinite(ReadOnlySpan<float> chunk, int chunkOffset, long firstRow, int cols, string path)
    {
        int bad = NpyKernels.IndexOfNonFinite(chunk);
        if (bad < 0)
        {
            return;
        }

        long element = (long)chunkOffset + bad;
        long row = firstRow + (element / cols);
        long col = element % cols;
        float value = chunk[bad];
        string what = float.IsNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";
        throw new ScarInputException(path,
            $"row {row} contains {what} at column {col}; drop or repair that row (e.g. x = x[np.isfinite(x).all(axis=1)]) " +
            "and save again");
    }

    private static void ReadInt32s(FileStream stream, string path, int[] destination)
    {
        const int chunkElements = ChunkBytes / sizeof(int);
        for (int offset = 0; offset < destination.Length; offset += chunkElements)
        {
            Span<int> chunk = destination.AsSpan(offset, Math.Min(chunkElements, destination.Length - offset));
            ReadExactly(stream, MemoryMarshal.AsBytes(chunk), path);
            if (!BitConverter.IsLittleEndian)
            {
                BinaryPrimitives.ReverseEndianness(chunk, chunk);
            }
        }

    }

    private static void ReadInt64sAsInt32(FileStream stream, string path, int[] destination)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            const int chunkElements = ChunkBytes / sizeof(long);
            for (int offset = 0; offset < destination.Length; offset += chunkElements)
            {
                int count = Math.Min(chunkElements, destination.Length - offset);
                Span<byte> raw = buffer.AsSpan(0, count * sizeof(long));
                ReadExactly(stream, raw, path);
                Span<long> wide = MemoryMarshal.Cast<byte, long>(raw);
                if (!BitConverter.IsLittleEndian)
                {
                    BinaryPrimitives.ReverseEndianness(wide, wide);
                }

                Span<int> narrow = destination.AsSpan(offset, count);
                for (int i = 0; i < wide.Length; i++)
                {
                    long value = wide[i];
                    if (value is < int.MinValue or > int.MaxValue)
                    {
                        throw new ScarInputException(path,
                            $"element {offset + i} is {value}, outside the int32 range; labels must fit in int32; " +
                            "renumber them, e.g. np.save(path, np.unique(x, return_inverse=True)[1])");
                    }

                    narrow[i] = (int)value;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

    }

    private static void WriteHeader(FileStream stream, NpyDType dtype, ReadOnlySpan<long> shape) =>
        stream.Write(BuildHeader(dtype, fortranOrder: false, shape));

    /// <summary>Writes 4-byte values little-endian, chunk by chunk; byte-swaps through a buffer only on big-endian hosts.</summary>
    private static void WriteLittleEndian(FileStream stream, ReadOnlySpan<uint> values)
    {
        const int chunkElements = ChunkBytes / sizeof(uint);
        if (BitConverter.IsLittleEndian)
        {
            for (int offset = 0; offset < values.Length; offset += chunkElements)
            {
                stream.Write(MemoryMarshal.AsBytes(values.Slice(offset, Math.Min(chunkElements, values.Length - offset))));
            }

            return;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            for (int offset = 0; offset < values.Length; offset += chunkElements)
            {
                ReadOnlySpan<uint> chunk = values.Slice(offset, Math.Min(chunkElements, values.Length - offset));
                Span<uint> swapped = MemoryMarshal.Cast<byte, uint>(buffer.AsSpan(0, chunk.Length * sizeof(uint)));
                BinaryPrimitives.ReverseEndianness(chunk, swapped);
                stream.Write(MemoryMarshal.AsBytes(swapped));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void WriteHalves(FileStream stream, ReadOnlySpan<float> values, int cols)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            const int chunkElements = ChunkBytes / sizeof(ushort);
            for (int offset = 0; offset < values.Length; offset += chunkElements)
            {
                ReadOnlySpan<float> chunk = values.Slice(offset, Math.Min(chunkElements, values.Length - offset));
                Span<byte> raw = buffer.AsSpan(0, chunk.Length * sizeof(ushort));
                for (int i = 0; i < chunk.Length; i++)
                {
                    float value = chunk[i];
                    var half = (Half)value;

                    // Silently writing Inf for a finite value would make the file unreadable later; fail now.
                    if (Half.IsInfinity(half) && float.IsFinite(value))
                    {
                        long element = (long)offset + i;
                        throw new ArgumentException(
                            $"Value {value} at row {element / cols}, column {element % cols} is outside the float16 " +
                            "range (±65504); write float32 instead.", nameof(values));
                    }

                    BinaryPrimitives.WriteUInt16LittleEndian(raw.Slice(i * sizeof(ushort)), BitConverter.HalfToUInt16Bits(half));
                }

                stream.Write(raw);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void WriteInt64s(FileStream stream, ReadOnlySpan<int> values)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            const int chunkElements = ChunkBytes / sizeof(long);
            for (int offset = 0; offset < values.Length; offset += chunkElements)
            {
                ReadOnlySpan<int> chunk = values.Slice(offset, Math.Min(chunkElements, values.Length - offset));
                Span<byte> raw = buffer.AsSpan(0, chunk.Length * sizeof(long));
                for (int i = 0; i < chunk.Length; i++)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(raw.Slice(i * sizeof(long)), chunk[i]);
                }

                stream.Write(raw);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void WriteAtomically(string path, Action<FileStream> write)
    {
        string temp = TempPathFor(path);
        try
        {
            using (FileStream stream = CreateWrite(temp, path))
            {
                write(stream);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static string TempPathFor(string path) => $"{path}.{Guid.NewGuid():N}.tmp";

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the original error matters more than a stray temp file.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }

    private static FileStream OpenRead(string path)
    {
        if (Directory.Exists(path))
        {
            throw new ScarInputException(path, "this is a folder, not a file; pass the path of the .npy file");
        }

        try
        {
            // bufferSize 0: data is read in large chunks straight into the destination, so a FileStream buffer
            // would only add a copy.
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ScarInputException(path, "file not found; check the path", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ScarInputException(path, "access denied; check the file's permissions", ex);
        }
        catch (IOException ex)
        {
            throw new ScarInputException(path, $"cannot open the file ({ex.Message}); check that it is readable", ex);
        }
    }

    private static FileStream CreateWrite(string temp, string path)
    {
        try
        {
            return new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        }
        catch (DirectoryNotFoundException ex)
        {
            throw new ScarInputException(path, "the output folder does not exist; create it first or fix the path", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ScarInputException(path, "access denied; check the output folder's permissions", ex);
        }
    }

    private static void ReadExactly(FileStream stream, Span<byte> destination, string path)
    {
        try
        {
            stream.ReadExactly(destination);
        }
        catch (EndOfStreamException ex)
        {
            // The size was checked against the header up front, so this means the file shrank while being read.
            throw Truncated(path, "the file ended before all declared data was read (was it changed while being read?)", ex);
        }
        catch (IOException ex)
        {
            throw new ScarInputException(path, $"reading failed ({ex.Message}); check the disk or copy the file again", ex);
        }
    }

    private static ScarInputException NotNpy(string path, string why) =>
        new(path, $"not a NumPy .npy file: {why}; save arrays with np.save(path, x) (CSV, pickle and .npz are not read)");

    private static ScarInputException Truncated(string path, string why, Exception? inner = null) =>
        new(path, $"the file is truncated: {why}; copy the file again or {ResaveFix}", inner);
}
