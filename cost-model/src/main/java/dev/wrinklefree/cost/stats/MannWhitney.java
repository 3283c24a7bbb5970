package dev.wrinklefree.cost.stats;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.inference.MannWhitneyUTest;

import java.util.Arrays;

/**
 * Two-sided Mann-Whitney U test (Wilcoxon rank-sum) of two independent samples.
 *
 * <p>Method, chosen per call and recorded in the result:
 * <ul>
 *   <li>{@link Method#EXACT}: no ties and {@code n1 * n2 <= } {@value #EXACT_MAX_PRODUCT}: the exact null
 *       distribution of U, counted by the recurrence {@code f(m,n,u) = f(m-1,n,u-n) + f(m,n-1,u)}
 *       (kept as probabilities); p = min(1, 2 min(P(U &lt;= u), P(U &gt;= u))).
 *   <li>{@link Method#NORMAL_APPROXIMATION}: larger samples without ties: Apache Commons Math 3
 *       {@link MannWhitneyUTest}, which uses the normal approximation without continuity or tie correction.
 *   <li>{@link Method#NORMAL_APPROXIMATION_TIE_CORRECTED}: samples with ties: the normal approximation with
 *       the tie-corrected variance and a continuity correction of 0.5 (what R's {@code wilcox.test} does).
 * </ul>
 * JMH runs often have few iterations (3 + 3 gives a smallest possible two-sided p of 0.1), so the
 * result also carries {@link Result#minimumAchievablePValue()}: a p-value threshold below it cannot be met
 * whatever the data.
 */
public final class MannWhitney {
    /** Largest {@code n1 * n2} for which the exact distribution is computed (about 10^8 steps at most). */
    public static final int EXACT_MAX_PRODUCT = 10_000;

    private MannWhitney() {
    }

    /** How a p-value was computed. */
    public enum Method {
        EXACT, NORMAL_APPROXIMATION, NORMAL_APPROXIMATION_TIE_CORRECTED;

        /** A short human label. */
        public String label() {
            return switch (this) {
                case EXACT -> "exact";
                case NORMAL_APPROXIMATION -> "normal approximation";
                case NORMAL_APPROXIMATION_TIE_CORRECTED -> "normal approximation, tie-corrected";
            };
        }
    }

    /**
     * @param u1 U statistic of the first sample: pairs (x, y) with x &gt; y, ties counted 1/2
     * @param pValue two-sided p-value in [0, 1]
     * @param method how {@code pValue} was computed
     * @param minimumAchievablePValue the smallest two-sided p-value any data of these sizes can give
     *     (exact, without ties)
     */
    public record Result(double u1, double pValue, Method method, double minimumAchievablePValue) {
    }

    /**
     * Tests whether {@code x} and {@code y} come from the same distribution.
     *
     * @param x first sample, at least one finite value (NaN dropped)
     * @param y second sample, at least one finite value (NaN dropped)
     * @throws IllegalArgumentException when a sample is empty after dropping NaN
     */
    public static Result test(double[] x, double[] y) {
        double[] a = Arrays.stream(x).filter(v -> !Double.isNaN(v)).toArray();
        double[] b = Arrays.stream(y).filter(v -> !Double.isNaN(v)).toArray();
        if (a.length == 0 || b.length == 0) {
            throw new IllegalArgumentException("Mann-Whitney U needs at least one value in each sample, got " + a.length + " and " + b.length);
        }
        int n1 = a.length;
        int n2 = b.length;
        double[] ranks = ranks(a, b);
        double r1 = 0;
        for (int i = 0; i < n1; i++) {
            r1 += ranks[i];
        }
        double u1 = r1 - n1 * (n1 + 1) / 2.0;
        boolean small = (long) n1 * n2 <= EXACT_MAX_PRODUCT;
        double[] dist = small ? exactDistribution(n1, n2) : null;
        double minP = small ? Math.min(1.0, 2.0 * dist[0]) : minPLarge(n1, n2);
        boolean ties = hasTies(a, b);
        if (!ties && small) {
            int u = (int) Math.round(u1);
            double lower = 0;
            double upper = 0;
            for (int k = 0; k < dist.length; k++) {
                if (k <= u) {
                    lower += dist[k];
                }
                if (k >= u) {
                    upper += dist[k];
                }
            }
            return new Result(u1, Math.min(1.0, 2.0 * Math.min(lower, upper)), Method.EXACT, minP);
        }
        if (!ties) {
            return new Result(u1, new MannWhitneyUTest().mannWhitneyUTest(a, b), Method.NORMAL_APPROXIMATION, minP);
        }
        return new Result(u1, tieCorrectedNormal(u1, a, b, ranks), Method.NORMAL_APPROXIMATION_TIE_CORRECTED, minP);
    }

