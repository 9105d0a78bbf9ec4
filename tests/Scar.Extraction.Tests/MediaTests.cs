using System.Diagnostics;
using System.Numerics.Tensors;
using Scar.Extraction.Encoders;
using Scar.Extraction.Media;

namespace Scar.Extraction.Tests;

/// <summary>Audio (a synthesized tone) and video (a few frames made by ffmpeg) through the encoder configuration.</summary>
public sealed class MediaTests
{
    private static readonly string Dir = Directory.CreateTempSubdirectory("scar-media-").FullName;

    [Fact]
    public void Wav_tone_is_resampled_to_the_model_rate_and_encoded()
    {
        string model = Path.Combine(Dir, "tiny-audio.onnx");
        TinyOnnx.WriteProjection(model, 16000, 8);
        string config = Path.Combine(Dir, "audio.json");
        File.WriteAllText(config, """{ "kind": "audio", "model": "tiny-audio.onnx", "sample_rate": 16000, "audio_samples": 16000, "normalize": true, "provider": "cpu" }""");
        using var encoder = EncoderFactory.Create(EncoderConfig.Load(config));
        Assert.Equal(8, encoder.Dimension);

        var a44 = encoder.Prepare(new MediaInput(Bytes: Tone(440, 44100, channels: 2, seconds: 1.2)));
        var a16 = encoder.Prepare(new MediaInput(Bytes: Tone(440, 16000, channels: 1, seconds: 1.0)));
        var b16 = encoder.Prepare(new MediaInput(Bytes: Tone(1320, 16000, channels: 1, seconds: 1.0)));
        Assert.Equal(16000, a44.Values.Length);
        var rows = new float[3 * 8];
        encoder.Encode([a44, a16, b16], rows);
        float same = TensorPrimitives.CosineSimilarity(rows.AsSpan(0, 8), rows.AsSpan(8, 8));
        float other = TensorPrimitives.CosineSimilarity(rows.AsSpan(8, 8), rows.AsSpan(16, 8));
        Assert.True(same > 0.98f, $"the same tone at 44.1 kHz stereo and 16 kHz mono differ: cos {same}");
        Assert.True(other < same, $"different tones are as close as the same tone: {other} vs {same}");
        Assert.InRange(TensorPrimitives.Norm(rows.AsSpan(0, 8)), 0.999f, 1.001f);
        Assert.Throws<BadRecordException>(() => encoder.Prepare(new MediaInput(Bytes: "RIFF...."u8.ToArray())));
    }

    [Fact]
    public void Video_frames_are_sampled_by_ffmpeg_encoded_and_mean_pooled()
    {
        if (!FfmpegFrames.IsAvailable())
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", "ffmpeg is missing on CI (apt-get install -y ffmpeg)");
            Console.WriteLine("SKIPPED: ffmpeg is not installed; the video test needs it (apt-get install -y ffmpeg)");
            return;
        }

        string still = Path.Combine(Dir, "still.png");
        string stillVideo = Path.Combine(Dir, "still.mp4");
        string moving = Path.Combine(Dir, "moving.mp4");
        Ffmpeg("-f", "lavfi", "-i", "testsrc=size=224x224:rate=1", "-frames:v", "1", still);
        Ffmpeg("-loop", "1", "-i", still, "-t", "3", "-r", "4", "-pix_fmt", "yuv444p", stillVideo);
        Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=8:duration=3", "-pix_fmt", "yuv420p", moving);

        var config = BuiltInModels.For(EncoderKind.Video) with { FramesPerSecond = 2, MaxFrames = 4, Provider = ExecutionProviderKind.Cpu };
        using var video = EncoderFactory.Create(config);
        using var image = EncoderFactory.Create(BuiltInModels.ResNet18 with { Provider = ExecutionProviderKind.Cpu });
        var clip = video.Prepare(new MediaInput(Path: stillVideo));
        Assert.Equal(4, clip.Length);
        var clips = new float[2 * 512];
        video.Encode([clip, video.Prepare(new MediaInput(Path: moving))], clips);
        var frame = new float[512];
        image.Encode([image.Prepare(new MediaInput(Path: still))], frame);
        Assert.InRange(TensorPrimitives.Norm(clips.AsSpan(0, 512)), 0.999f, 1.001f);
        float cos = TensorPrimitives.CosineSimilarity(clips.AsSpan(0, 512), frame);
        Assert.True(cos > 0.9f, $"a still video should embed like its frame: cos {cos}");
        Assert.Throws<BadRecordException>(() => video.Prepare(new MediaInput(Bytes: "not a video"u8.ToArray())));
    }

    private static void Ffmpeg(params string[] args)
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true };
        foreach (var a in new[] { "-y", "-v", "error" }.Concat(args))
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"ffmpeg {string.Join(' ', args)}: {err}");
    }

    /// <summary>A 16-bit PCM WAV of a sine tone.</summary>
    public static byte[] Tone(double hz, int rate, int channels, double seconds)
    {
        int frames = (int)(rate * seconds);
        using var m = new MemoryStream();
        using var w = new BinaryWriter(m);
        w.Write("RIFF"u8);
        w.Write(36 + (frames * channels * 2));
        w.Write("WAVEfmt "u8);
        w.Write(16);
        w.Write((short)1);
        w.Write((short)channels);
        w.Write(rate);
        w.Write(rate * channels * 2);
        w.Write((short)(channels * 2));
        w.Write((short)16);
        w.Write("data"u8);
        w.Write(frames * channels * 2);
        for (int i = 0; i < frames; i++)
        {
            short v = (short)(Math.Sin(2 * Math.PI * hz * i / rate) * 12000);
            for (int c = 0; c < channels; c++)
            {
                w.Write(v);
            }
        }

        w.Flush();
        return m.ToArray();
    }
}
