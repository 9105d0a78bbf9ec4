using System.Collections.Concurrent;
using Scar.Core.IO;
using Scar.Core.Numerics;

namespace Scar.Core.Pipeline;

/// <summary>
/// Loads each .npy file once per process and keeps it: a worker that trains many probes on the same embeddings
/// reads them from disk once. Thread-safe; concurrent first reads of one file share one load.
/// </summary>
public sealed class DataCache
{
    private readonly ConcurrentDictionary<string, Lazy<FloatMatrix>> _matrices = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<int[]>> _vectors = new(StringComparer.Ordinal);

    /// <summary>The float matrix stored at <paramref name="path"/>.</summary>
    public FloatMatrix Matrix(string path)
    {
        string full = Path.GetFullPath(path);
        return _matrices.GetOrAdd(Key(full), _ => new Lazy<FloatMatrix>(() => NpyFile.ReadMatrix(full))).Value;
    }

    /// <summary>The int vector stored at <paramref name="path"/>.</summary>
    public int[] Ints(string path)
    {
        string full = Path.GetFullPath(path);
        return _vectors.GetOrAdd(Key(full), _ => new Lazy<int[]>(() => NpyFile.ReadIntVector(full))).Value;
    }

    /// <summary>Forgets every file under <paramref name="folder"/> (a finished job's work folder).</summary>
    public void Evict(string folder)
    {
        string prefix = Path.GetFullPath(folder);
        foreach (string key in _matrices.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)))
        {
            _matrices.TryRemove(key, out _);
        }

        foreach (string key in _vectors.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)))
        {
            _vectors.TryRemove(key, out _);
        }
    }

    /// <summary>Forgets one file.</summary>
    public void EvictFile(string path)
    {
        string full = Path.GetFullPath(path);
        foreach (string key in _matrices.Keys.Where(k => k == full || k.StartsWith(full + "|", StringComparison.Ordinal)))
        {
            _matrices.TryRemove(key, out _);
        }

        foreach (string key in _vectors.Keys.Where(k => k == full || k.StartsWith(full + "|", StringComparison.Ordinal)))
        {
            _vectors.TryRemove(key, out _);
        }
    }

    /// <summary>Forgets everything.</summary>
    public void Clear()
    {
        _matrices.Clear();
        _vectors.Clear();
    }

    // A rewritten file (same path, new content) must not be served from the cache.
    private static string Key(string full)
    {
        var info = new FileInfo(full);
        return info.Exists ? $"{full}|{info.Length}|{info.LastWriteTimeUtc.Ticks}" : full;
    }
}
