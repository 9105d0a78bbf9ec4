using System.Globalization;
using System.Net;
using System.Text;
using Scar.Core.Pipeline;

namespace Scar.Core.Report;

/// <summary>A dataset the paper reports, for reference bars: S and R follow from N and the paper's FDS (SCAR-SPEC §6, §8).</summary>
/// <param name="Label">Dataset, encoder and modality.</param>
/// <param name="N">Training-set size.</param>
/// <param name="Fds">The paper's total FDS.</param>
public sealed record PaperReference(string Label, int N, double Fds)
{
    /// <summary>The values of SCAR-SPEC §8; C and A are left out (not given there).</summary>
    public static readonly PaperReference[] Known =
    [
        new("Flickr30k CLIP image (paper)", 24_811, 113_135),
        new("COCO CLIP image (paper)", 82_783, 254_800),
    ];

    /// <summary>S = min(1, N/FDS).</summary>
    public double Scale => Math.Min(1, N / Fds);

    /// <summary>R = min(1, FDS/N).</summary>
    public double Richness => Math.Min(1, Fds / N);
}

/// <summary>Writes the human-readable reports: <c>report.html</c> (self-contained, SVG plots, no scripts) and <c>summary.md</c>.</summary>
public static class ReportWriter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Writes report.html and summary.md into <paramref name="outDir"/> (via temporary files).</summary>
    public static async Task WriteAsync(string outDir, CharacterizationReport report, CancellationToken cancellationToken)
    {
        await WriteTextAsync(Path.Combine(outDir, "summary.md"), Markdown(report), cancellationToken);
        await WriteTextAsync(Path.Combine(outDir, "report.html"), Html(report), cancellationToken);
    }

    /// <summary>The plain-language paragraph of one modality, generated from its numbers.</summary>
    public static string Sentence(CharacterizationReport report, ModalityReport m)
    {
        var text = new StringBuilder();
        text.Append(Inv, $"{m.Name} (supervised by {m.SupervisedBy}): N = {m.NTrain:N0}, ");
        if (m.FdsTotal is { } fds && fds > 0)
        {
            double ratio = m.NTrain / fds;
            text.Append(Inv, $"FDS ≈ {fds:N0} (reference estimator): this set is {Times(ratio)} its foundation size");
            text.Append(ratio < 1 ? " — under-sized for its complexity by the paper's bound" : " — at or above its foundation size");
        }
        else
        {
            text.Append("the reference FDS could not be computed");
        }

        var lc = m.FdsLearningCurve;
        if (lc is { Status: LearningCurveFit.Ok, Value: { } v })
        {
            text.Append(Inv, $". The learning curve (test accuracy {Pct(lc.A)} at its plateau) reaches within {Points(lc.EpsilonAcc * 100)} of it at about {v:N0} samples{Interval(lc)}, so by that measure the set is {Times(v > 0 ? m.NTrain / v : double.PositiveInfinity)} what it needs");
        }
        else if (lc is not null)
        {
            text.Append(lc.Status == LearningCurveFit.NotSaturating
                ? ". The test-accuracy learning curve has not started to saturate: more data is still buying accuracy, so no learning-curve FDS is given"
                : ". The learning-curve fit did not converge, so no learning-curve FDS is given");
        }

        var weakest = m.Tasks.Where(t => t.H is not null).OrderByDescending(t => t.H).Take(Math.Min(3, Math.Max(1, m.Tasks.Count / 3))).ToArray();
        if (weakest.Length > 0)
        {
            text.Append(Inv, $"; the weakest pseudo-classes (largest h) are {string.Join(", ", weakest.Select(t => string.Create(Inv, $"{t.Class} (h = {t.H:G4})")))}");
        }

        var c = m.Completion;
        double points = (c.ScarAccuracy - c.PrimaryAccuracy) * 100;
        text.Append(Inv, $"; completion with SCAR added {c.Added:N0} of {c.ReserveSize:N0} reserve samples and changed test accuracy by {points:+0.00;-0.00;0.00} points ({Pct(c.PrimaryAccuracy)} → {Pct(c.ScarAccuracy)}; random {Pct(c.RandomAccuracy)}, class-wise {Pct(c.ClasswiseAccuracy)})");
        double best = Math.Max(c.RandomAccuracy, c.ClasswiseAccuracy);
        text.Append(c.ScarAccuracy > best ? ", better than both baselines." : c.ScarAccuracy < best ? ", no better than a baseline with as many samples." : ", level with the best baseline.");
        return text.ToString();
    }

    /// <summary>summary.md: the same facts as the HTML report, in Markdown.</summary>
    public static string Markdown(CharacterizationReport r)
    {
        var md = new StringBuilder();
        md.Append(Inv, $"# SCAR report\n\nN = {r.N:N0} items, k = {r.K}, seed = {r.Seed}, train {r.TrainSize:N0} / test {r.TestSize:N0}");
        if (r.Repeats is { } rep)
        {
            md.Append(Inv, $", {rep.Count} repeats (mean ± range)");
        }

        md.Append("\n\n");
        foreach (var m in r.Modalities)
        {
            md.Append(Sentence(r, m)).Append("\n\n");
        }

        md.Append("| modality | N | FDS (reference) | FDS (learning curve) [95% interval] | train acc | test acc | S | C | A | R |\n|---|---|---|---|---|---|---|---|---|---|\n");
        foreach (var m in r.Modalities)
        {
            var s = m.DatasetScar;
            md.Append(Inv, $"| {m.Name} | {m.NTrain:N0} | {Num(m.FdsTotal)}{(m.FdsFallback ? " (fallback)" : "")} | {Lc(m.FdsLearningCurve)} | {Pct(m.TrainAccuracy)} | {Pct(m.TestAccuracy)} | {F3(s.Scale)} | {F3(s.Coverage)} | {F3(s.Authenticity)} | {F3(s.Richness)} |\n");
        }

        md.Append("\n## Completion (test accuracy)\n\n| modality | primary | SCAR | random | class-wise | added |\n|---|---|---|---|---|---|\n");
        foreach (var row in CompletionRows(r))
        {
            md.Append("| ").AppendJoin(" | ", row).Append(" |\n");
        }

        if (r.Repeats is { } repeats)
        {
            md.Append(Inv, $"\n## Over {repeats.Count} repeats (mean ± range)\n\n| ").AppendJoin(" | ", RepeatHeader).Append(" |\n|").Append(string.Concat(Enumerable.Repeat("---|", RepeatHeader.Length))).Append('\n');
            foreach (var row in RepeatRows(repeats))
            {
                md.Append("| ").AppendJoin(" | ", row).Append(" |\n");
            }
        }

        md.Append("\n## Per-task FDS\n\n| modality | class | n | h | FDS (reference) | FDS (learning curve) |\n|---|---|---|---|---|---|\n");
        foreach (var m in r.Modalities)
        {
            foreach (var t in m.Tasks)
            {
                md.Append(Inv, $"| {m.Name} | {t.Class} | {t.NTrain:N0} | {(t.H is { } h ? h.ToString("G5", Inv) : t.Error ?? "n/a")} | {Num(t.Fds)} | {Lc(t.FdsLearningCurve)} |\n");
            }
        }

        md.Append(Inv, $"\nFDS (reference): {r.FdsEstimator}. FDS (learning curve): least-squares fit of acc(n) = a − b·e^(−c·n) to held-out accuracy over all ratios and repeats; smallest n with acc(n) ≥ a − ε_acc; percentile bootstrap over repeats within each ratio (SCAR-SPEC §5b).\n");
        return md.ToString();
    }

    /// <summary>report.html: one self-contained page, SVG plots, no scripts, no network.</summary>
    public static string Html(CharacterizationReport r)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>SCAR report</title><style>")
            .Append("body{font-family:sans-serif;max-width:1180px;margin:1.5em auto;color:#222;line-height:1.45}h1{margin-bottom:.2em}")
            .Append(".summary p{background:#f6f8fa;border-left:4px solid #1f77b4;padding:.6em .9em}.plots{display:flex;flex-wrap:wrap;gap:12px}")
            .Append("table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f0f0f0}td:first-child{text-align:left}")
            .Append(".note{color:#555;font-size:.9em}</style></head><body>\n");
        html.Append(Inv, $"<h1>SCAR report</h1><p class=\"note\">N = {r.N:N0} items, k = {r.K}, seed = {r.Seed}, train {r.TrainSize:N0} / test {r.TestSize:N0}{(r.Repeats is { } rp ? string.Create(Inv, $", {rp.Count} repeats (mean ± range)") : "")}</p>\n");
        html.Append("<section class=\"summary\" id=\"summary\">");
        foreach (var m in r.Modalities)
        {
            html.Append("<p>").Append(Esc(Sentence(r, m))).Append("</p>");
        }

        html.Append("</section>\n<h2>Overview</h2><table id=\"overview\"><tr><th>modality</th><th>N</th><th>FDS (reference)</th><th>FDS (learning curve) [95% interval]</th><th>train acc</th><th>test acc</th><th>S</th><th>C</th><th>A</th><th>R</th></tr>");
        foreach (var m in r.Modalities)
        {
            var s = m.DatasetScar;
            html.Append(Inv, $"<tr><td>{Esc(m.Name)}</td><td>{m.NTrain:N0}</td><td>{Num(m.FdsTotal)}</td><td>{Esc(Lc(m.FdsLearningCurve))}</td><td>{Pct(m.TrainAccuracy)}</td><td>{Pct(m.TestAccuracy)}</td><td>{F3(s.Scale)}</td><td>{F3(s.Coverage)}</td><td>{F3(s.Authenticity)}</td><td>{F3(s.Richness)}</td></tr>");
        }

        html.Append("</table>\n");
        foreach (var m in r.Modalities)
        {
            html.Append(Inv, $"<h2>{Esc(m.Name)}</h2><div class=\"plots\">{HPlot(m)}{AccuracyPlot(m)}</div>\n");
        }

        html.Append("<h2>Per-task FDS: the two modalities side by side</h2><div class=\"plots\">");
        var classes = r.Modalities[0].Tasks.Select(t => t.Class.ToString(Inv)).ToArray();
        html.Append(new SvgChart("plot-fds-tasks", "Per-task FDS (reference estimator)", "pseudo-class", "FDS_c")
            .Bars(classes, r.Modalities.Select(m => (m.Name, m.Tasks.Select(t => t.Fds).ToArray())).ToArray()));
        html.Append(new SvgChart("plot-fds-lc-tasks", "Per-task FDS (learning curve)", "pseudo-class", "FDS_lc (ok tasks only)")
            .Bars(classes, r.Modalities.Select(m => (m.Name, m.Tasks.Select(t => t.FdsLearningCurve?.Value).ToArray())).ToArray()));
        html.Append("</div>\n<h2>Dataset-level SCAR</h2><div class=\"plots\">");
        var series = r.Modalities.Select(m => ($"{m.Name} (this set)", new[] { m.DatasetScar.Scale, m.DatasetScar.Coverage, (double?)m.DatasetScar.Authenticity, m.DatasetScar.Richness }))
            .Concat(PaperReference.Known.Select(p => (p.Label, new double?[] { p.Scale, null, null, p.Richness })))
            .ToArray();
        html.Append(new SvgChart("plot-scar", "S, C, A, R against the paper's reference datasets", "measure", "value").Bars(["S", "C", "A", "R"], series));
        html.Append("</div><p class=\"note\">Paper references: S and R computed from the paper's FDS and N (SCAR-SPEC §8); their C and A are not given there and are left out.</p>\n");
        html.Append("<h2>Completion (test accuracy)</h2><table id=\"completion\"><tr><th>modality</th><th>primary</th><th>SCAR</th><th>random</th><th>class-wise</th><th>added</th></tr>");
        foreach (var row in CompletionRows(r))
        {
            html.Append("<tr>").AppendJoin("", row.Select(c => $"<td>{Esc(c)}</td>")).Append("</tr>");
        }

        if (r.Repeats is { } repeats)
        {
            html.Append(Inv, $"</table>\n<h2>Over {repeats.Count} repeats (mean ± range)</h2><table id=\"repeats\"><tr>").AppendJoin("", RepeatHeader.Select(h => $"<th>{Esc(h)}</th>")).Append("</tr>");
            foreach (var row in RepeatRows(repeats))
            {
                html.Append("<tr>").AppendJoin("", row.Select(c => $"<td>{Esc(c)}</td>")).Append("</tr>");
            }
        }

        html.Append("</table>\n<h2>Per-task estimates</h2><table id=\"tasks\"><tr><th>modality</th><th>class</th><th>n</th><th>h</th><th>FDS (reference)</th><th>FDS (learning curve)</th></tr>");
        foreach (var m in r.Modalities)
        {
            foreach (var t in m.Tasks)
            {
                html.Append(Inv, $"<tr><td>{Esc(m.Name)}</td><td>{t.Class}</td><td>{t.NTrain:N0}</td><td>{(t.H is { } h ? h.ToString("G5", Inv) : Esc(t.Error ?? "n/a"))}</td><td>{Num(t.Fds)}</td><td>{Esc(Lc(t.FdsLearningCurve))}</td></tr>");
            }
        }

        html.Append(Inv, $"</table><p class=\"note\">FDS (reference): {Esc(r.FdsEstimator)}.<br>FDS (learning curve): least-squares fit of acc(n) = a − b·e<sup>−c·n</sup> to held-out accuracy over all ratios and repeats; the smallest n with acc(n) ≥ a − ε<sub>acc</sub>; percentile bootstrap interval over the repeats within each ratio (SCAR-SPEC §5b).</p>\n</body></html>\n");
        return html.ToString();
    }

    private static string HPlot(ModalityReport m)
    {
        var points = m.Tasks.SelectMany(t => t.PerRatio).Where(p => double.IsFinite(p.H)).ToArray();
        double yMax = points.Length == 0 ? 1 : points.Max(p => p.H);
        var chart = new SvgChart($"plot-h-{m.Name}", $"{m.Name}: h against data fraction per task", "data fraction 1/r", "h").Range(0, 1, 0, yMax * 1.05);
        for (int i = 0; i < m.Tasks.Count; i++)
        {
            var t = m.Tasks[i];
            string color = SvgChart.Palette[i % SvgChart.Palette.Length];
            chart.Line(t.PerRatio.OrderBy(p => 1.0 / p.Ratio).Select(p => (1.0 / p.Ratio, p.H)), color, $"task {t.Class}");
            chart.Points(t.PerRatio.Select(p => (1.0 / p.Ratio, p.H)), color);
            if (t.H is { } a && t.Lambda is { } lambda)
            {
                chart.Line(Enumerable.Range(0, 51).Select(j => j / 50.0).Select(x => (x, a * (1 - Math.Exp(-lambda * x)))), color, dashed: true);
            }
        }

        return chart.ToString();
    }

    private static string AccuracyPlot(ModalityReport m)
    {
        var curve = m.LearningCurve;
        double nMax = curve.Count == 0 ? 1 : curve.Max(p => p.SubsetSize);
        var lc = m.FdsLearningCurve;
        double xMax = nMax;
        if (lc is { Status: LearningCurveFit.Ok, Value: { } v })
        {
            xMax = Math.Max(xMax, Math.Min((lc.High ?? v) * 1.05, LearningCurveFit.ExtrapolationLimit * nMax));
        }

        double yMin = curve.Count == 0 ? 0 : curve.Min(p => p.TestAccuracy), yMax = curve.Count == 0 ? 1 : curve.Max(p => Math.Max(p.TestAccuracy, p.TrainAccuracy));
        var chart = new SvgChart($"plot-acc-{m.Name}", $"{m.Name}: accuracy against subset size", "subset size n", "accuracy")
            .Range(0, xMax, Math.Max(0, yMin - 0.05), Math.Min(1, yMax + 0.02)).LegendBelow();
        if (lc is { Status: LearningCurveFit.Ok, Value: { } value })
        {
            chart.Band(lc.Low ?? value, lc.High ?? xMax, "#2ca02c", "FDS_lc 95% interval");
            chart.VLine(value, "#2ca02c", string.Create(Inv, $"FDS_lc = {value:N0}"));
        }

        chart.Points(curve.Select(p => ((double)p.SubsetSize, p.TrainAccuracy)), "#ff7f0e", "train accuracy");
        chart.Points(curve.Select(p => ((double)p.SubsetSize, p.TestAccuracy)), "#1f77b4", "test accuracy");
        if (lc is { A: { } a, B: { } b, C: { } c })
        {
            chart.Line(Enumerable.Range(0, 101).Select(j => xMax * j / 100).Select(n => (n, a - (b * Math.Exp(-c * n)))), "#d62728",
                $"fit a − b·exp(−c·n) ({lc.Status})", dashed: lc.Status != LearningCurveFit.Ok);
        }

        return chart.ToString();
    }

    private static readonly string[] RepeatHeader =
        ["modality", "FDS (reference)", "FDS (learning curve)", "train acc %", "test acc %", "SCAR gain (points)", "random gain", "class-wise gain"];

    private static IEnumerable<string[]> RepeatRows(RepeatsSummary repeats) => repeats.Modalities.Select(s => new[]
    {
        s.Name, s.FdsTotal.Format("N0"), s.FdsLearningCurve.Format("N0") + (s.FdsLearningCurve.Count < repeats.Count ? string.Create(Inv, $" ({s.FdsLearningCurve.Count} of {repeats.Count} ok)") : ""),
        s.TrainAccuracy.Format("F2", 100), s.TestAccuracy.Format("F2", 100), s.ScarGain.Format("+0.00;-0.00;0.00", 100), s.RandomGain.Format("+0.00;-0.00;0.00", 100),
        s.ClasswiseGain.Format("+0.00;-0.00;0.00", 100),
    });

    private static IEnumerable<string[]> CompletionRows(CharacterizationReport r)
    {
        for (int i = 0; i < r.Modalities.Count; i++)
        {
            var m = r.Modalities[i];
            var c = m.Completion;
            if (r.Repeats?.Modalities[i] is { } s)
            {
                yield return [m.Name, s.PrimaryAccuracy.Format("F2", 100), s.ScarAccuracy.Format("F2", 100), s.RandomAccuracy.Format("F2", 100), s.ClasswiseAccuracy.Format("F2", 100), s.Added.Format("F0")];
            }
            else
            {
                yield return [m.Name, Pct(c.PrimaryAccuracy), Pct(c.ScarAccuracy), Pct(c.RandomAccuracy), Pct(c.ClasswiseAccuracy), c.Added.ToString("N0", Inv)];
            }
        }
    }

    private static string Lc(LearningCurveFds? lc) => lc switch
    {
        null => "n/a",
        { Status: LearningCurveFit.Ok, Value: { } v } => string.Create(Inv, $"{v:N0}{Interval(lc)}"),
        _ => lc.Status.Replace('_', ' '),
    };

    private static string Interval(LearningCurveFds lc) => lc.Low is null && lc.High is null
        ? ""
        : string.Create(Inv, $" [{(lc.Low is { } lo ? lo.ToString("N0", Inv) : "?")}–{(lc.High is { } hi ? hi.ToString("N0", Inv) : "∞")}]");

    private static string Times(double ratio) => double.IsPositiveInfinity(ratio) ? "far above" : ratio >= 10 ? ratio.ToString("F0", Inv) + "×" : ratio.ToString("0.###", Inv) + "×";

    private static string Points(double p) => p.ToString("0.##", Inv) + (p == 1 ? " point" : " points");

    private static string Num(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("N0", Inv) : "n/a";

    private static string F3(double? v) => v is { } x ? x.ToString("F3", Inv) : "n/a";

    private static string Pct(double? v) => v is { } x ? (x * 100).ToString("F2", Inv) + "%" : "n/a";

    private static string Esc(string s) => WebUtility.HtmlEncode(s);

    private static async Task WriteTextAsync(string path, string text, CancellationToken cancellationToken)
    {
        string temp = path + ".tmp";
        await File.WriteAllTextAsync(temp, text, new UTF8Encoding(false), cancellationToken);
        File.Move(temp, path, overwrite: true);
    }
}
