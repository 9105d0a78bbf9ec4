using System.Globalization;
using System.Net;
using System.Text;

namespace Scar.Core.Report;

/// <summary>A small SVG plot writer: linear axes with ticks, lines, points, shaded bands, grouped bars and a legend.</summary>
public sealed class SvgChart
{
    /// <summary>Colours of successive series.</summary>
    public static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    private const double Width = 560, Height = 330, Left = 64, Right = 16, Top = 34, Bottom = 46;
    private readonly StringBuilder _body = new();
    private readonly List<(string Label, string Color, bool Dashed)> _legend = [];
    private readonly string _id, _title, _xLabel, _yLabel;
    private double _x0, _x1 = 1, _y0, _y1 = 1;
    private string[]? _categories;
    private bool _legendBelow;

    /// <summary>Starts a chart.</summary>
    /// <param name="id">The svg element's id.</param>
    /// <param name="title">Title above the plot.</param>
    /// <param name="xLabel">x-axis label.</param>
    /// <param name="yLabel">y-axis label.</param>
    public SvgChart(string id, string title, string xLabel, string yLabel) => (_id, _title, _xLabel, _yLabel) = (id, title, xLabel, yLabel);

    private static CultureInfo Inv => CultureInfo.InvariantCulture;

    /// <summary>Sets the axis ranges (widened to nice tick values).</summary>
    public SvgChart Range(double x0, double x1, double y0, double y1)
    {
        (_x0, _x1) = Nice(x0, x1);
        (_y0, _y1) = Nice(y0, y1);
        return this;
    }

    /// <summary>Puts the legend in the lower right corner (for curves that rise to the top).</summary>
    public SvgChart LegendBelow()
    {
        _legendBelow = true;
        return this;
    }

