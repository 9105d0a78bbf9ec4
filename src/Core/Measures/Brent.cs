namespace Scar.Core.Measures;

/// <summary>Brent's root finder with the semantics of scipy.optimize.brentq (a port of scipy's brentq.c).</summary>
public static class Brent
{
    /// <summary>
    /// Finds a root of <paramref name="f"/> in [<paramref name="lo"/>, <paramref name="hi"/>]; stops when the
    /// bracket half-width is below (xtol + rtol·|x|)/2. Returns null when f(lo) and f(hi) have the same sign
    /// (no bracketed root).
    /// </summary>
    /// <exception cref="InvalidOperationException">No convergence in <paramref name="maxIter"/> iterations (scipy raises too).</exception>
    public static double? FindRoot(Func<double, double> f, double lo, double hi, double xtol = 2e-12, double rtol = 8.881784197001252e-16, int maxIter = 500)
    {
        ArgumentNullException.ThrowIfNull(f);
        double xpre = lo;
        double xcur = hi;
        double xblk = 0;
        double fblk = 0;
        double spre = 0;
        double scur = 0;
        double fpre = f(xpre);
        double fcur = f(xcur);
        if (fpre == 0)
        {
            return xpre;
        }

        if (fcur == 0)
        {
            return xcur;
        }

        if (double.IsNaN(fpre) || double.IsNaN(fcur) || double.IsNegative(fpre) == double.IsNegative(fcur))
        {
            return null;
        }

        for (int i = 0; i < maxIter; i++)
        {
            if (fpre != 0 && fcur != 0 && double.IsNegative(fpre) != double.IsNegative(fcur))
            {
                xblk = xpre;
                fblk = fpre;
                spre = scur = xcur - xpre;
            }

            if (Math.Abs(fblk) < Math.Abs(fcur))
            {
                xpre = xcur;
                xcur = xblk;
                xblk = xpre;
                fpre = fcur;
                fcur = fblk;
                fblk = fpre;
            }

            double delta = (xtol + (rtol * Math.Abs(xcur))) / 2;
            double sbis = (xblk - xcur) / 2;
            if (fcur == 0 || Math.Abs(sbis) < delta)
            {
                return xcur;
            }

            if (Math.Abs(spre) > delta && Math.Abs(fcur) < Math.Abs(fpre))
            {
                double stry;
                if (xpre == xblk)
                {
                    // Secant (linear interpolation).
                    stry = -fcur * (xcur - xpre) / (fcur - fpre);
                }
                else
                {
                    // Inverse quadratic extrapolation.
                    double dpre = (fpre - fcur) / (xpre - xcur);
                    double dblk = (fblk - fcur) / (xblk - xcur);
                    stry = -fcur * ((fblk * dblk) - (fpre * dpre)) / (dblk * dpre * (fblk - fpre));
                }

                if (2 * Math.Abs(stry) < Math.Min(Math.Abs(spre), (3 * Math.Abs(sbis)) - delta))
                {
                    spre = scur;
                    scur = stry;
                }
                else
                {
                    spre = sbis;
                    scur = sbis;
                }
            }
            else
            {
                spre = sbis;
                scur = sbis;
            }

            xpre = xcur;
            fpre = fcur;
            xcur += Math.Abs(scur) > delta ? scur : (sbis > 0 ? delta : -delta);
            fcur = f(xcur);
        }

        throw new InvalidOperationException($"Brent's method did not converge in {maxIter} iterations on [{lo}, {hi}].");
    }
}
