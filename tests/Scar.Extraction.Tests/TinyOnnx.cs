using System.Text;

namespace Scar.Extraction.Tests;

/// <summary>Writes a tiny ONNX model by hand (protobuf): output = input[batch, n] × W[n, d], W fixed pseudo-random.</summary>
public static class TinyOnnx
{
    /// <summary>Writes the projection model to <paramref name="path"/>.</summary>
    public static void WriteProjection(string path, int n, int d, int seed = 7)
    {
        var rng = new Random(seed);
        var w = new byte[n * d * 4];
        for (int i = 0; i < n * d; i++)
        {
            BitConverter.TryWriteBytes(w.AsSpan(i * 4), (float)((rng.NextDouble() * 2) - 1));
        }

        var tensor = Msg(w2 => { Varint(w2, 1, n); Varint(w2, 1, d); Varint(w2, 2, 1); Str(w2, 8, "W"); Bytes(w2, 9, w); });
        var node = Msg(m => { Str(m, 1, "waveform"); Str(m, 1, "W"); Str(m, 2, "embedding"); Str(m, 3, "proj"); Str(m, 4, "MatMul"); });
        var graph = Msg(g =>
        {
            Bytes(g, 1, node);
            Str(g, 2, "tiny-audio");
            Bytes(g, 5, tensor);
            Bytes(g, 11, ValueInfo("waveform", n));
            Bytes(g, 12, ValueInfo("embedding", d));
        });
        var model = Msg(m =>
        {
            Varint(m, 1, 8);
            Bytes(m, 7, graph);
            Bytes(m, 8, Msg(o => { Str(o, 1, ""); Varint(o, 2, 13); }));
        });
        File.WriteAllBytes(path, model);
    }

    private static byte[] ValueInfo(string name, int width)
    {
        var shape = Msg(s =>
        {
            Bytes(s, 1, Msg(dim => Str(dim, 2, "batch")));
            Bytes(s, 1, Msg(dim => Varint(dim, 1, width)));
        });
        var tensorType = Msg(t => { Varint(t, 1, 1); Bytes(t, 2, shape); });
        return Msg(v => { Str(v, 1, name); Bytes(v, 2, Msg(t => Bytes(t, 1, tensorType))); });
    }

    private static byte[] Msg(Action<MemoryStream> write)
    {
        using var m = new MemoryStream();
        write(m);
        return m.ToArray();
    }

    private static void Raw(MemoryStream s, ulong v)
    {
        while (v >= 0x80)
        {
            s.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }

        s.WriteByte((byte)v);
    }

    private static void Varint(MemoryStream s, int field, long v)
    {
        Raw(s, (ulong)field << 3);
        Raw(s, (ulong)v);
    }

    private static void Bytes(MemoryStream s, int field, byte[] b)
    {
        Raw(s, ((ulong)field << 3) | 2);
        Raw(s, (ulong)b.Length);
        s.Write(b);
    }

    private static void Str(MemoryStream s, int field, string v) => Bytes(s, field, Encoding.UTF8.GetBytes(v));
}
