using System.Text.Json;
using Scar.Core.Measures;

namespace Scar.Core.Tests;

/// <summary>Every conformance fds/*.json vector: x, total FDS and per-task FDS (SCAR-SPEC §5).</summary>
public class FdsConformanceTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        if (Conformance.Folder is null)
        {
            data.Add(MeasuresConformance.Missing);
            return data;
        }

        foreach (string path in Directory.GetFiles(Path.Combine(Conformance.Folder, "fds"), "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Vector_matches_reference(string file)
    {
        string folder = MeasuresConformance.RequireFolder();
        string path = Path.Combine(folder, "fds", file);
        FdsInput input = FdsInputFile.Load(path);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement expected = doc.RootElement.GetProperty("expected");

        FdsResult result = FoundationDataSize.Total(input.H.ToArray(), input.Rho, input.Delta, input.Epsilon, input.DeltaE, input.Order);

        Assert.False(result.Fallback, "the reference bracketed a root for every published vector");
        MeasuresConformance.RelClose(expected.GetProperty("x").GetDouble(), result.X, 1e-9, "x");
        MeasuresConformance.RelClose(expected.GetProperty("fds_total").GetDouble(), result.Total, 1e-9, "fds_total");
        JsonElement perTask = expected.GetProperty("fds_per_task");
        Assert.Equal(perTask.GetArrayLength(), result.PerTask.Count);
        for (int c = 0; c < result.PerTask.Count; c++)
        {
            MeasuresConformance.RelClose(perTask[c].GetDouble(), result.PerTask[c], 1e-9, $"fds_per_task[{c}]");
        }
    }
}
