using System.Buffers.Binary;
using System.Text;

namespace Scar.Core.Tests;

/// <summary>A temporary folder for one test, deleted on dispose.</summary>
internal sealed class NpyTempDir : IDisposable
{
    public NpyTempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "scar-npy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes <paramref name="bytes"/> to a new file in the folder and returns its path.</summary>
    public string Write(string name, byte[] bytes)
    {
        string path = File(name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leaked temp folder must not fail the test run.
        }
    }
}

/// <summary>
/// Builds .npy bytes by hand, independently of the code under test, following numpy/lib/format.py
/// (<c>_write_array_header</c> and <c>_wrap_header</c>), so reader tests see exactly what NumPy writes.
/// </summary>
internal static class NpyBytes
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>The dict text NumPy ≥ 1.24 writes: sorted keys, ", " after each, "}" and growth-axis spaces.</summary>
    public static string NumpyDict(string descr, bool fortran, params long[] shape)
    {
        string shapeRepr = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        string dict = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shapeRepr}, }}";
        if (shape.Length > 0)
        {
            dict += new string(' ', 21 - shape[fortran ? shape.Length - 1 : 0].ToString().Length);
        }

        return dict;
    }

    /// <summary>
    /// Magic, version, header length and the dict padded with spaces and '\n' to a 64-byte boundary
    /// (<c>_wrap_header</c>: padlen = 64 - ((prefix + len + 1) % 64)).
    /// </summary>
    public static byte[] Header(string dict, int major = 1)
    {
        byte[] text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetBytes(dict);
        int prefix = major == 1 ? 10 : 12;
        int hlen = text.Length + 1;
        int padlen = 64 - ((prefix + hlen) % 64);
        var bytes = new List<byte>(Magic) { (byte)major, 0 };
        byte[] length = new byte[prefix - 8];
        if (major == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)(hlen + padlen));
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)(hlen + padlen));
        }

        bytes.AddRange(length);
        bytes.AddRange(text);
        bytes.AddRange(Enumerable.Repeat((byte)' ', padlen));
        bytes.Add((byte)'\n');
        return [.. bytes];
    }

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    public static byte[] Floats(params float[] values)
    {
        byte[] bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }

    public static byte[] Halves(params float[] values)
    {
        byte[] bytes = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(i * 2), (Half)values[i]);
        }

        return bytes;
    }

    public static byte[] Doubles(params double[] values)
    {
        byte[] bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), values[i]);
        }

        return bytes;
    }

    public static byte[] Int32s(params int[] values)
    {
        byte[] bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }

    public static byte[] Int64s(params long[] values)
    {
        byte[] bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
        }

        return bytes;
    }

    /// <summary>A complete NumPy-style version 1.0 file for a float32 matrix.</summary>
    public static byte[] Float32Matrix(int rows, int cols, float[] values) =>
        Concat(Header(NumpyDict("<f4", false, rows, cols)), Floats(values));

    /// <summary>0, 1, 2, … as floats: every value distinct and exact, so misplaced elements show.</summary>
    public static float[] Sequence(int count, float scale = 1f)
    {
        float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = i * scale;
        }

        return values;
    }
}
