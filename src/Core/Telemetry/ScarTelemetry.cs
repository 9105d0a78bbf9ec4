using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Scar.Core.Telemetry;

/// <summary>
/// Scar's <see cref="ActivitySource"/> and <see cref="Meter"/>, both named <see cref="Name"/>. They cost nothing
/// until a listener (OpenTelemetry, dotnet-counters) subscribes.
/// </summary>
public static class ScarTelemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "Scar";

    /// <summary>Spans: scar.job, scar.probe, scar.kmeans, scar.extract.</summary>
    public static readonly ActivitySource Source = new(Name, "1.0");

    /// <summary>The Scar meter.</summary>
    public static readonly Meter Meter = new(Name, "1.0");

    /// <summary>Probe trainings finished (tag job stage is not used: one counter for the cluster).</summary>
    public static readonly Counter<long> ProbesCompleted = Meter.CreateCounter<long>("scar.probes.completed", "{probe}", "Probe trainings finished.");

    /// <summary>Probe trainings running now.</summary>
    public static readonly UpDownCounter<long> ProbesRunning = Meter.CreateUpDownCounter<long>("scar.probes.running", "{probe}", "Probe trainings running now.");

    /// <summary>Wall seconds of a finished job stage (tag stage).</summary>
    public static readonly Histogram<double> StageDuration = Meter.CreateHistogram<double>("scar.stage.duration", "s", "Wall time of a finished job stage.");

    /// <summary>Wall seconds of one Lloyd iteration.</summary>
    public static readonly Histogram<double> KMeansIterationDuration = Meter.CreateHistogram<double>("scar.kmeans.iteration.duration", "s", "Wall time of one k-means (Lloyd) iteration.");

    /// <summary>The k-means objective (inertia) after each iteration.</summary>
    public static readonly Histogram<double> KMeansObjective = Meter.CreateHistogram<double>("scar.kmeans.objective", "1", "k-means objective (sum of squared distances) after an iteration.");

    /// <summary>Embeddings written per second by one extraction shard.</summary>
    public static readonly Histogram<double> EmbeddingsPerSecond = Meter.CreateHistogram<double>("scar.extraction.embeddings_per_second", "{embedding}/s", "Embedding rate of one extraction shard.");

    /// <summary>Estimated size of a grain message (tags method, direction).</summary>
    public static readonly Histogram<long> MessageSize = Meter.CreateHistogram<long>("scar.message.size", "By", "Estimated size of a Scar grain call's arguments or result.");

    /// <summary>Records one k-means iteration.</summary>
    public static void RecordKMeansIteration(double seconds, double objective, bool distributed)
    {
        var tag = new KeyValuePair<string, object?>("distributed", distributed);
        KMeansIterationDuration.Record(seconds, tag);
        KMeansObjective.Record(objective, tag);
    }
}
