using System.Buffers.Binary;

namespace Scar.Extraction.Media;

/// <summary>Reads RIFF/WAVE PCM (8/16/24/32-bit integer, 32-bit float; any channel count) into mono floats.</summary>
public static class WavReader
{
    /// <summary>Decodes a WAV file's bytes into mono samples in [-1, 1] and its sample rate.</summary>
    public static (float[] Samples, int SampleRate) Read(ReadOnlySpan<byte> wav)
    {
        if (wav.Length < 12 || !wav[..4].SequenceEqual("RIFF"u8) || !wav.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            throw new FormatException("not a RIFF/WAVE file");
        }

        int format = 0, channels = 0, rate = 0, bits = 0;
        int pos = 12;
        while (pos + 8 <= wav.Length)
        {
            var id = wav.Slice(pos, 4);
            int size = BinaryPrimitives.ReadInt32LittleEndian(wav.Slice(pos + 4, 4));
            int body = pos + 8;
            if (size < 0)
            {
                throw new FormatException("negative chunk size");
            }

            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16 || body + 16 > wav.Length)
                {
                    throw new FormatException("truncated fmt chunk");
                }

                format = BinaryPrimitives.ReadUInt16LittleEndian(wav.Slice(body, 2));
                channels = BinaryPrimitives.ReadUInt16LittleEndian(wav.Slice(body + 2, 2));
                rate = BinaryPrimitives.ReadInt32LittleEndian(wav.Slice(body + 4, 4));
                bits = BinaryPrimitives.ReadUInt16LittleEndian(wav.Slice(body + 14, 2));
                if (format == 0xFFFE && size >= 26)
                {
                    format = BinaryPrimitives.ReadUInt16LittleEndian(wav.Slice(body + 24, 2)); // WAVE_FORMAT_EXTENSIBLE sub-format
                }
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (channels <= 0 || rate <= 0)
                {
                    throw new FormatException("data chunk before a valid fmt chunk");
                }

                int length = Math.Min(size, wav.Length - body);
                return (Decode(wav.Slice(body, length), format, channels, bits), rate);
            }

            pos = body + size + (size & 1);
        }

        throw new FormatException("no data chunk");
    }

    private static float[] Decode(ReadOnlySpan<byte> data, int format, int channels, int bits)
    {
        int bytes = bits / 8;
        if (!((format == 1 && bits is 8 or 16 or 24 or 32) || (format == 3 && bits == 32)))
        {
            throw new FormatException($"unsupported WAV encoding (format {format}, {bits} bits); use PCM 8/16/24/32-bit or float32");
        }

        int frames = data.Length / (bytes * channels);
        var mono = new float[frames];
        for (int f = 0; f < frames; f++)
        {
            float sum = 0;
            for (int c = 0; c < channels; c++)
            {
                var s = data.Slice(((f * channels) + c) * bytes, bytes);
                sum += (format, bits) switch
                {
                    (3, _) => BinaryPrimitives.ReadSingleLittleEndian(s),
                    (_, 8) => (s[0] - 128) / 128f,
                    (_, 16) => BinaryPrimitives.ReadInt16LittleEndian(s) / 32768f,
                    (_, 24) => ((s[0] << 8) | (s[1] << 16) | (s[2] << 24)) / 2147483648f,
                    _ => BinaryPrimitives.ReadInt32LittleEndian(s) / 2147483648f,
                };
            }

            mono[f] = sum / channels;
        }

        return mono;
    }

    /// <summary>
    /// Resamples by linear interpolation after a moving-average low-pass of the decimation width when
    /// down-sampling (enough for embedding models; not a studio resampler).
    /// </summary>
    public static float[] Resample(float[] samples, int from, int to)
    {
        if (from == to || samples.Length == 0)
        {
            return samples;
        }

        float[] source = samples;
        if (to < from)
        {
            int width = (int)Math.Ceiling((double)from / to);
            source = new float[samples.Length];
            double acc = 0;
            for (int i = 0; i < samples.Length; i++)
            {
                acc += samples[i];
                if (i >= width)
                {
                    acc -= samples[i - width];
                }

                source[i] = (float)(acc / Math.Min(i + 1, width));
            }
        }

        long n = (long)samples.Length * to / from;
        var result = new float[n];
        double step = (double)from / to;
        for (long i = 0; i < n; i++)
        {
            double x = i * step;
            int i0 = (int)x;
            int i1 = Math.Min(i0 + 1, source.Length - 1);
            double frac = x - i0;
            result[i] = (float)((source[i0] * (1 - frac)) + (source[i1] * frac));
        }

        return result;
    }
}
