using System.Text.Json;
using Scar.Core.Measures;

namespace Scar.Core.Tests;

/// <summary>Shared access to the conformance vectors, read in place from ../shared/conformance.</summary>
internal static class MeasuresConformance
{
    public const string Missing = "(conformance folder missing)";

    /// <summary>The conformance folder; fails the test with a clear message when it is absent (CI always has it).</summary>
    public static string RequireFolder()
    {
        Assert.True(
            Conformance.Folder is not null,
            "../shared/conformance (beside the folder holding Scar.sln) was not found; the conformance tests need it in place.");
        return Conformance.Folder!;
    }

    public static JsonDocument MeasuresJson() => JsonDocument.Parse(File.ReadAllText(Path.Combine(RequireFolder(), "measures.json")));

    /// <summary>Indexes of an array in measures.json, or a single "missing" marker row (the test then fails).</summary>
    public static TheoryData<int> Indexes(string arrayName)
    {
        var data = new TheoryData<int>();
        if (Conformance.Folder is null)
        {
            data.Add(-1);
            return data;
        }

        using JsonDocument doc = MeasuresJson();
        int count = doc.RootElement.GetProperty(arrayName).GetArrayLength();
        for (int i = 0; i < count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    public static void Close(double expected, double actual, double absTol, string what)
        => Assert.True(Math.Abs(expected - actual) <= absTol, $"{what}: expected {expected:R}, got {actual:R} (|diff| {Math.Abs(expected - actual):E3} > {absTol:E1})");

    public static void RelClose(double expected, double actual, double relTol, string what)
        => Assert.True(
            Math.Abs(expected - actual) <= relTol * Math.Abs(expected),
            $"{what}: expected {expected:R}, got {actual:R} (rel diff {Math.Abs(expected - actual) / Math.Abs(expected):E3} > {relTol:E1})");
}

/// <summary>Every measures.json "measures[]" case against the reference's per-task measures (SCAR-SPEC §3–§4).</summary>
public class MeasuresConformanceTests
{
    public static TheoryData<int> Cases() => MeasuresConformance.Indexes("measures");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_matches_reference(int index)
    {
        string folder = MeasuresConformance.RequireFolder();
        Assert.True(index >= 0, "no cases listed");
        using JsonDocument doc = MeasuresConformance.MeasuresJson();
        JsonElement element = doc.RootElement.GetProperty("measures")[index];
        MeasuresInput input = MeasuresInputFile.FromJson(element, Path.Combine(folder, "measures.json") + $"#measures[{index}]");
        JsonElement expected = element.GetProperty("expected");

        SubsetMeasures result = ScarMeasures.Compute(input.Logits, input.N, input.K, input.Labels, input.Ratio);

        MeasuresConformance.Close(expected.GetProperty("train_accuracy").GetDouble(), result.TrainAccuracy, 1e-9, "train_accuracy");
        JsonElement tasks = expected.GetProperty("tasks");
        JsonElement h = expected.GetProperty("h");
        Assert.Equal(tasks.GetArrayLength(), result.Tasks.Count);
        for (int c = 0; c < result.Tasks.Count; c++)
        {
            TaskMeasures actual = result.Tasks[c];
            JsonElement e = tasks[c];
            MeasuresConformance.Close(e.GetProperty("scale").GetDouble(), actual.Scale, 1e-9, $"task {c} scale");
            MeasuresConformance.Close(e.GetProperty("authenticity").GetDouble(), actual.Authenticity, 1e-9, $"task {c} authenticity");
            MeasuresConformance.Close(e.GetProperty("richness").GetDouble(), actual.Richness, 1e-9, $"task {c} richness");
            MeasuresConformance.Close(e.GetProperty("coverage").GetDouble(), actual.Coverage, 1e-6, $"task {c} coverage");

            // h from the reference's coverage: h's only dependence on the histogram is through C, so compare the
            // formula exactly on the reference's measures and ours within the coverage tolerance propagated.
            var reference = new TaskMeasures(
                e.GetProperty("scale").GetDouble(),
                e.GetProperty("coverage").GetDouble(),
                e.GetProperty("authenticity").GetDouble(),
                e.GetProperty("richness").GetDouble());
            MeasuresConformance.Close(h[c].GetDouble(), ScarMeasures.Hypothesis(reference), 1e-9, $"task {c} h (reference measures)");
            MeasuresConformance.Close(h[c].GetDouble(), ScarMeasures.Hypothesis(actual), 1e-6 * Math.Exp(2 * actual.Scale), $"task {c} h");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float32_overload_equals_widened_double(int index)
    {
        MeasuresConformance.RequireFolder();
        Assert.True(index >= 0, "no cases listed");
        using JsonDocument doc = MeasuresConformance.MeasuresJson();
        MeasuresInput input = MeasuresInputFile.FromJson(doc.RootElement.GetProperty("measures")[index], "measures.json");
        float[] single = new float[input.Logits.Length];
        double[] widened = new double[input.Logits.Length];
        for (int i = 0; i < single.Length; i++)
        {
            single[i] = (float)input.Logits[i];
            widened[i] = single[i];
        }

        SubsetMeasures fromFloat = ScarMeasures.Compute((ReadOnlySpan<float>)single, input.N, input.K, input.Labels, input.Ratio);
        SubsetMeasures fromDouble = ScarMeasures.Compute((ReadOnlySpan<double>)widened, input.N, input.K, input.Labels, input.Ratio);
        Assert.Equal(fromDouble.TrainAccuracy, fromFloat.TrainAccuracy);
        Assert.Equal(fromDouble.Tasks, fromFloat.Tasks);
    }
}
