using Scar.Core.IO;

namespace Scar.Core.Tests;

/// <summary>
/// One test per kind of bad input: each must raise <see cref="ScarInputException"/> naming the file, the problem,
/// and the fix.
/// </summary>
public sealed class NpyErrorTests : IDisposable
{
    private readonly NpyTempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Missing_file()
    {
        string path = _dir.File("absent.npy");
        AssertInputError(() => NpyFile.ReadMatrix(path), path, "file not found", "check the path");
        AssertInputError(() => NpyFile.ReadIntVector(path), path, "file not found", "check the path");
    }

    [Fact]
    public void Folder_instead_of_file()
    {
        AssertInputError(() => NpyFile.ReadHeader(_dir.Path), _dir.Path, "folder", "path of the .npy file");
    }

    [Fact]
    public void Bad_magic()
    {
        string path = _dir.Write("table.npy", "a,b,c\n1,2,3\n4,5,6\n"u8.ToArray());
        AssertInputError(() => NpyFile.ReadMatrix(path), path, "not a NumPy .npy file", "np.save");
    }

    [Fact]
    public void Too_short_to_be_npy()
    {
        string path = _dir.Write("tiny.npy", [0x93, (byte)'N']);
        AssertInputError(() => NpyFile.ReadHeader(path), path, "not a NumPy .npy file", "np.save");
    }

    [Fact]
    public void Npz_archive()
    {
        string path = _dir.Write("arrays.npz", [(byte)'P', (byte)'K', 3, 4, 20, 0, 0, 0, 0, 0, 0, 0]);
        AssertInputError(() => NpyFile.ReadMatrix(path), path, ".npz archive", "np.load(path)['name']");
    }

    [Theory]
    [InlineData(4, 0)]
    [InlineData(1, 1)]
    [InlineData(0, 0)]
    public void Unsupported_version(byte major, byte minor)
    {
        byte[] bytes = NpyBytes.Float32Matrix(1, 1, [1]);
        bytes[6] = major;
        bytes[7] = minor;
        string path = _dir.Write("version.npy", bytes);
        AssertInputError(() => NpyFile.ReadHeader(path), path, $"version {major}.{minor}", "np.save");
    }

    [Fact]
    public void Float64_matrix()
    {
        string path = _dir.Write("f8.npy", NpyBytes.Concat(
            NpyBytes.Header(NpyBytes.NumpyDict("<f8", false, 1, 2)), NpyBytes.Doubles(1, 2)));
        Assert.Equal(NpyDType.Float64, NpyFile.ReadHeader(path).DType);
        AssertInputError(() => NpyFile.ReadMatrix(path), path,
            "expected float32 or float16 embeddings, found float64 ('<f8')", "x.astype(np.float32)");
        AssertInputError(() => NpyFile.ReadMatrixRows(path, 0, 1), path, "found float64", "x.astype(np.float32)");
    }

    [Fact]
    public void Int_matrix()
    {
        string path = _dir.Write("i4m.npy", NpyBytes.Concat(
            NpyBytes.Header(NpyBytes.NumpyDict("<i4", false, 1, 2)), NpyBytes.Int32s(1, 2)));
        AssertInputError(() => NpyFile.ReadMatrix(path), path, "found int32 ('<i4')", "x.astype(np.float32)");
    }

    [Fact]
    public void Float_labels()
    {
        string path = _dir.Write("labels-f4.npy", NpyBytes.Concat(
            NpyBytes.Header(NpyBytes.NumpyDict("<f4", false, 2)), NpyBytes.Floats(1, 2)));
        AssertInputError(() => NpyFile.ReadIntVector(path), path,
            "expected int32 or int64 labels, found float32 ('<f4')", "x.astype(np.int32)");
    }

    [Fact]
    public void Big_endian()
    {
        string path = _dir.Write("be.npy", NpyBytes.Concat(
            NpyBytes.Header(NpyBytes.NumpyDict(">f4", false, 1, 1)), new byte[4]));
        AssertInputError(() => NpyFile.ReadMatrix(path), path, "big-endian ('>f4')", "x.astype('<f4')");
    }

    [Theory]
    [InlineData("|u1")]
    [InlineData("<i2")]
    [InlineData("|O")]
    [InlineData("<U5")]
    public void Unsupported_dtype(string descr)
    {
        string path = _dir.Write("dtype.npy", NpyBytes.Concat(
            NpyBytes.Header(NpyBytes.NumpyDict(descr, false, 1)), new byte[64]));
        AssertInputError(() => NpyFile.ReadHeader(path), path, $"unsupported dtype '{descr}'", "x.astype(np.float32)");
    }

