using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;

namespace Scar.Silo;

/// <summary>
/// Grain state in files of a folder every silo sees: jobs survive a silo's loss and a restart of every silo
/// without an outside service, which is what a local cluster on one machine or a shared volume needs. One file
/// per grain state, written to a temporary name and renamed, with an ETag checked on every write.
/// </summary>
public sealed class FileGrainStorage(string folder, Serializer serializer) : IGrainStorage
{
    /// <inheritdoc/>
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        string path = PathOf(stateName, grainId);
        if (!File.Exists(path))
        {
            grainState.RecordExists = false;
            grainState.ETag = null;
            return;
        }

        byte[] bytes = await File.ReadAllBytesAsync(path);
        grainState.State = serializer.Deserialize<T>(bytes);
        grainState.ETag = ETagOf(bytes);
        grainState.RecordExists = true;
    }

    /// <inheritdoc/>
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        string path = PathOf(stateName, grainId);
        if (File.Exists(path))
        {
            string current = ETagOf(await File.ReadAllBytesAsync(path));
            if (grainState.ETag != current)
            {
                throw new InconsistentStateException($"state of {grainId} changed in storage (ETag {current}, grain has {grainState.ETag ?? "none"})", current, grainState.ETag ?? "");
            }
        }

        byte[] bytes = serializer.SerializeToArray(grainState.State);
        Directory.CreateDirectory(folder);
        string temp = $"{path}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllBytesAsync(temp, bytes);
        File.Move(temp, path, overwrite: true);
        grainState.ETag = ETagOf(bytes);
        grainState.RecordExists = true;
    }

    /// <inheritdoc/>
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        File.Delete(PathOf(stateName, grainId));
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private string PathOf(string stateName, GrainId grainId)
    {
        // Grain keys hold paths and separators: name files by a hash, keep a readable prefix.
        string key = $"{stateName}|{grainId}";
        string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];
        return Path.Combine(folder, $"{stateName}-{hash}.bin");
    }

    private static string ETagOf(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes))[..16];
}

/// <summary>Registers <see cref="FileGrainStorage"/>.</summary>
public static class FileGrainStorageExtensions
{
    /// <summary>Adds a grain storage named <paramref name="name"/> keeping state under <paramref name="folder"/>.</summary>
    public static ISiloBuilder AddFileGrainStorage(this ISiloBuilder builder, string name, string folder)
    {
        builder.Services.AddGrainStorage(name, (services, _) => new FileGrainStorage(Path.GetFullPath(folder), services.GetRequiredService<Serializer>()));
        return builder;
    }
}
