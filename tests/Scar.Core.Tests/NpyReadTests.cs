using Scar.Core.IO;
using Scar.Core.Numerics;

namespace Scar.Core.Tests;

/// <summary>Reads files built byte by byte the way NumPy writes them, and header spellings other writers use.</summary>
public sealed class NpyReadTests : IDisposable
{
    private readonly NpyTempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Reads_a_numpy_version_1_float32_matrix()
    {
        float[] values = NpyBytes.Sequence(12, 0.25f);
        string path = _dir.Write("v1.npy", NpyBytes.Float32Matrix(3, 4, values));

        NpyHeader header = NpyFile.ReadHeader(path);
        FloatMatrix matrix = NpyFile.ReadMatrix(path);

        Assert.Equal(new NpyHeader(NpyDType.Float32, false, [3, 4], 128), header);
        Assert.Equal(12, header.ElementCount);
        Assert.Equal(4, header.ItemSize);
        Assert.Equal("(3, 4)", header.ShapeText);
        Assert.Equal(3, matrix.Rows);
        Assert.Equal(4, matrix.Cols);
        Assert.Equal(values, matrix.Data);
        Assert.Equal([2f, 2.25f, 2.5f, 2.75f], matrix.Row(2).ToArray());
    }

    [Fact]
    public void Reads_a_version_2_file()
    {
        float[] values = NpyBytes.Sequence(6);
        byte[] bytes = NpyBytes.Concat(NpyBytes.Header(NpyBytes.NumpyDict("<f4", false, 2, 3), major: 2), NpyBytes.Floats(values));
        string path = _dir.Write("v2.npy", bytes);

        NpyHeader header = NpyFile.ReadHeader(path);

        Assert.Equal(0, header.DataOffset % 64);
        Assert.Equal(values, NpyFile.ReadMatrix(path).Data);
    }