    /// <summary>A polyline through the points (non-finite points are skipped).</summary>
    public SvgChart Line(IEnumerable<(double X, double Y)> points, string color, string? label = null, bool dashed = false)
    {
        var xy = points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).Select(p => F(Px(p.X)) + "," + F(Py(p.Y)));
        _body.Append(CultureInfo.InvariantCulture, $"<polyline class=\"series\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{(dashed ? " stroke-dasharray=\"6 4\"" : "")} points=\"{string.Join(' ', xy)}\"/>");
        AddLegend(label, color, dashed);
        return this;
    }

    /// <summary>Circles at the points.</summary>
    public SvgChart Points(IEnumerable<(double X, double Y)> points, string color, string? label = null)
    {
        foreach (var (x, y) in points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)))
        {
            _body.Append(CultureInfo.InvariantCulture, $"<circle class=\"point\" cx=\"{F(Px(x))}\" cy=\"{F(Py(y))}\" r=\"3\" fill=\"{color}\" fill-opacity=\"0.7\"/>");
        }

        AddLegend(label, color, false);
        return this;
    }

    /// <summary>A vertical shaded band from x = <paramref name="from"/> to <paramref name="to"/> (clipped to the plot).</summary>
    public SvgChart Band(double from, double to, string color, string? label = null)
    {
        double a = Math.Clamp(Px(from), Left, Width - Right), b = Math.Clamp(Px(to), Left, Width - Right);
        _body.Append(CultureInfo.InvariantCulture, $"<rect class=\"band\" x=\"{F(Math.Min(a, b))}\" y=\"{F(Top)}\" width=\"{F(Math.Abs(b - a))}\" height=\"{F(Height - Top - Bottom)}\" fill=\"{color}\" fill-opacity=\"0.18\"/>");
        AddLegend(label, color, false);
        return this;
    }

    /// <summary>A vertical line at x.</summary>
    public SvgChart VLine(double x, string color, string? label = null)
    {
        if (double.IsFinite(x) && x >= _x0 && x <= _x1)
        {
            _body.Append(CultureInfo.InvariantCulture, $"<line class=\"marker\" x1=\"{F(Px(x))}\" x2=\"{F(Px(x))}\" y1=\"{F(Top)}\" y2=\"{F(Height - Bottom)}\" stroke=\"{color}\" stroke-width=\"1.5\"/>");
            AddLegend(label, color, false);
        }

        return this;
    }

    /// <summary>Grouped bars: one group per category, one bar per series; null values are left out.</summary>
    public SvgChart Bars(IReadOnlyList<string> categories, IReadOnlyList<(string Label, double?[] Values)> series)
    {
        _categories = [.. categories];
        double max = series.SelectMany(s => s.Values).Where(v => v is { } x && double.IsFinite(x)).Select(v => v!.Value).DefaultIfEmpty(1).Max();
        // Head room above the bars for the legend.
        Range(0, categories.Count, 0, (max <= 0 ? 1 : max) * (1 + (0.08 * (series.Count + 1))));
        (_x0, _x1) = (0, categories.Count);
        double groupWidth = (Width - Left - Right) / Math.Max(1, categories.Count);
        double barWidth = groupWidth * 0.8 / Math.Max(1, series.Count);
        for (int s = 0; s < series.Count; s++)
        {
            string color = Palette[s % Palette.Length];
            for (int c = 0; c < categories.Count; c++)
            {
                if (series[s].Values[c] is not { } v || !double.IsFinite(v))
                {
                    continue;
                }

                double x = Left + (c * groupWidth) + (groupWidth * 0.1) + (s * barWidth);
                double y = Py(v);
                _body.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar\" x=\"{F(x)}\" y=\"{F(y)}\" width=\"{F(barWidth * 0.92)}\" height=\"{F(Height - Bottom - y)}\" fill=\"{color}\"><title>{Esc(series[s].Label)} {Esc(categories[c])}: {v.ToString("G4", Inv)}</title></rect>");
            }

            AddLegend(series[s].Label, color, false);
        }

        return this;
    }

    /// <summary>The finished &lt;svg&gt; element.</summary>
    public override string ToString()
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg id=\"{Esc(_id)}\" class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"11\">");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"0\" y=\"0\" width=\"{Width}\" height=\"{Height}\" fill=\"#fff\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"18\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">{Esc(_title)}</text>");
        Axes(svg);
        svg.Append(CultureInfo.InvariantCulture, $"<clipPath id=\"{Esc(_id)}-clip\"><rect x=\"{Left}\" y=\"{Top}\" width=\"{Width - Left - Right}\" height=\"{Height - Top - Bottom}\"/></clipPath>");
        svg.Append(CultureInfo.InvariantCulture, $"<g clip-path=\"url(#{Esc(_id)}-clip)\">{_body}</g>");
        Legend(svg);
        svg.Append("</svg>");
        return svg.ToString();
    }

    private void Axes(StringBuilder svg)
    {
        double bottom = Height - Bottom, right = Width - Right;
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{bottom}\" x2=\"{right}\" y2=\"{bottom}\" stroke=\"#333\"/><line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{bottom}\" stroke=\"#333\"/>");
        foreach (double t in Ticks(_y0, _y1))
        {
            double y = Py(t);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{right}\" y1=\"{F(y)}\" y2=\"{F(y)}\" stroke=\"#eee\"/><text x=\"{Left - 4}\" y=\"{F(y + 4)}\" text-anchor=\"end\">{Tick(t)}</text>");
        }

        if (_categories is { } categories)
        {
            double groupWidth = (right - Left) / Math.Max(1, categories.Length);
            for (int c = 0; c < categories.Length; c++)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(Left + ((c + 0.5) * groupWidth))}\" y=\"{bottom + 14}\" text-anchor=\"middle\">{Esc(categories[c])}</text>");
            }
        }
        else
        {
            foreach (double t in Ticks(_x0, _x1))
            {
                svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(Px(t))}\" x2=\"{F(Px(t))}\" y1=\"{bottom}\" y2=\"{bottom + 4}\" stroke=\"#333\"/><text x=\"{F(Px(t))}\" y=\"{bottom + 15}\" text-anchor=\"middle\">{Tick(t)}</text>");
            }
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F((Left + right) / 2)}\" y=\"{Height - 8}\" text-anchor=\"middle\">{Esc(_xLabel)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(14 {F((Top + bottom) / 2)}) rotate(-90)\" text-anchor=\"middle\">{Esc(_yLabel)}</text>");
    }

    private void Legend(StringBuilder svg)
    {
        int rows = Math.Min(_legend.Count, 12);
        double x = Width - Right - 8, y = _legendBelow ? Height - Bottom - 10 - (rows * 14) : Top + 6;
        if (rows == 0)
        {
            return;
        }

        double w = Math.Min(260, 30 + (6.2 * _legend.Take(rows).Max(l => l.Label.Length)));
        svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"legend\" x=\"{F(x - w)}\" y=\"{F(y - 2)}\" width=\"{F(w)}\" height=\"{F((rows * 14) + 4)}\" fill=\"#fff\" fill-opacity=\"0.85\" stroke=\"#ccc\"/>");
        for (int i = 0; i < rows; i++)
        {
            var (label, color, dashed) = _legend[i];
            double ly = y + 8 + (i * 14);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(x - w + 4)}\" x2=\"{F(x - w + 22)}\" y1=\"{F(ly)}\" y2=\"{F(ly)}\" stroke=\"{color}\" stroke-width=\"{(dashed ? 2 : 6)}\"{(dashed ? " stroke-dasharray=\"4 3\"" : "")}/><text x=\"{F(x - w + 26)}\" y=\"{F(ly + 4)}\">{Esc(label)}</text>");
        }
    }

    private void AddLegend(string? label, string color, bool dashed)
    {
        if (label is not null)
        {
            _legend.Add((label, color, dashed));
        }
    }

    private double Px(double x) => Left + ((x - _x0) / (_x1 - _x0) * (Width - Left - Right));

    private double Py(double y) => Height - Bottom - ((y - _y0) / (_y1 - _y0) * (Height - Top - Bottom));

    private static (double, double) Nice(double lo, double hi)
    {
        if (!double.IsFinite(lo) || !double.IsFinite(hi))
        {
            return (0, 1);
        }

        if (hi <= lo)
        {
            hi = lo + Math.Max(1e-9, Math.Abs(lo) * 0.1 + (lo == 0 ? 1 : 0));
        }

        double step = Step(lo, hi);
        return (Math.Floor(lo / step) * step, Math.Ceiling(hi / step) * step);
    }

    private static double Step(double lo, double hi)
    {
        double raw = (hi - lo) / 5;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double unit = raw / magnitude;
        return magnitude * (unit < 1.5 ? 1 : unit < 3.5 ? 2 : unit < 7.5 ? 5 : 10);
    }

    private static IEnumerable<double> Ticks(double lo, double hi)
    {
        double step = Step(lo, hi);
        for (double t = lo; t <= hi + (step * 1e-6); t += step)
        {
            yield return Math.Abs(t) < step * 1e-9 ? 0 : t;
        }
    }

    private static string Tick(double t) => Math.Abs(t) >= 10_000 ? t.ToString("0.##e0", Inv) : t.ToString("G4", Inv);

    private static string F(double v) => v.ToString("0.##", Inv);

    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
