using Scar.Core.IO;
using Scar.Core.Numerics;

namespace Scar.Core.Tests;

public sealed class NpyRoundTripTests : IDisposable
{
    private readonly NpyTempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Float32_matrix_round_trips_bit_exactly()
    {
        var random = new Random(7);
        var matrix = new FloatMatrix(37, 13);
        for (int i = 0; i < matrix.Data.Length; i++)
        {
            matrix.Data[i] = (float)((random.NextDouble() - 0.5) * 1e6);
        }

        matrix.Data[5] = float.Epsilon; // subnormal
        matrix.Data[6] = -0f;
        string path = _dir.File("m.npy");

        NpyFile.WriteMatrix(path, matrix);
        FloatMatrix read = NpyFile.ReadMatrix(path);

        Assert.Equal(37, read.Rows);
        Assert.Equal(13, read.Cols);
        Assert.Equal(matrix.Data, read.Data);
        Assert.True(float.IsNegative(read.Data[6]));
    }

    [Fact]
    public void Float16_matrix_round_trips_representable_values()
    {
        // Multiples of 1/8 up to ±256, the float16 extremes, and a subnormal: all exact in float16.
        float[] values = new float[4 * 129];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (i - (values.Length / 2)) / 8f;
        }

        values[0] = 65504f;
        values[1] = -65504f;
        values[2] = MathF.Pow(2, -24);
        values[3] = -0f;
        var matrix = new FloatMatrix(4, 129, values);
        string path = _dir.File("h.npy");

        NpyFile.WriteMatrix(path, matrix, NpyDType.Float16);
        NpyHeader header = NpyFile.ReadHeader(path);
        FloatMatrix read = NpyFile.ReadMatrix(path);

        Assert.Equal(NpyDType.Float16, header.DType);
        Assert.Equal(2, header.ItemSize);
        Assert.Equal(values.Length * 2L, new FileInfo(path).Length - header.DataOffset);
        Assert.Equal(values, read.Data);
    }

    [Fact]
    public void Multi_chunk_matrices_round_trip_in_both_float_types()
    {
        // 700 × 1000 floats is 2.8 MB as float32 and 1.4 MB as float16: several 1 MB chunks, and chunk
        // boundaries that fall mid-row.
        var matrix = new FloatMatrix(700, 1000);
        for (int i = 0; i < matrix.Data.Length; i++)
        {
            matrix.Data[i] = ((i % 2048) / 2f) - 300f; // steps of 0.5 below 1024: exact in float16's 11-bit significand
        }

        foreach (NpyDType dtype in new[] { NpyDType.Float32, NpyDType.Float16 })
        {
            string path = _dir.File($"big-{dtype}.npy");
            NpyFile.WriteMatrix(path, matrix, dtype);
            Assert.Equal(matrix.Data, NpyFile.ReadMatrix(path).Data);
        }
    }

    [Fact]
    public void Int32_vector_round_trips()
    {
        int[] values = [0, 1, -1, 42, int.MaxValue, int.MinValue, 7];
        string path = _dir.File("labels.npy");

        NpyFile.WriteIntVector(path, values);

        NpyHeader header = NpyFile.ReadHeader(path);
        Assert.Equal(NpyDType.Int32, header.DType);
        Assert.Equal(new long[] { values.Length }, header.Shape);
        Assert.Equal(values, NpyFile.ReadIntVector(path));
    }

    [Fact]
    public void Int64_vector_round_trips()
    {
        int[] values = new int[200_000]; // 1.6 MB as int64: more than one chunk
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (i * 7919) - 500_000;
        }

        values[^1] = int.MinValue;
        string path = _dir.File("groups.npy");

        NpyFile.WriteIntVector(path, values, NpyDType.Int64);

        NpyHeader header = NpyFile.ReadHeader(path);
        Assert.Equal(NpyDType.Int64, header.DType);
        Assert.Equal(values.Length * 8L, new FileInfo(path).Length - header.DataOffset);
        Assert.Equal(values, NpyFile.ReadIntVector(path));
    }

    [Fact]
    public void Empty_int_vector_round_trips()
    {
        string path = _dir.File("empty.npy");
        NpyFile.WriteIntVector(path, ReadOnlySpan<int>.Empty);
        Assert.Empty(NpyFile.ReadIntVector(path));
    }

    [Fact]
    public void Writer_output_is_byte_identical_to_numpy()
    {
        float[] values = NpyBytes.Sequence(12);
        string path = _dir.File("numpy-like.npy");

        NpyFile.WriteMatrix(path, new FloatMatrix(3, 4, values));

        byte[] expected = NpyBytes.Float32Matrix(3, 4, values);
        Assert.Equal(expected, File.ReadAllBytes(path));
        Assert.Equal(128, NpyFile.ReadHeader(path).DataOffset);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 4)]
    [InlineData(123456789, 1000)]
    public void Written_headers_align_data_to_64_bytes(int rows, int cols)
    {
        byte[] header = NpyFile.BuildHeader(NpyDType.Float32, false, [rows, cols]);
        Assert.Equal(0, header.Length % 64);
        Assert.Equal((byte)'\n', header[^1]);
        Assert.Equal(1, header[6]);
    }

    [Fact]
    public void Writer_replaces_an_existing_file_and_leaves_no_temp_files()
    {
        string path = _dir.File("replace.npy");
        File.WriteAllText(path, "old contents");

        NpyFile.WriteIntVector(path, [1, 2, 3]);

        Assert.Equal(new[] { 1, 2, 3 }, NpyFile.ReadIntVector(path));
        Assert.Single(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void Float16_write_rejects_values_outside_its_range()
    {
        var matrix = new FloatMatrix(2, 3, [0, 1, 2, 3, 70000f, 5]);
        string path = _dir.File("overflow.npy");

        var ex = Assert.Throws<ArgumentException>(() => NpyFile.WriteMatrix(path, matrix, NpyDType.Float16));

        Assert.Contains("row 1, column 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("float32", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void Writers_reject_dtypes_of_the_wrong_kind()
    {
        string path = _dir.File("x.npy");
        Assert.Throws<ArgumentException>(() => NpyFile.WriteMatrix(path, new FloatMatrix(1, 1), NpyDType.Int32));
        Assert.Throws<ArgumentException>(() => NpyFile.WriteMatrix(path, new FloatMatrix(1, 1), NpyDType.Float64));
        Assert.Throws<ArgumentException>(() => NpyFile.WriteIntVector(path, [1], NpyDType.Float32));
    }

    [Fact]
    public void Writing_into_a_missing_folder_is_an_input_error()
    {
        string path = Path.Combine(_dir.Path, "no-such-folder", "m.npy");

        var ex = Assert.Throws<ScarInputException>(() => NpyFile.WriteMatrix(path, new FloatMatrix(1, 1)));

        Assert.Equal(path, ex.Input);
        Assert.Contains("create it", ex.Message, StringComparison.Ordinal);
    }
}
