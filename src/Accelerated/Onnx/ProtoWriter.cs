using System.Buffers.Binary;
using System.Text;

namespace Scar.Accelerated.Onnx;

/// <summary>
/// The protocol buffers wire format, write side only: varint (wire type 0), 32-bit (5) and length-delimited (2)
/// fields, which is all an ONNX model needs. Nested messages are written into their own writer and then embedded.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _buffer = new();

    /// <summary>Field <paramref name="field"/> as a varint (int32/int64/enum; negative values take ten bytes, as protobuf says).</summary>
    public ProtoWriter Varint(int field, long value)
    {
        Tag(field, 0);
        WriteVarint((ulong)value);
        return this;
    }

    /// <summary>Field <paramref name="field"/> as a little-endian float (fixed32).</summary>
    public ProtoWriter Float(int field, float value)
    {
        Tag(field, 5);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _buffer.Write(bytes);
        return this;
    }

    /// <summary>Field <paramref name="field"/> as a UTF-8 string.</summary>
    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>Field <paramref name="field"/> as an embedded message.</summary>
    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

    /// <summary>Field <paramref name="field"/> as raw length-delimited bytes.</summary>
    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2);
        WriteVarint((ulong)value.Length);
        _buffer.Write(value);
        return this;
    }

    /// <summary>The bytes written so far.</summary>
    public byte[] ToArray() => _buffer.ToArray();

    private void Tag(int field, int wireType)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(field);
        WriteVarint(((ulong)field << 3) | (uint)wireType);
    }

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        _buffer.WriteByte((byte)value);
    }
}