    [Fact]
    public void Structured_dtype()
    {
        string dict = "{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, 'shape': (1,), }";
        string path = _dir.Write("struct.npy", NpyBytes.Concat(NpyBytes.Header(dict), new byte[8]));
        AssertInputError(() => NpyFile.ReadHeader(path), path, "structured", "np.save");
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False}", "no 'shape' key")]
    [InlineData("{'descr': '<f4', 'shape': (1,)}", "no 'fortran_order' key")]
    [InlineData("{'fortran_order': False, 'shape': (1,)}", "no 'descr' key")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)", "unexpected end")]
    [InlineData("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}", "'fortran_order' is not True or False")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", "non-negative")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': 3}", "'shape' is not a tuple")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} junk", "unexpected text")]
    [InlineData("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,)}", "unexpected name 'Maybe'")]
    [InlineData("['descr', '<f4']", "not a dict")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", "too large")]
    public void Malformed_header(string dict, string problem)
    {
        string path = _dir.Write("header.npy", NpyBytes.Concat(NpyBytes.Header(dict), new byte[4]));
        AssertInputError(() => NpyFile.ReadHeader(path), path, problem, "np.save");
    }

    [Fact]
    public void Deeply_nested_header_is_rejected_without_overflowing_the_stack()
    {
        string dict = "{'x': " + new string('(', 5000) + "}";
        string path = _dir.Write("nested.npy", NpyBytes.Header(dict));
        AssertInputError(() => NpyFile.ReadHeader(path), path, "nested too deeply", "np.save");
    }

    [Fact]
    public void One_dimensional_matrix()
    {
        string path = _dir.Write("vec.npy", NpyBytes.Concat(
            NpyBytes.Header(NpyBytes.NumpyDict("<f4", false, 10)), NpyBytes.Floats(new float[10])));
        AssertInputError(() => NpyFile.ReadMatrix(path), path,
            "expected a 2-D array (rows × dims), found shape (10,)", "reshape");
    }

    [Fact]
    public void Three_dimensional_matrix()
    {
        string path = _dir.Write("cube.npy", NpyBytes.Concat(
            NpyBytes.Header(NpyBytes.NumpyDict("<f4", false, 2, 2, 2)), NpyBytes.Floats(new float[8])));
        AssertInputError(() => NpyFile.ReadMatrix(path), path, "found shape (2, 2, 2)", "reshape");
    }

    [Fact]
    public void Two_dimensional_labels()
    {
        string path = _dir.Write("labels2d.npy", NpyBytes.Concat(
            NpyBytes.Header(NpyBytes.NumpyDict("<i4", false, 2, 1)), NpyBytes.Int32s(1, 2)));
        AssertInputError(() => NpyFile.ReadIntVector(path), path,
            "expected a 1-D array of labels, found shape (2, 1)", "x.reshape(-1)");
    }

    [Fact]
    public void Fortran_order_matrix()
    {
        string path = _dir.Write("fortran.npy", NpyBytes.Concat(
            NpyBytes.Header(NpyBytes.NumpyDict("<f4", true, 2, 3)), NpyBytes.Floats(new float[6])));
        AssertInputError(() => NpyFile.ReadMatrix(path), path, "Fortran", "np.ascontiguousarray(x)");
    }

    [Fact]
    public void Truncated_data_names_both_sizes()
    {
        byte[] full = NpyBytes.Float32Matrix(3, 4, NpyBytes.Sequence(12));
        string path = _dir.Write("cut.npy", full[..^8]);
        AssertInputError(() => NpyFile.ReadMatrix(path), path, "truncated", "needs 48 bytes", "has only 40", "copy the file again");
        AssertInputError(() => NpyFile.ReadHeader(path), path, "needs 48 bytes", "has only 40");
    }

    [Fact]
    public void Truncated_header()
    {
        byte[] full = NpyBytes.Float32Matrix(1, 1, [1]);
        string path = _dir.Write("cut-header.npy", full[..50]);
        AssertInputError(() => NpyFile.ReadHeader(path), path, "truncated", "needs 128 bytes", "has only 50");
    }

    [Fact]
    public void Huge_declared_shape_fails_on_size_before_allocating()
    {
        // 10^12 × 1000 float32 would be 4 PB; the 16-byte file must be rejected as truncated, not attempted.
        string path = _dir.Write("liar.npy", NpyBytes.Concat(
            NpyBytes.Header(NpyBytes.NumpyDict("<f4", false, 1_000_000_000_000, 1000)), new byte[16]));
        AssertInputError(() => NpyFile.ReadMatrix(path), path, "needs 4000000000000000 bytes", "has only 16");
    }

    [Fact]
    public void Shape_whose_size_overflows()
    {
        string path = _dir.Write("overflow.npy", NpyBytes.Concat(
            NpyBytes.Header(NpyBytes.NumpyDict("<f4", false, long.MaxValue / 2, 3)), new byte[16]));
        AssertInputError(() => NpyFile.ReadHeader(path), path, "too large to be real", "np.save");
    }

    [Fact]
    public void Too_many_dims_for_one_row()
    {
        // Sparse file: 1 row × 3e9 float16 columns, so the size check passes and the matrix-size check must fire.
        const long cols = 3_000_000_000;
        string path = _dir.File("wide.npy");
        using (var stream = new FileStream(path, FileMode.CreateNew))
        {
            byte[] header = NpyBytes.Header(NpyBytes.NumpyDict("<f2", false, 1, cols));
            stream.Write(header);
            stream.SetLength(header.Length + (cols * 2));
        }

        AssertInputError(() => NpyFile.ReadMatrix(path), path, "3000000000 dims", "reduce the dimensionality");
    }

    [Fact]
    public void Too_many_elements_for_one_matrix()
    {
        // Sparse file: 1.1e6 × 2000 float16 is 2.2e9 elements, past Array.MaxLength though rows and cols are small.
        const long rows = 1_100_000;
        const long cols = 2000;
        string path = _dir.File("tall.npy");
        using (var stream = new FileStream(path, FileMode.CreateNew))
        {
            byte[] header = NpyBytes.Header(NpyBytes.NumpyDict("<f2", false, rows, cols));
            stream.Write(header);
            stream.SetLength(header.Length + (rows * cols * 2));
        }

        AssertInputError(() => NpyFile.ReadMatrix(path), path,
            "2200000000 elements, more than one in-memory matrix can hold", "shards", "ReadMatrixRows");
        Assert.Equal(2 * cols, NpyFile.ReadMatrixRows(path, rows - 2, 2).Data.Length);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "+Inf")]
    [InlineData(float.NegativeInfinity, "-Inf")]
    public void Non_finite_value_names_the_first_bad_row_and_column(float bad, string name)
    {
        float[] values = NpyBytes.Sequence(30 * 5);
        values[(17 * 5) + 3] = bad;
        values[(20 * 5) + 1] = float.NaN;
        string path = _dir.Write("nan.npy", NpyBytes.Float32Matrix(30, 5, values));
        AssertInputError(() => NpyFile.ReadMatrix(path), path,
            $"row 17 contains {name} at column 3", "drop or repair that row");
    }

    [Fact]
    public void Nan_in_float16_beyond_the_first_chunk()
    {
        // 600 × 1000 float16 = 1.2 MB: the NaN sits in the second 1 MB chunk, mid-row.
        float[] values = new float[600 * 1000];
        values[(550 * 1000) + 999] = float.NaN;
        string path = _dir.Write("nan16.npy", NpyBytes.Concat(
            NpyBytes.Header(NpyBytes.NumpyDict("<f2", false, 600, 1000)), NpyBytes.Halves(values)));
        AssertInputError(() => NpyFile.ReadMatrix(path), path, "row 550 contains NaN at column 999", "drop or repair that row");
    }

    [Theory]
    [InlineData(0, 4, "zero rows")]
    [InlineData(4, 0, "zero columns")]
    public void Empty_matrix(long rows, long cols, string problem)
    {
        string path = _dir.Write("empty.npy", NpyBytes.Header(NpyBytes.NumpyDict("<f4", false, rows, cols)));
        AssertInputError(() => NpyFile.ReadMatrix(path), path, problem, "export at least one row");
    }

    [Fact]
    public void Int64_label_outside_int32()
    {
        string path = _dir.Write("big-labels.npy", NpyBytes.Concat(
            NpyBytes.Header(NpyBytes.NumpyDict("<i8", false, 3)), NpyBytes.Int64s(0, 1, 4_294_967_296)));
        AssertInputError(() => NpyFile.ReadIntVector(path), path,
            "element 2 is 4294967296, outside the int32 range", "np.unique(x, return_inverse=True)");
    }

    [Fact]
    public void Row_range_out_of_bounds()
    {
        string path = _dir.Write("range.npy", NpyBytes.Float32Matrix(10, 2, NpyBytes.Sequence(20)));
        AssertInputError(() => NpyFile.ReadMatrixRows(path, 8, 3), path, "out of bounds", "3 rows from row 8", "has 10 rows", "within [0, 10)");
        AssertInputError(() => NpyFile.ReadMatrixRows(path, 10, 1), path, "out of bounds");
        AssertInputError(() => NpyFile.ReadMatrixRows(path, long.MaxValue, 1), path, "out of bounds");
    }

    private static void AssertInputError(Action read, string path, params string[] fragments)
    {
        var ex = Assert.Throws<ScarInputException>(read);
        Assert.Equal(path, ex.Input);
        Assert.Contains(Path.GetFileName(path), ex.Message, StringComparison.Ordinal);
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
        }
    }
}
