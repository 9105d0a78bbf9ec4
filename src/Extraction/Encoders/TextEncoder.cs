using FastBertTokenizer;
using Microsoft.Extensions.Logging;

namespace Scar.Extraction.Encoders;

/// <summary>
/// Texts through an ONNX BERT-style model: WordPiece (FastBertTokenizer) with [CLS]/[SEP] up to
/// <see cref="EncoderConfig.MaxTokens"/>, the batch padded to its longest text, pooled (mean over the attention
/// mask by default) and L2-normalized.
/// </summary>
public sealed class TextEncoder : IEncoder
{
    private readonly EncoderConfig _config;
    private readonly OnnxModel _model;
    private readonly BertTokenizer _tokenizer = new();
    private readonly bool _typeIds;
    private readonly bool _mask;
    private readonly string _idsName;

    /// <summary>Loads the model and vocabulary of <paramref name="config"/>.</summary>
    public TextEncoder(EncoderConfig config, ILogger? logger = null)
    {
        _config = config;
        if (config.Vocabulary is null || !File.Exists(config.Vocabulary))
        {
            throw new ExtractionException($"text encoder: vocabulary '{config.Vocabulary}' is missing; give a WordPiece vocab.txt.");
        }

        if (config.MaxTokens < 3)
        {
            throw new ExtractionException("text encoder: max_tokens must be at least 3 ([CLS], one token, [SEP]).");
        }

        using (var reader = File.OpenText(config.Vocabulary))
        {
            _tokenizer.LoadVocabulary(reader, config.Lowercase);
        }

        _model = new OnnxModel(config.Model, config.InputName, config.OutputName, config.Provider, logger);
        _idsName = config.InputName ?? (_model.InputNames.Contains("input_ids") ? "input_ids" : _model.InputNames[0]);
        _mask = _model.InputNames.Contains("attention_mask");
        _typeIds = _model.InputNames.Contains("token_type_ids");
        Dimension = Pooling.Width(_model.OutputShape, config.Pooling) ?? ProbeWidth();
    }

    /// <inheritdoc/>
    public EncoderKind Kind => EncoderKind.Text;

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <inheritdoc/>
    public int BatchSize => _config.BatchSize;

    /// <inheritdoc/>
    public string Provider => _model.Provider;

    /// <inheritdoc/>
    public PreparedInput Prepare(MediaInput input)
    {
        if (string.IsNullOrWhiteSpace(input.Text))
        {
            throw new BadRecordException("empty caption");
        }

        var ids = new long[_config.MaxTokens];
        var mask = new long[_config.MaxTokens];
        var types = new long[_config.MaxTokens];
        int n = _tokenizer.Encode(input.Text, ids, mask, types, null);
        return new PreparedInput { TokenIds = ids[..n], Length = n };
    }

    /// <inheritdoc/>
    public void Encode(IReadOnlyList<PreparedInput> batch, Span<float> output)
    {
        int b = batch.Count, t = batch.Max(p => p.Length), d = Dimension;
        var ids = new long[b * t];
        var mask = new long[b * t];
        for (int i = 0; i < b; i++)
        {
            batch[i].TokenIds.AsSpan().CopyTo(ids.AsSpan(i * t));
            mask.AsSpan(i * t, batch[i].Length).Fill(1);
        }

        var inputs = new List<(string, long[])> { (_idsName, ids) };
        if (_mask)
        {
            inputs.Add(("attention_mask", mask));
        }

        if (_typeIds)
        {
            inputs.Add(("token_type_ids", new long[b * t]));
        }

        var (result, shape) = _model.RunInt64(inputs, [b, t]);
        for (int i = 0; i < b; i++)
        {
            var row = output.Slice(i * d, d);
            Pooling.PoolItem(result, shape, i, _config.Pooling, mask.AsSpan(i * t, t), row);
            if (_config.Normalize)
            {
                Pooling.L2Normalize(row);
            }
        }
    }

    private int ProbeWidth()
    {
        var p = Prepare(new MediaInput(Text: "probe"));
        var ids = p.TokenIds!;
        var inputs = new List<(string, long[])> { (_idsName, ids) };
        if (_mask)
        {
            inputs.Add(("attention_mask", Enumerable.Repeat(1L, ids.Length).ToArray()));
        }

        if (_typeIds)
        {
            inputs.Add(("token_type_ids", new long[ids.Length]));
        }

        var (_, shape) = _model.RunInt64(inputs, [1, ids.Length]);
        return _config.Pooling == PoolingKind.None ? (int)shape.Skip(1).Aggregate(1L, (a, x) => a * x) : (int)shape[^1];
    }

    /// <inheritdoc/>
    public void Dispose() => _model.Dispose();
}