    /**
     * The null distribution of U for sizes m and n: element u is P(U = u). Probabilities instead of counts
     * so that large binomial coefficients do not overflow: {@code p(i,j,u) = i/(i+j) p(i-1,j,u-j) + j/(i+j) p(i,j-1,u)}.
     */
    static double[] exactDistribution(int m, int n) {
        // prev[i] holds p(i, j-1, .) for the previous j; cur[i] builds p(i, j, .).
        double[][] prev = new double[m + 1][];
        for (int i = 0; i <= m; i++) {
            prev[i] = new double[] {1.0}; // p(i, 0, 0) = 1: no y, U is 0
        }
        for (int j = 1; j <= n; j++) {
            double[][] cur = new double[m + 1][];
            cur[0] = new double[] {1.0}; // no x, U is 0
            for (int i = 1; i <= m; i++) {
                double[] d = new double[i * j + 1];
                double wx = (double) i / (i + j);
                double wy = (double) j / (i + j);
                double[] fromX = cur[i - 1];   // largest value is an x: it beats all j y's
                double[] fromY = prev[i];      // largest value is a y: adds nothing to U
                for (int u = 0; u < fromY.length; u++) {
                    d[u] += wy * fromY[u];
                }
                for (int u = 0; u < fromX.length; u++) {
                    d[u + j] += wx * fromX[u];
                }
                cur[i] = d;
            }
            prev = cur;
        }
        return prev[m];
    }

    private static double minPLarge(int n1, int n2) {
        double mu = n1 * (double) n2 / 2.0;
        double sd = Math.sqrt(n1 * (double) n2 * (n1 + n2 + 1) / 12.0);
        return 2.0 * new NormalDistribution(null, 0, 1).cumulativeProbability(-mu / sd);
    }

    private static double tieCorrectedNormal(double u1, double[] a, double[] b, double[] ranks) {
        int n1 = a.length;
        int n2 = b.length;
        int n = n1 + n2;
        double[] sorted = ranks.clone();
        Arrays.sort(sorted);
        double tieSum = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && sorted[j + 1] == sorted[i]) {
                j++;
            }
            double t = j - i + 1;
            tieSum += t * t * t - t;
            i = j + 1;
        }
        double mu = n1 * (double) n2 / 2.0;
        double var = n1 * (double) n2 / 12.0 * ((n + 1) - tieSum / ((double) n * (n - 1)));
        if (var <= 0) {
            return 1.0; // every value tied: no evidence of any difference
        }
        double d = u1 - mu;
        double z = (Math.abs(d) - 0.5) / Math.sqrt(var);
        if (z < 0) {
            z = 0;
        }
        return Math.min(1.0, 2.0 * new NormalDistribution(null, 0, 1).cumulativeProbability(-z));
    }

    /** Midranks (ties get the mean of their ranks) of a then b in one pooled ordering. */
    static double[] ranks(double[] a, double[] b) {
        int n = a.length + b.length;
        double[] all = new double[n];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (p, q) -> Double.compare(all[p], all[q]));
        double[] r = new double[n];
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && all[idx[j + 1]] == all[idx[i]]) {
                j++;
            }
            double mid = (i + j) / 2.0 + 1.0;
            for (int k = i; k <= j; k++) {
                r[idx[k]] = mid;
            }
            i = j + 1;
        }
        return r;
    }

    private static boolean hasTies(double[] a, double[] b) {
        double[] all = new double[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        Arrays.sort(all);
        for (int i = 1; i < all.length; i++) {
            if (all[i] == all[i - 1]) {
                return true;
            }
        }
        return false;
    }
}
