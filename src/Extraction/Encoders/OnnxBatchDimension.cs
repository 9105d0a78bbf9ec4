namespace Scar.Extraction.Encoders;

/// <summary>
/// Rewrites an ONNX model whose graph inputs/outputs declare a fixed batch dimension of 1 (the CNTK-exported ResNet18)
/// so that the first dimension is symbolic ("N"): a minimal protobuf pass that copies every other byte unchanged.
/// Initializers (weights) are left alone even when listed among the graph inputs.
/// </summary>
public static class OnnxBatchDimension
{
    /// <summary>The rewritten model bytes, or null when no declared batch dimension of 1 was found.</summary>
    public static byte[]? FreeBatchDimension(byte[] model)
    {
        int changed = 0;
        var result = Rewrite(model, (field, body) => field == 7 ? RewriteGraph(body, ref changed) : null);
        return changed > 0 ? result : null;
    }

    private static byte[] RewriteGraph(byte[] graph, ref int changed)
    {
        var initializers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (field, body, _) in Fields(graph))
        {
            if (field == 5)
            {
                foreach (var (f, b, _) in Fields(body))
                {
                    if (f == 8)
                    {
                        initializers.Add(System.Text.Encoding.UTF8.GetString(b));
                    }
                }
            }
        }

        int count = 0;
        var result = Rewrite(graph, (field, body) =>
        {
            if (field is not (11 or 12 or 13))
            {
                return null;
            }

            string? name = Fields(body).Where(p => p.Field == 1).Select(p => System.Text.Encoding.UTF8.GetString(p.Body)).FirstOrDefault();
            if (name is null || initializers.Contains(name))
            {
                return null;
            }

            return Rewrite(body, (f2, type) => f2 != 2 ? null : Rewrite(type, (f3, tensor) => f3 != 1 ? null : Rewrite(tensor, (f4, shape) =>
            {
                if (f4 != 2)
                {
                    return null;
                }

                bool first = true;
                return Rewrite(shape, (f5, dim) =>
                {
                    if (f5 != 1 || !first)
                    {
                        return null;
                    }

                    first = false;
                    var fields = Fields(dim).ToArray();
                    if (fields.Length == 1 && fields[0].Field == 1 && fields[0].Varint == 1)
                    {
                        count++;
                        return [0x12, 0x01, (byte)'N']; // dim_param = "N"
                    }

                    return null;
                });
            })));
        });
        changed += count;
        return result;
    }

    // Copies a message, replacing the body of length-delimited fields for which rewrite returns bytes.
    private static byte[] Rewrite(byte[] message, Func<int, byte[], byte[]?> rewrite)
    {
        using var output = new MemoryStream(message.Length);
        int pos = 0;
        while (pos < message.Length)
        {
            int start = pos;
            ulong tag = ReadVarint(message, ref pos);
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            switch (wire)
            {
                case 0:
                    ReadVarint(message, ref pos);
                    output.Write(message, start, pos - start);
                    break;
                case 1:
                    pos += 8;
                    output.Write(message, start, pos - start);
                    break;
                case 5:
                    pos += 4;
                    output.Write(message, start, pos - start);
                    break;
                case 2:
                    int length = (int)ReadVarint(message, ref pos);
                    var body = message.AsSpan(pos, length).ToArray();
                    pos += length;
                    var replaced = rewrite(field, body);
                    if (replaced is null)
                    {
                        output.Write(message, start, pos - start);
                    }
                    else
                    {
                        WriteVarint(output, tag);
                        WriteVarint(output, (ulong)replaced.Length);
                        output.Write(replaced);
                    }

                    break;
                default:
                    throw new FormatException($"unsupported protobuf wire type {wire}");
            }
        }

        return output.ToArray();
    }

    private static IEnumerable<(int Field, byte[] Body, ulong Varint)> Fields(byte[] message)
    {
        int pos = 0;
        var list = new List<(int, byte[], ulong)>();
        while (pos < message.Length)
        {
            ulong tag = ReadVarint(message, ref pos);
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            switch (wire)
            {
                case 0:
                    list.Add((field, [], ReadVarint(message, ref pos)));
                    break;
                case 1:
                    pos += 8;
                    break;
                case 5:
                    pos += 4;
                    break;
                case 2:
                    int length = (int)ReadVarint(message, ref pos);
                    list.Add((field, message.AsSpan(pos, length).ToArray(), 0));
                    pos += length;
                    break;
                default:
                    throw new FormatException($"unsupported protobuf wire type {wire}");
            }
        }

        return list;
    }

    private static ulong ReadVarint(byte[] data, ref int pos)
    {
        ulong value = 0;
        int shift = 0;
        while (true)
        {
            byte b = data[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }

            shift += 7;
        }
    }

    private static void WriteVarint(Stream s, ulong v)
    {
        while (v >= 0x80)
        {
            s.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }

        s.WriteByte((byte)v);
    }
}
