using System.Collections;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace Scar.Grains;

/// <summary>A grain call would carry more than the configured message size: the design moves small vectors only.</summary>
public sealed class MessageTooLargeException(string message) : InvalidOperationException(message);

/// <summary>
/// Fails any grain call whose arguments or result would carry more than <see cref="ScarSiloOptions.MaxMessageBytes"/>
/// (default 4 MB). Embedding rows must stay in their shards; an oversized message also risks tearing down a silo
/// connection at Orleans' own 100 MB limit, so this fails loudly and early, naming the method and the size.
/// </summary>
public sealed class MessageSizeGuard(IOptions<ScarSiloOptions> options) : IOutgoingGrainCallFilter
{
    /// <inheritdoc/>
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        // Only Scar's own grains carry data; Orleans' system targets (membership, directory) are left alone.
        if (context.Request.GetInterfaceType()?.Namespace?.StartsWith("Scar", StringComparison.Ordinal) != true)
        {
            await context.Invoke();
            return;
        }

        long limit = options.Value.MaxMessageBytes;
        long request = 0;
        for (int i = 0; i < context.Request.GetArgumentCount(); i++)
        {
            request += EstimateBytes(context.Request.GetArgument(i));
        }

        var method = new KeyValuePair<string, object?>("method", $"{context.InterfaceName}.{context.MethodName}");
        Core.Telemetry.ScarTelemetry.MessageSize.Record(request, method, new("direction", "request"));
        if (request > limit)
        {
            throw new MessageTooLargeException($"{context.InterfaceName}.{context.MethodName} would send about {request:N0} bytes, over the {limit:N0}-byte message guard; move data through files or shards, not messages (or raise ScarSiloOptions.MaxMessageBytes).");
        }

        await context.Invoke();
        long response = EstimateBytes(context.Result);
        Core.Telemetry.ScarTelemetry.MessageSize.Record(response, method, new("direction", "response"));
        if (response > limit)
        {
            throw new MessageTooLargeException($"{context.InterfaceName}.{context.MethodName} returned about {response:N0} bytes, over the {limit:N0}-byte message guard; make shards smaller (--shard-rows) or reduce the result where it is computed.");
        }
    }

    /// <summary>An estimate of a value's serialized size: exact for primitive arrays and strings, summed through records and collections.</summary>
    public static long EstimateBytes(object? value, int depth = 0)
    {
        switch (value)
        {
            case null:
                return 0;
            case string s:
                return 2L * s.Length;
            case Array array when array.GetType().GetElementType() is { IsPrimitive: true } element:
                return array.LongLength * System.Runtime.InteropServices.Marshal.SizeOf(element == typeof(bool) ? typeof(byte) : element == typeof(char) ? typeof(short) : element);
            case IDictionary dictionary when depth < 4:
                long d = 0;
                foreach (DictionaryEntry entry in dictionary)
                {
                    d += EstimateBytes(entry.Key, depth + 1) + EstimateBytes(entry.Value, depth + 1);
                }

                return d;
            case IEnumerable items when depth < 4:
                long e = 0;
                foreach (object? item in items)
                {
                    e += EstimateBytes(item, depth + 1);
                }

                return e;
        }

        Type type = value.GetType();
        if (type.IsPrimitive || type.IsEnum || value is decimal or DateTime or Guid or TimeSpan)
        {
            return 16;
        }

        if (depth >= 4)
        {
            return 16;
        }

        long total = 0;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0 && property.CanRead)
            {
                try
                {
                    total += EstimateBytes(property.GetValue(value), depth + 1);
                }
                catch (TargetInvocationException)
                {
                    // Some getters throw by design (IPAddress.ScopeId on IPv4): such values are not payload.
                }
            }
        }

        return total + 16;
    }
}
