using Microsoft.Extensions.Logging;
using Scar.Extraction.Encoders;

namespace Scar.Extraction;

/// <summary>Loaded encoders, one per config, kept for reuse across shards (models load once per process or silo).</summary>
public sealed class EncoderSet(ILogger? logger = null) : IDisposable
{
    private readonly Dictionary<string, IEncoder> _encoders = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>The encoder for a config, loaded on first use.</summary>
    public IEncoder Get(EncoderConfig config)
    {
        string key = config.Fingerprint() + config.Provider;
        lock (_gate)
        {
            if (!_encoders.TryGetValue(key, out var encoder))
            {
                encoder = EncoderFactory.Create(config, logger);
                _encoders[key] = encoder;
            }

            return encoder;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var e in _encoders.Values)
        {
            e.Dispose();
        }

        _encoders.Clear();
    }
}
