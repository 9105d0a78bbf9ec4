using System.Text;
using Scar.Core.IO;

namespace Scar.Core.Tests;

/// <summary>
/// Hostile .npy input: thousands of mutated headers, truncated files and huge declared shapes. Every reader must
/// answer with a <see cref="ScarInputException"/> naming the file (or succeed), never crash, hang or allocate
/// more than a small bound beyond the file's own size.
/// </summary>
public sealed class NpyFuzzTests : IDisposable
{
    private const long AllocationSlack = 8L << 20;

    private static readonly string[] Descrs = ["<f4", "<f2", "<i4", "<i8", ">f4", "|u1", "<f8", "<c8", "f4", "", "<f4<f4", "'", "<U10", "|O"];

    private static readonly string[] Shapes =
    [
        "(3, 4)", "(3,)", "()", "(0, 4)", "(4, 0)", "(-1, 4)", "(3, -4)", "(9223372036854775807, 2)", "(2, 9223372036854775807)",
        "(4611686018427387904, 4)", "(2147483647, 2147483647)", "(1000000000, 1000000000)", "(100000000, 4)", "(3, 4, 5)",
        "(3.5, 4)", "('3', 4)", "(3L, 4L)", "((3, 4))", "[3, 4]", "(3, 4", "3, 4)", "(99999999999999999999999, 1)", "(True, 4)",
        "(" + new string('(', 200) + ")", "(" + string.Join(", ", Enumerable.Repeat("2", 70)) + ")",
    ];

    private readonly NpyTempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Thousands_of_malformed_headers_and_files_give_clear_input_errors()
    {
        var random = new Random(20261204);
        int rejected = 0, accepted = 0;
        byte[] valid = NpyBytes.Concat(NpyBytes.Header(NpyBytes.NumpyDict("<f4", false, 3, 4)), NpyBytes.Floats(new float[12]));
        for (int i = 0; i < 4000; i++)
        {
            byte[] bytes = (i % 4) switch
            {
                0 => Structured(random),
                1 => Mutate(valid, random),
                2 => valid[..random.Next(0, valid.Length)],
                _ => RandomBytes(random),
            };

            string path = _dir.Write($"f{i}.npy", bytes);
            foreach (var read in Readers)
            {
                if (Check(path, bytes.LongLength, read))
                {
                    accepted++;
                }
                else
                {
                    rejected++;
                }
            }

            File.Delete(path);
        }

        Assert.True(rejected > 10_000, $"only {rejected} rejections: the generator is too tame");
        Assert.True(accepted > 0, "no input was accepted at all: the generator never produced a valid file");
    }

    [Theory]
    [InlineData("(9223372036854775807, 2)")]
    [InlineData("(4611686018427387904, 4)")]
    [InlineData("(2147483647, 2147483647)")]
    [InlineData("(100000000, 4)")]
    public void A_huge_declared_shape_on_a_small_file_is_refused_before_allocating(string shape)
    {
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}";
        string path = _dir.Write("huge.npy", NpyBytes.Concat(NpyBytes.Header(dict), NpyBytes.Floats(new float[16])));
        foreach (var read in Readers)
        {
            Assert.False(Check(path, 200, read), $"{shape} was accepted");
        }
    }

    private static readonly Action<string>[] Readers =
    [
        p => NpyFile.ReadHeader(p),
        p => NpyFile.ReadMatrix(p),
        p => NpyFile.ReadMatrixRows(p, 1, 2),
        p => NpyFile.ReadIntVector(p),
    ];

    // True when the reader accepted the file; false when it refused it with a clear ScarInputException.
    private static bool Check(string path, long fileBytes, Action<string> read)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            read(path);
            return true;
        }
        catch (ScarInputException e)
        {
            Assert.Equal(path, e.Input);
            Assert.False(string.IsNullOrWhiteSpace(e.Detail), "an empty error message");
            Assert.DoesNotContain("Exception", e.Detail, StringComparison.Ordinal);
            return false;
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            Assert.Fail($"{Convert.ToBase64String(File.ReadAllBytes(path))}: {e.GetType().Name}: {e.Message}");
            return false;
        }
        finally
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated <= AllocationSlack + (4 * fileBytes), $"{allocated:N0} bytes allocated for a {fileBytes:N0}-byte file");
        }
    }

    private static byte[] Structured(Random random)
    {
        string descr = Pick(random, Descrs);
        string shape = Pick(random, Shapes);
        string fortran = Pick(random, ["False", "True", "0", "None", "'no'"]);
        var parts = new List<string> { $"'descr': '{descr}'", $"'fortran_order': {fortran}", $"'shape': {shape}" };
        if (random.Next(4) == 0)
        {
            parts.RemoveAt(random.Next(parts.Count));
        }

        if (random.Next(6) == 0)
        {
            parts.Add($"'{Pick(random, ["descr", "extra", "shape", ""])}': {Pick(random, ["1", "None", "'x'", "{}", "(", "}"])}");
        }

        string dict = "{" + string.Join(", ", parts.OrderBy(_ => random.Next())) + (random.Next(2) == 0 ? ", }" : "}");
        byte[] header = NpyBytes.Header(dict, major: Pick(random, [1, 1, 2, 3]));
        if (random.Next(5) == 0)
        {
            // A declared header length that disagrees with the file.
            const int at = 8;
            header[at] = (byte)random.Next(256);
            header[at + 1] = (byte)random.Next(256);
        }

        return NpyBytes.Concat(header, RandomBytes(random, random.Next(0, 256)));
    }

    private static byte[] Mutate(byte[] valid, Random random)
    {
        byte[] bytes = (byte[])valid.Clone();
        int edits = random.Next(1, 6);
        for (int e = 0; e < edits; e++)
        {
            bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
        }

        return bytes;
    }

    private static byte[] RandomBytes(Random random, int? length = null)
    {
        byte[] bytes = new byte[length ?? random.Next(0, 300)];
        random.NextBytes(bytes);
        if (bytes.Length >= 6 && random.Next(2) == 0)
        {
            Encoding.Latin1.GetBytes("\x93NUMPY").CopyTo(bytes, 0);
        }

        return bytes;
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];
}
