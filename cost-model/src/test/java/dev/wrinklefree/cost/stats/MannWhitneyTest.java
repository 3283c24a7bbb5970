package dev.wrinklefree.cost.stats;

import org.apache.commons.math3.stat.inference.MannWhitneyUTest;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MannWhitneyTest {
    @Test
    void threeVersusThreeByHand() {
        // Complete separation: U = 0; of the C(6,3) = 20 equally likely rank sets one gives U = 0 and one U = 9.
        MannWhitney.Result r = MannWhitney.test(new double[] {1, 2, 3}, new double[] {4, 5, 6});
        assertEquals(0, r.u1(), 0);
        assertEquals(MannWhitney.Method.EXACT, r.method());
        assertEquals(2.0 / 20, r.pValue(), 1e-12);
        assertEquals(0.1, r.minimumAchievablePValue(), 1e-12);
    }

    @Test
    void hollanderWolfeExample() {
        // Hollander & Wolfe (1973) p. 69, the example of R's wilcox.test: W = 35, one-sided p = 0.1272 (3003 arrangements).
        double[] x = {0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
        double[] y = {1.15, 0.88, 0.90, 0.74, 1.21};
        MannWhitney.Result r = MannWhitney.test(x, y);
        assertEquals(35, r.u1(), 0);
        assertEquals(2 * 382.0 / 3003, r.pValue(), 1e-12);
        assertEquals(0.2544, r.pValue(), 1e-4);
    }

    @Test
    void exactAgreesWithBruteForceEnumeration() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int trial = 0; trial < 20; trial++) {
            int n1 = 1 + rnd.nextInt(7);
            int n2 = 1 + rnd.nextInt(7);
            double[] x = new double[n1];
            double[] y = new double[n2];
            for (int i = 0; i < n1; i++) {
                x[i] = rnd.nextDouble();
            }
            for (int i = 0; i < n2; i++) {
                y[i] = rnd.nextDouble() + 0.3;
            }
            MannWhitney.Result r = MannWhitney.test(x, y);
            assertEquals(MannWhitney.Method.EXACT, r.method());
            assertEquals(bruteForceTwoSided(x, y), r.pValue(), 1e-12, "n1=" + n1 + " n2=" + n2);
        }
    }

    @Test
    void exactDistributionSumsToOneAndIsSymmetric() {
        double[] d = MannWhitney.exactDistribution(40, 60);
        assertEquals(2401, d.length);
        assertEquals(1.0, Arrays.stream(d).sum(), 1e-9);
        for (int u = 0; u < d.length; u++) {
            assertEquals(d[u], d[d.length - 1 - u], 1e-15);
        }
    }

    @Test
    void largeSamplesUseCommonsMathNormalApproximation() {
        SplittableRandom rnd = new SplittableRandom(7);
        double[] x = rnd.doubles(120).toArray();
        double[] y = rnd.doubles(110).map(v -> v + 0.1).toArray();
        MannWhitney.Result r = MannWhitney.test(x, y);
        assertEquals(MannWhitney.Method.NORMAL_APPROXIMATION, r.method());
        assertEquals(new MannWhitneyUTest().mannWhitneyUTest(x, y), r.pValue(), 0);
        // Cross-check by the textbook formula (no continuity or tie correction, as commons-math3 does).
        double mu = 120 * 110 / 2.0;
        double sd = Math.sqrt(120 * 110 * (120 + 110 + 1) / 12.0);
        double z = -Math.abs(r.u1() - mu) / sd;
        assertEquals(2 * new org.apache.commons.math3.distribution.NormalDistribution().cumulativeProbability(z), r.pValue(), 1e-12);
    }

    @Test
    void tiesUseTieCorrectedNormal() {
        // Reference: scipy 1.17.1 mannwhitneyu(x, y, alternative='two-sided', method='asymptotic', use_continuity=True)
        // = 0.26669936890104307; by hand: U = 8.5, var = 5*6/12 * (12 - 18/110) = 29.1818..., z = (|8.5-15| - 0.5)/sqrt(var).
        MannWhitney.Result r = MannWhitney.test(new double[] {1, 2, 2, 3, 7}, new double[] {2, 3, 4, 5, 5, 6});
        assertEquals(MannWhitney.Method.NORMAL_APPROXIMATION_TIE_CORRECTED, r.method());
        assertEquals(8.5, r.u1(), 0);
        assertEquals(0.26669936890104307, r.pValue(), 1e-12);
    }

    @Test
    void allTiedIsNoEvidence() {
        assertEquals(1.0, MannWhitney.test(new double[] {5, 5, 5}, new double[] {5, 5}).pValue(), 0);
    }

    @Test
    void summaryKnownValues() {
        Summary s = Summary.of(2, 4, 4, 4, 5, 5, 7, 9);
        assertEquals(8, s.n());
        assertEquals(5, s.mean(), 1e-12);
        assertEquals(4.5, s.median(), 0);
        assertEquals(Math.sqrt(32.0 / 7), s.stddev(), 1e-12);
        assertEquals(2, s.min(), 0);
        assertEquals(9, s.max(), 0);
        assertEquals(3, Summary.of(3, Double.NaN).median(), 0);
        assertTrue(Double.isNaN(Summary.of().median()));
    }

    /** Two-sided exact p by listing every split of the pooled ranks (no ties): the second method. */
    private static double bruteForceTwoSided(double[] x, double[] y) {
        int n1 = x.length;
        int n = n1 + y.length;
        double u = 0;
        for (double a : x) {
            for (double b : y) {
                u += a > b ? 1 : 0;
            }
        }
        long le = 0;
        long ge = 0;
        long total = 0;
        for (int mask = 0; mask < 1 << n; mask++) {
            if (Integer.bitCount(mask) != n1) {
                continue;
            }
            int rankSum = 0;
            for (int i = 0; i < n; i++) {
                if ((mask & (1 << i)) != 0) {
                    rankSum += i + 1;
                }
            }
            double uu = rankSum - n1 * (n1 + 1) / 2.0;
            total++;
            le += uu <= u ? 1 : 0;
            ge += uu >= u ? 1 : 0;
        }
        return Math.min(1.0, 2.0 * Math.min(le, ge) / total);
    }
}
