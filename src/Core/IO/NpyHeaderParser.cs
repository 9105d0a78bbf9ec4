using System.Globalization;
using System.Text;

namespace Scar.Core.IO;

/// <summary>
/// Parses the Python-literal dict in a .npy header, e.g. <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 4), }</c>.
/// </summary>
/// <remarks>
/// NumPy reads this text with <c>ast.literal_eval</c>, so any writer may legally vary key order, quotes, spacing,
/// trailing commas, and (Python 2 files) <c>L</c> suffixes on ints. A small recursive-descent parser over the
/// literal grammar handles all of that instead of a regex that would accept only NumPy's exact spelling.
/// </remarks>
internal sealed class NpyHeaderParser
{
    // Headers are at most a few hundred bytes; the cap only stops a hostile "((((((..." from blowing the stack.
    private const int MaxDepth = 32;

    private readonly string _text;
    private int _pos;

    private NpyHeaderParser(string text) => _text = text;

    /// <summary>The three fields Scar needs from the dict.</summary>
    internal readonly record struct Fields(string Descr, bool FortranOrder, long[] Shape);

    /// <summary>
    /// Parses <paramref name="text"/> and extracts 'descr', 'fortran_order' and 'shape'. Throws
    /// <see cref="FormatException"/> with a short description of what is wrong; the caller adds the path and the fix.
    /// </summary>
    public static Fields Parse(string text)
    {
        var parser = new NpyHeaderParser(text);
        parser.SkipWhitespace();
        object? value = parser.ParseValue(0);
        parser.SkipWhitespace();
        if (parser._pos != text.Length)
        {
            throw parser.Fail("unexpected text after the header dict");
        }

        if (value is not Dictionary<string, object?> dict)
        {
            throw new FormatException("the header is not a dict");
        }

        if (!dict.TryGetValue("descr", out object? descrValue))
        {
            throw new FormatException("the header has no 'descr' key");
        }

        if (!dict.TryGetValue("fortran_order", out object? fortranValue))
        {
            throw new FormatException("the header has no 'fortran_order' key");
        }

        if (!dict.TryGetValue("shape", out object? shapeValue))
        {
            throw new FormatException("the header has no 'shape' key");
        }

        string descr = descrValue switch
        {
            string s => s,
            List<object?> => throw new FormatException("'descr' describes a structured (record) dtype, which Scar does not read"),
            _ => throw new FormatException("'descr' is not a string"),
        };

        if (fortranValue is not bool fortran)
        {
            throw new FormatException("'fortran_order' is not True or False");
        }

        if (shapeValue is not List<object?> dims)
        {
            throw new FormatException("'shape' is not a tuple");
        }

        long[] shape = new long[dims.Count];
        for (int i = 0; i < dims.Count; i++)
        {
            if (dims[i] is not long dim || dim < 0)
            {
                throw new FormatException("'shape' must hold non-negative integers");
            }

            shape[i] = dim;
        }

        return new Fields(descr, fortran, shape);
    }

    private object? ParseValue(int depth)
    {
        if (depth > MaxDepth)
        {
            throw Fail("literal nested too deeply");
        }

        if (_pos >= _text.Length)
        {
            throw Fail("unexpected end of header");
        }

        char c = _text[_pos];
        switch (c)
        {
            case '{':
                return ParseDict(depth);
            case '(':
                return ParseSequence(')', depth);
            case '[':
                return ParseSequence(']', depth);
            case '\'':
            case '"':
                return ParseString();
            default:
                if (c == '-' || c == '+' || char.IsAsciiDigit(c))
                {
                    return ParseInteger();
                }

                if (char.IsAsciiLetter(c))
                {
                    return ParseName();
                }

                throw Fail($"unexpected character '{c}'");
        }
    }

    private Dictionary<string, object?> ParseDict(int depth)
    {
        _pos++; // '{'
        var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
        while (true)
        {
            SkipWhitespace();
            if (TryConsume('}'))
            {
                return dict;
            }

            if (_pos >= _text.Length || (_text[_pos] != '\'' && _text[_pos] != '"'))
            {
                throw Fail("expected a quoted key");
            }

            string key = ParseString();
            SkipWhitespace();
            Expect(':');
            SkipWhitespace();
            dict[key] = ParseValue(depth + 1);
            SkipWhitespace();
            if (TryConsume('}'))
            {
                return dict;
            }

            Expect(',');
        }
    }

    private List<object?> ParseSequence(char close, int depth)
    {
        _pos++; // '(' or '['
        var items = new List<object?>();
        while (true)
        {
            SkipWhitespace();
            if (TryConsume(close))
            {
                return items;
            }

            items.Add(ParseValue(depth + 1));
            SkipWhitespace();
            if (TryConsume(close))
            {
                return items;
            }

            Expect(',');
        }
    }

    private string ParseString()
    {
        char quote = _text[_pos++];
        var value = new StringBuilder();
        while (_pos < _text.Length)
        {
            char c = _text[_pos++];
            if (c == quote)
            {
                return value.ToString();
            }

            if (c == '\\')
            {
                if (_pos >= _text.Length)
                {
                    break;
                }

                // Only the escapes a dtype string could need; anything else is kept verbatim, as Python does.
                char escaped = _text[_pos++];
                switch (escaped)
                {
                    case '\\':
                    case '\'':
                    case '"':
                        value.Append(escaped);
                        break;
                    default:
                        value.Append('\\').Append(escaped);
                        break;
                }

                continue;
            }

            value.Append(c);
        }

        throw Fail("unterminated string");
    }

    private long ParseInteger()
    {
        int start = _pos;
        if (_text[_pos] is '-' or '+')
        {
            _pos++;
        }

        while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
        {
            _pos++;
        }

        if (!long.TryParse(_text.AsSpan(start, _pos - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            throw Fail("integer is malformed or too large");
        }

        // Python 2 wrote longs as "3L"; NumPy still reads such headers.
        if (_pos < _text.Length && _text[_pos] is 'L' or 'l')
        {
            _pos++;
        }

        return value;
    }

    private object? ParseName()
    {
        int start = _pos;
        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] == '_'))
        {
            _pos++;
        }

        ReadOnlySpan<char> name = _text.AsSpan(start, _pos - start);
        return name switch
        {
            "True" => true,
            "False" => false,
            "None" => null,
            _ => throw Fail($"unexpected name '{name}'"),
        };
    }

    private void SkipWhitespace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
        {
            _pos++;
        }
    }

    private bool TryConsume(char c)
    {
        if (_pos < _text.Length && _text[_pos] == c)
        {
            _pos++;
            return true;
        }

        return false;
    }

    private void Expect(char c)
    {
        if (!TryConsume(c))
        {
            throw Fail(_pos >= _text.Length ? $"unexpected end of header, expected '{c}'" : $"expected '{c}'");
        }
    }

    private FormatException Fail(string what) => new($"{what} at character {_pos}");
}
