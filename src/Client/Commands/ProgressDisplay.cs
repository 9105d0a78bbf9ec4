using System.Diagnostics;
using System.Globalization;
using Scar.Abstractions;

namespace Scar.Client.Commands;

/// <summary>
/// Job progress on stderr: a one-line bar redrawn in place on an interactive terminal (stage, probes done/total,
/// ETA), plain periodic lines otherwise. Never writes to stdout.
/// </summary>
public sealed class ProgressDisplay(TextWriter err, bool interactive)
{
    private static readonly TimeSpan LineEvery = TimeSpan.FromSeconds(2), BarEvery = TimeSpan.FromMilliseconds(200);
    private readonly Stopwatch _sinceLine = Stopwatch.StartNew();
    private string _lastStage = "";
    private bool _barShown;
    private double _probingStart = double.NaN;
    private int _probingStartDone;

    /// <summary>Shows one status (rate-limited).</summary>
    public async Task ShowAsync(JobStatus s)
    {
        if (s.State != JobState.Running)
        {
            return;
        }

        bool stageChanged = s.Stage != _lastStage;
        if (!stageChanged && _sinceLine.Elapsed < (interactive ? BarEvery : LineEvery))
        {
            return;
        }

        _lastStage = s.Stage;
        _sinceLine.Restart();
        if (interactive)
        {
            await err.WriteAsync("\r" + Bar(s, Eta(s), Math.Max(40, Width() - 1)) + "\u001b[K");
            _barShown = true;
        }
        else
        {
            await err.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"[{s.ElapsedSeconds,7:F1}s] {s.Stage,-10} probes {s.ProbesDone}/{s.ProbesTotal}{EtaText(Eta(s))}"));
        }
    }

    /// <summary>Ends the bar's line, if one is shown.</summary>
    public async Task FinishAsync()
    {
        if (_barShown)
        {
            await err.WriteLineAsync();
            _barShown = false;
        }
    }

    /// <summary>The bar's text: "stage [#####.....] done/total  ETA 1m05s", fitted to <paramref name="width"/> columns.</summary>
    public static string Bar(JobStatus s, double? etaSeconds, int width)
    {
        string head = s.Stage.Length > 16 ? s.Stage[..16] : s.Stage.PadRight(16);
        string tail = string.Create(CultureInfo.InvariantCulture, $" {s.ProbesDone}/{s.ProbesTotal} {s.ElapsedSeconds,6:F0}s{EtaText(etaSeconds)}");
        int cells = Math.Max(10, width - head.Length - tail.Length - 3);
        double share = s.ProbesTotal > 0 ? Math.Clamp((double)s.ProbesDone / s.ProbesTotal, 0, 1) : 0;
        int filled = (int)Math.Round(share * cells);
        return $"{head} [{new string('#', filled)}{new string('.', cells - filled)}]{tail}";
    }

    private static string EtaText(double? eta) => eta is { } e ? "  ETA " + FormatDuration(e) : "";

    private static string FormatDuration(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Max(0, Math.Round(seconds)));
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:00}m" : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes}m{t.Seconds:00}s" : $"{t.Seconds}s";
    }

    // Remaining time at the probe rate since the probing began; null before there is a rate.
    private double? Eta(JobStatus s)
    {
        if (s.ProbesTotal <= 0 || s.ProbesDone <= 0)
        {
            return null;
        }

        if (double.IsNaN(_probingStart))
        {
            _probingStart = s.ElapsedSeconds;
            _probingStartDone = s.ProbesDone;
            return null;
        }

        double elapsed = s.ElapsedSeconds - _probingStart;
        int done = s.ProbesDone - _probingStartDone;
        return done > 0 && elapsed > 0 ? elapsed / done * (s.ProbesTotal - s.ProbesDone) : null;
    }

    private static int Width()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 100;
        }
        catch (IOException)
        {
            return 100;
        }
    }
}
