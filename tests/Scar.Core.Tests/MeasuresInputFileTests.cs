using Scar.Core.Measures;

namespace Scar.Core.Tests;

/// <summary>Bad and good files for <see cref="MeasuresInputFile"/> and <see cref="FdsInputFile"/>.</summary>
public sealed class MeasuresInputFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scar-measures-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Loads_a_valid_case_and_ignores_extra_keys()
    {
        string path = Write("ok.json", """{"ratio": 2, "labels": [1, 0], "logits": [[0.5, 1.5], [2, -1]], "expected": {}}""");
        MeasuresInput input = MeasuresInputFile.Load(path);
        Assert.Equal(2.0, input.Ratio);
        Assert.Equal(2, input.N);
        Assert.Equal(2, input.K);
        Assert.Equal([1, 0], input.Labels);
        Assert.Equal([0.5, 1.5, 2.0, -1.0], input.Logits);
    }

    [Theory]
    [InlineData("""{"labels": [0], "logits": [[1, 0]]}""", "ratio")]
    [InlineData("""{"ratio": 0.5, "labels": [0], "logits": [[1, 0]]}""", "ratio")]
    [InlineData("""{"ratio": 1, "labels": [0]}""", "logits")]
    [InlineData("""{"ratio": 1, "logits": [[1, 0]]}""", "labels")]
    [InlineData("""{"ratio": 1, "labels": [0, 1], "logits": [[1, 0]]}""", "labels")]
    [InlineData("""{"ratio": 1, "labels": [0, 1], "logits": [[1, 0], [1, 0, 2]]}""", "logits[1]")]
    [InlineData("""{"ratio": 1, "labels": [0], "logits": [[1]]}""", "logits[0]")]
    [InlineData("""{"ratio": 1, "labels": [2], "logits": [[1, 0]]}""", "labels[0]")]
    [InlineData("""{"ratio": 1, "labels": [-1], "logits": [[1, 0]]}""", "labels[0]")]
    [InlineData("""{"ratio": 1, "labels": [0.5], "logits": [[1, 0]]}""", "labels[0]")]
    [InlineData("""{"ratio": 1, "labels": [0], "logits": [[1, "NaN"]]}""", "logits[0][1]")]
    [InlineData("""{"ratio": 1, "labels": [], "logits": []}""", "logits")]
    [InlineData("""[1, 2]""", "object")]
    public void Bad_measures_file_names_path_and_field(string json, string field)
    {
        string path = Write("bad.json", json);
        var ex = Assert.Throws<ScarInputException>(() => MeasuresInputFile.Load(path));
        Assert.Equal(path, ex.Input);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains(field, ex.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Python_nan_literal_is_reported_as_invalid_json()
    {
        string path = Write("nan.json", """{"ratio": 1, "labels": [0], "logits": [[1, NaN]]}""");
        var ex = Assert.Throws<ScarInputException>(() => MeasuresInputFile.Load(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("JSON", ex.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_names_path()
    {
        string path = Path.Combine(_dir, "absent.json");
        var ex = Assert.Throws<ScarInputException>(() => MeasuresInputFile.Load(path));
        Assert.Equal(path, ex.Input);
        Assert.Throws<ScarInputException>(() => FdsInputFile.Load(path));
    }

    [Fact]
    public void Loads_a_valid_fds_file_with_defaults()
    {
        string path = Write("fds.json", """{"source": "x", "rho": 5, "h": [100, 200.5], "expected": {"x": 1}}""");
        FdsInput input = FdsInputFile.Load(path);
        Assert.Equal(5.0, input.Rho);
        Assert.Equal([100.0, 200.5], input.H);
        Assert.Equal(0.01, input.Delta);
        Assert.Equal(0.01, input.Epsilon);
        Assert.Equal(0.01, input.DeltaE);
        Assert.Equal(3, input.Order);
    }

    [Theory]
    [InlineData("""{"h": [1]}""", "rho")]
    [InlineData("""{"rho": 0.5, "h": [1]}""", "rho")]
    [InlineData("""{"rho": "5", "h": [1]}""", "rho")]
    [InlineData("""{"rho": 5}""", "\"h\"")]
    [InlineData("""{"rho": 5, "h": []}""", "\"h\"")]
    [InlineData("""{"rho": 5, "h": [1, 0]}""", "h[1]")]
    [InlineData("""{"rho": 5, "h": [1, -3]}""", "h[1]")]
    [InlineData("""{"rho": 5, "h": [1, "NaN"]}""", "h[1]")]
    [InlineData("""{"rho": 5, "h": [1], "delta": 2}""", "delta")]
    [InlineData("""{"rho": 5, "h": [1], "epsilon": 0}""", "epsilon")]
    [InlineData("""{"rho": 5, "h": [1], "delta_E": 0}""", "delta_E")]
    [InlineData("""{"rho": 5, "h": [1], "bonferroni_order": 2.5}""", "bonferroni_order")]
    public void Bad_fds_file_names_path_and_field(string json, string field)
    {
        string path = Write("bad-fds.json", json);
        var ex = Assert.Throws<ScarInputException>(() => FdsInputFile.Load(path));
        Assert.Equal(path, ex.Input);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains(field, ex.Detail, StringComparison.Ordinal);
    }

    private string Write(string name, string content)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }
}
