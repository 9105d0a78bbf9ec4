using System.Globalization;
using Scar.Abstractions;
using Scar.Core.Pipeline;

namespace Scar.Client.Commands;

/// <summary>A short human summary of a report, for the terminal.</summary>
public static class ReportPrinter
{
    /// <summary>Writes the summary.</summary>
    public static void Print(CharacterizationReport report, JobStatus status, TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv, $"N = {report.N} pairs, k = {report.K}, seed = {report.Seed}, train {report.TrainSize} / test {report.TestSize}"));
        foreach (var m in report.Modalities)
        {
            string fds = m.FdsTotal is { } f ? f.ToString("F0", inv) : "n/a";
            output.WriteLine();
            output.WriteLine(string.Create(inv, $"{m.Name} (d = {m.Dim}, supervised by {m.SupervisedBy})"));
            output.WriteLine(string.Create(inv, $"  FDS (reference estimator) = {fds}{(m.FdsFallback ? " [fallback: sum of per-task FDS]" : "")}, rho = {m.Rho:F3}"));
            var lc = m.FdsLearningCurve;
            string lcText = lc is { Status: "ok", Value: { } v }
                ? string.Create(inv, $"{v:F0} [{(lc.Low is { } lo ? lo.ToString("F0", inv) : "?")}, {(lc.High is { } hi ? hi.ToString("F0", inv) : "inf")}]")
                : lc?.Status.Replace('_', ' ') ?? "n/a";
            output.WriteLine($"  FDS (learning curve, SCAR-SPEC 5b) = {lcText}");
            output.WriteLine(string.Create(inv, $"  probe accuracy: train {m.TrainAccuracy:P2}, test {m.TestAccuracy:P2}"));
            var s = m.DatasetScar;
            output.WriteLine(string.Create(inv, $"  dataset SCAR: S = {Fmt(s.Scale)}, C = {Fmt(s.Coverage)}, A = {s.Authenticity:F3}, R = {Fmt(s.Richness)}"));
            var weakest = m.Tasks.Where(t => t.H is not null).OrderByDescending(t => t.H).Take(3).Select(t => t.Class.ToString(inv));
            output.WriteLine($"  weakest pseudo-classes (largest h): {string.Join(", ", weakest)}");
            var c = m.Completion;
            output.WriteLine(string.Create(inv,
                $"  completion: +{c.Added} of {c.ReserveSize} reserve; test accuracy primary {c.PrimaryAccuracy:P2} -> SCAR {c.ScarAccuracy:P2} / random {c.RandomAccuracy:P2} / class-wise {c.ClasswiseAccuracy:P2}"));
        }

        if (report.Repeats is { } repeats)
        {
            output.WriteLine();
            output.WriteLine(string.Create(inv, $"over {repeats.Count} repeats (mean ± range):"));
            foreach (var r in repeats.Modalities)
            {
                output.WriteLine($"  {r.Name}: FDS {r.FdsTotal.Format("F0")}, FDS_lc {r.FdsLearningCurve.Format("F0")}, test acc {r.TestAccuracy.Format("F2", 100)}, "
                    + $"completion primary {r.PrimaryAccuracy.Format("F2", 100)} -> SCAR {r.ScarAccuracy.Format("F2", 100)} / random {r.RandomAccuracy.Format("F2", 100)} / class-wise {r.ClasswiseAccuracy.Format("F2", 100)}");
            }
        }

        output.WriteLine();
        if (status.ReportPath is not null)
        {
            output.WriteLine($"report: {status.ReportPath}");
            string dir = Path.GetDirectoryName(status.ReportPath)!;
            output.WriteLine($"readable: {Path.Combine(dir, "report.html")} (plots), {Path.Combine(dir, "summary.md")} (scar report {dir})");
        }

        if (status.StageSeconds is { } stages)
        {
            output.WriteLine("stages: " + string.Join(", ", stages.Select(kv => string.Create(inv, $"{kv.Key} {kv.Value:F1}s"))));
        }
    }

    private static string Fmt(double? value) => value is { } v ? v.ToString("F3", CultureInfo.InvariantCulture) : "n/a";
}
