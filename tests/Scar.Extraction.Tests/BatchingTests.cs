using Scar.Extraction.Encoders;

namespace Scar.Extraction.Tests;

/// <summary>The batch-1 ResNet18 rewritten with a symbolic batch dimension gives the rows of one-by-one runs.</summary>
public sealed class BatchingTests
{
    [Fact]
    public void Batched_resnet18_matches_single_runs()
    {
        var pngs = Directory.GetFiles(Path.Combine(Path.GetDirectoryName(EmojiData.Instance.Manifest)!, "google", "img", "google", "64"), "*.png")
            .Order(StringComparer.Ordinal).Take(8).ToArray();
        using var single = new ImageEncoder(BuiltInModels.ResNet18 with { BatchSize = 1, Provider = ExecutionProviderKind.Cpu });
        using var batched = new ImageEncoder(BuiltInModels.ResNet18 with { BatchSize = 8, Provider = ExecutionProviderKind.Cpu });
        Assert.Equal(1, single.BatchSize);
        Assert.Equal(8, batched.BatchSize);
        var inputs = pngs.Select(p => single.Prepare(new MediaInput(Path: p))).ToArray();
        var a = new float[8 * 512];
        var b = new float[8 * 512];
        single.Encode(inputs, a);
        batched.Encode(inputs, b);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.True(Math.Abs(a[i] - b[i]) < 1e-4f, $"value {i}: {a[i]} vs {b[i]}");
        }
    }
}

/// <summary>The I/O-binding path (used on CUDA) gives the plain run's output; checked here on the CPU provider.</summary>
public sealed class IoBindingTests
{
    [Fact]
    public void Io_binding_run_matches_plain_run()
    {
        var config = BuiltInModels.ResNet18;
        using var plain = new OnnxModel(config.PreprocessModel!, null, null, ExecutionProviderKind.Cpu, null, ioBinding: false);
        using var bound = new OnnxModel(config.PreprocessModel!, null, null, ExecutionProviderKind.Cpu, null, ioBinding: true);
        Assert.True(bound.UsesIoBinding);
        long[] shape = plain.InputShape.Length == 4 ? [1, 3, 224, 224] : [3, 224, 224];
        var input = Enumerable.Range(0, 3 * 224 * 224).Select(i => (float)(i % 255)).ToArray();
        var (a, sa) = plain.Run(input, shape);
        var (b, sb) = bound.Run(input, shape);
        Assert.Equal(sa, sb);
        Assert.Equal(a, b);
    }
}