    [Fact]
    public void Reads_a_version_3_utf8_header()
    {
        // Version 3.0 exists for non-latin-1 header text; an extra key with such text must not confuse the parser.
        string dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), 'note': 'Größe ✓', }";
        string path = _dir.Write("v3.npy", NpyBytes.Concat(NpyBytes.Header(dict, major: 3), NpyBytes.Int32s(5, -6, 7)));

        Assert.Equal([5, -6, 7], NpyFile.ReadIntVector(path));
    }

    [Fact]
    public void Reads_a_numpy_float16_matrix()
    {
        float[] values = [0.5f, -1.25f, 1024f, 0.0009765625f];
        string path = _dir.Write("h.npy", NpyBytes.Concat(
            NpyBytes.Header(NpyBytes.NumpyDict("<f2", false, 2, 2)), NpyBytes.Halves(values)));

        Assert.Equal(values, NpyFile.ReadMatrix(path).Data);
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }")]
    [InlineData("{'shape': (2, 3), 'descr': '<f4', 'fortran_order': False}")]
    [InlineData("{'fortran_order':False,'shape':(2,3),'descr':'<f4'}")]
    [InlineData("{ \"descr\" : \"<f4\" ,\n 'fortran_order' : False ,\t'shape' : ( 2 , 3 , ) , }")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }")]
    [InlineData("{'descr': '=f4', 'fortran_order': False, 'shape': [2, 3]}")]
    [InlineData("{'descr': '|f4', 'fortran_order': False, 'shape': (2, 3), 'extra': {'a': (1, None, True)}}")]
    public void Header_dict_spellings_are_all_accepted(string dict)
    {
        float[] values = NpyBytes.Sequence(6);
        string path = _dir.Write("spelling.npy", NpyBytes.Concat(NpyBytes.Header(dict), NpyBytes.Floats(values)));

        NpyHeader header = NpyFile.ReadHeader(path);

        Assert.Equal(new long[] { 2, 3 }, header.Shape);
        Assert.Equal(NpyDType.Float32, header.DType);
        Assert.Equal(values, NpyFile.ReadMatrix(path).Data);
    }

    [Theory]
    [InlineData("(3,)", new long[] { 3 })]
    [InlineData("(3, 4)", new long[] { 3, 4 })]
    [InlineData("(0, 4)", new long[] { 0, 4 })]
    [InlineData("()", new long[0])]
    [InlineData("(2, 3, 4,)", new long[] { 2, 3, 4 })]
    public void Shape_tuples_parse(string shape, long[] expected)
    {
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}";
        long count = expected.Aggregate(1L, (a, b) => a * b);
        string path = _dir.Write("shape.npy", NpyBytes.Concat(NpyBytes.Header(dict), NpyBytes.Floats(new float[count])));

        NpyHeader header = NpyFile.ReadHeader(path);

        Assert.Equal(expected, header.Shape);
        Assert.Equal(count, header.ElementCount);
    }

    [Fact]
    public void Reads_int32_and_int64_label_vectors()
    {
        string i4 = _dir.Write("i4.npy", NpyBytes.Concat(
            NpyBytes.Header(NpyBytes.NumpyDict("<i4", false, 4)), NpyBytes.Int32s(3, 0, -1, 2)));
        string i8 = _dir.Write("i8.npy", NpyBytes.Concat(
            NpyBytes.Header(NpyBytes.NumpyDict("<i8", false, 4)), NpyBytes.Int64s(3, 0, -1, int.MinValue)));

        Assert.Equal([3, 0, -1, 2], NpyFile.ReadIntVector(i4));
        Assert.Equal([3, 0, -1, int.MinValue], NpyFile.ReadIntVector(i8));
    }

    [Fact]
    public void A_fortran_ordered_vector_is_read_because_its_layout_is_the_same()
    {
        string path = _dir.Write("f.npy", NpyBytes.Concat(
            NpyBytes.Header(NpyBytes.NumpyDict("<i8", true, 3)), NpyBytes.Int64s(1, 2, 3)));

        Assert.Equal([1, 2, 3], NpyFile.ReadIntVector(path));
    }

    [Fact]
    public void Trailing_bytes_after_the_data_are_ignored()
    {
        byte[] bytes = NpyBytes.Concat(NpyBytes.Float32Matrix(1, 2, [1, 2]), [0xFF, 0xFF, 0xFF]);
        string path = _dir.Write("trailing.npy", bytes);

        Assert.Equal([1f, 2f], NpyFile.ReadMatrix(path).Data);
    }

    [Fact]
    public void ReadMatrixRows_reads_a_middle_range()
    {
        float[] values = NpyBytes.Sequence(10 * 3);
        string path = _dir.Write("rows.npy", NpyBytes.Float32Matrix(10, 3, values));

        FloatMatrix part = NpyFile.ReadMatrixRows(path, startRow: 4, rowCount: 3);

        Assert.Equal(3, part.Rows);
        Assert.Equal(3, part.Cols);
        Assert.Equal(values.AsSpan(12, 9).ToArray(), part.Data);
    }

    [Fact]
    public void ReadMatrixRows_reads_the_last_rows_of_a_float16_file()
    {
        float[] values = NpyBytes.Sequence(8 * 5, 0.5f);
        string path = _dir.Write("rows16.npy", NpyBytes.Concat(
            NpyBytes.Header(NpyBytes.NumpyDict("<f2", false, 8, 5)), NpyBytes.Halves(values)));

        FloatMatrix part = NpyFile.ReadMatrixRows(path, 6, 2);

        Assert.Equal(values.AsSpan(30, 10).ToArray(), part.Data);
    }

    [Fact]
    public void ReadMatrixRows_reports_nan_with_the_file_row_number()
    {
        float[] values = NpyBytes.Sequence(10 * 3);
        values[(8 * 3) + 2] = float.NaN;
        string path = _dir.Write("rows-nan.npy", NpyBytes.Float32Matrix(10, 3, values));

        Assert.Equal(values.AsSpan(0, 6).ToArray(), NpyFile.ReadMatrixRows(path, 0, 2).Data);
        var ex = Assert.Throws<ScarInputException>(() => NpyFile.ReadMatrixRows(path, 7, 3));
        Assert.Contains("row 8 contains NaN at column 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadMatrixRows_rejects_bad_arguments()
    {
        string path = _dir.Write("args.npy", NpyBytes.Float32Matrix(2, 2, [1, 2, 3, 4]));

        Assert.Throws<ArgumentOutOfRangeException>(() => NpyFile.ReadMatrixRows(path, -1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => NpyFile.ReadMatrixRows(path, 0, 0));
    }

    [Fact]
    public void A_matrix_too_large_for_memory_can_still_be_read_in_row_ranges()
    {
        // A sparse 6 GB file: 3e9 rows of one float16. ReadMatrix must refuse before allocating; a row range
        // near the end (past the 4 GB mark) must seek there and read just those rows.
        const long rows = 3_000_000_000;
        string path = _dir.File("huge.npy");
        using (var stream = new FileStream(path, FileMode.CreateNew))
        {
            byte[] header = NpyBytes.Header(NpyBytes.NumpyDict("<f2", false, rows, 1));
            stream.Write(header);
            stream.SetLength(header.Length + (rows * 2));
            stream.Position = header.Length + ((rows - 1) * 2);
            stream.Write(NpyBytes.Halves(7.5f));
        }

        var ex = Assert.Throws<ScarInputException>(() => NpyFile.ReadMatrix(path));
        Assert.Contains("huge.npy", ex.Message, StringComparison.Ordinal);
        Assert.Contains("shards", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ReadMatrixRows", ex.Message, StringComparison.Ordinal);

        FloatMatrix tail = NpyFile.ReadMatrixRows(path, rows - 4, 4);
        Assert.Equal([0f, 0f, 0f, 7.5f], tail.Data);
    }
}
