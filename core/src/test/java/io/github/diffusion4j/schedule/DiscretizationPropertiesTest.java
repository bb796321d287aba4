package io.github.diffusion4j.schedule;

import static io.github.diffusion4j.testing.Cases.expm1ByHand;
import static io.github.diffusion4j.testing.Cases.logUniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Noise-level grids have N+1 strictly decreasing levels ending in 0, with the published end points (Karras et al. 2022, Eq. 5 and Table 1 VP/VE/iDDPM time steps; Song et al. 2021, Sec. 4.2). */
class DiscretizationPropertiesTest {
    static final int CASES = 300;

    /**
     * One random grid: the expected first level and last nonzero level (null: not checked) are
     * computed here from the published formulas, never by the class under test.
     */
    record Case(Discretization grid, int steps, Double first, Double lastNonzero, double tol, String desc) {}


    /** iDDPM levels u_0..u_M by the recursion of Karras et al. 2022, Table 1 (iDDPM column), written out here. */
    static double[] iddpmLevelsByHand(int m, double c1, double c2) {
        double[] u = new double[m + 1];
        for (int j = m; j >= 1; j--) {
            double abJ = Math.pow(Math.sin(Math.PI / 2 * j / (m * (1 + c2))), 2);
            double abJm1 = Math.pow(Math.sin(Math.PI / 2 * (j - 1) / (m * (1 + c2))), 2);
            double ratio = Math.max(abJm1 / abJ, c1);
            u[j - 1] = Math.sqrt((u[j] * u[j] + 1) / ratio - 1);
        }
        return u;
    }

    static final double[] IDDPM_LEVELS = iddpmLevelsByHand(1000, 0.001, 0.008);

    /** Largest u_j ≤ 81 and smallest u_j ≥ 0.002 (EDM's iDDPM range), scanned by hand. */
    static double iddpmLevel(boolean largest) {
        double best = largest ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        for (double u : IDDPM_LEVELS) {
            if (u >= 0.002 && u <= 81.0) {
                best = largest ? Math.max(best, u) : Math.min(best, u);
            }
        }
        return best;
    }

    static Stream<Arguments> families() {
        List<Arguments> f = new ArrayList<>();
        f.add(Arguments.of("KarrasSigmas", (Function<SplittableRandom, Case>) r -> {
            double lo = logUniform(r, 1e-4, 1.0), hi = logUniform(r, 2.0, 1e3), rho = 1 + 9 * r.nextDouble();
            int n = 1 + r.nextInt(200);
            // Eq. 5 at i = 0 is (σ_max^{1/ρ})^ρ = σ_max; at i = N−1 it is σ_min. Eq. 5 as written forms
            // σ_min^{1/ρ} as a + (b − a) with a = σ_max^{1/ρ}, b = σ_min^{1/ρ}, which rounds to within
            // ulp(a) of b: the last level is σ_min to a relative ρ·ulp(a)/b (EDM's generate.py rounds alike).
            double a = Math.pow(hi, 1 / rho), b = Math.pow(lo, 1 / rho);
            double tol = 1e-12 + 4 * rho * Math.ulp(a) / b;
            return new Case(new KarrasSigmas(lo, hi, rho), n, hi, n >= 2 ? lo : hi, tol,
                    String.format("Karras(σmin=%s, σmax=%s, ρ=%s) N=%d", lo, hi, rho, n));
        }));
        f.add(Arguments.of("LogUniformSigmas", (Function<SplittableRandom, Case>) r -> {
            double lo = logUniform(r, 1e-4, 1.0), hi = logUniform(r, 2.0, 1e3);
            int n = 1 + r.nextInt(200);
            return new Case(new LogUniformSigmas(lo, hi), n, hi, n >= 2 ? lo : hi, 1e-12,
                    String.format("LogUniform(σmin=%s, σmax=%s) N=%d", lo, hi, n));
        }));
        f.add(Arguments.of("VpSigmas(LinearVpSchedule)", (Function<SplittableRandom, Case>) r -> {
            double bd = 1 + 29 * r.nextDouble(), bm = 0.01 + 0.99 * r.nextDouble(), eps = logUniform(r, 1e-4, 1e-2);
            int n = 1 + r.nextInt(200);
            // σ(t) = √(exp(½β_d t² + β_min t) − 1) at t = 1 and t = ε_s (Table 1, VP column).
            double first = Math.sqrt(expm1ByHand(0.5 * bd + bm));
            double last = Math.sqrt(expm1ByHand(0.5 * bd * eps * eps + bm * eps));
            return new Case(new VpSigmas(new LinearVpSchedule(bd, bm), eps), n, first, n >= 2 ? last : first, 1e-9,
                    String.format("VpSigmas(Linear(β_d=%s, β_min=%s), ε_s=%s) N=%d", bd, bm, eps, n));
        }));
        f.add(Arguments.of("VpSigmas(CosineVpSchedule)", (Function<SplittableRandom, Case>) r -> {
            double s = r.nextInt(4) == 0 ? 0.008 : 0.001 + 0.049 * r.nextDouble();
            double eps = logUniform(r, 1e-3, 1e-1);
            int n = 1 + r.nextInt(200);
            // ᾱ(t) = cos²(((t+s)/(1+s))π/2)/cos²((s/(1+s))π/2), σ = √(1/ᾱ − 1) (Nichol & Dhariwal 2021, Eq. 17).
            // σ(1) is infinite in exact arithmetic (cos(π/2) = 0), so only the last nonzero level is checked.
            double ratio = Math.cos(s / (1 + s) * Math.PI / 2) / Math.cos((eps + s) / (1 + s) * Math.PI / 2);
            double last = Math.sqrt(ratio * ratio - 1);
            return new Case(new VpSigmas(new CosineVpSchedule(s), eps), n, null, n >= 2 ? Double.valueOf(last) : null, 1e-9,
                    String.format("VpSigmas(Cosine(s=%s), ε_s=%s) N=%d", s, eps, n));
        }));
        f.add(Arguments.of("IddpmSigmas.edm()", (Function<SplittableRandom, Case>) r -> {
            int n = 1 + r.nextInt(200);
            double first = iddpmLevel(true);
            return new Case(IddpmSigmas.edm(), n, first, n >= 2 ? iddpmLevel(false) : first, 1e-12, "iDDPM N=" + n);
        }));
        double[] ddpmByHand = DiscreteSigmasSpacingTest.ddpmSigmasByHand();
        double[] cosineByHand = DiscreteSigmasSpacingTest.cosineSigmasByHand(1000, 0.008);
        DiscreteVpSchedule ddpm = DiscreteVpSchedule.ddpm();
        DiscreteVpSchedule cosine = DiscreteVpSchedule.cosine(1000, 0.008);
        for (DiscreteSigmas.Spacing sp : DiscreteSigmas.Spacing.values()) {
            f.add(Arguments.of("DiscreteSigmas(ddpm, " + sp + ")", (Function<SplittableRandom, Case>) r -> {
                int n = 1 + r.nextInt(200);
                return discreteCase(new DiscreteSigmas(ddpm, sp), ddpmByHand, n, "ddpm " + sp + " N=" + n);
            }));
            f.add(Arguments.of("DiscreteSigmas(cosine(1000, 0.008), " + sp + ")", (Function<SplittableRandom, Case>) r -> {
                int n = 1 + r.nextInt(200);
                return discreteCase(new DiscreteSigmas(cosine, sp), cosineByHand, n, "cosine " + sp + " N=" + n);
            }));
        }
        return f.stream();
    }

    /**
     * LEADING's largest visited step is ⌊(N−1)T/N⌋ and its smallest is 0; TRAILING's largest is T−1
     * (Sec. 4.2 spacings as described in methods.md §5.3). The smallest TRAILING step depends on
     * rounding when N does not divide T, so it is checked only when it does (T/N − 1).
     */
    static Case discreteCase(DiscreteSigmas grid, double[] sigmaByHand, int n, String desc) {
        int total = sigmaByHand.length;
        boolean leading = grid.spacing() == DiscreteSigmas.Spacing.LEADING;
        double first = sigmaByHand[leading ? (int) ((long) (n - 1) * total / n) : total - 1];
        Double last;
        if (leading) {
            last = sigmaByHand[0];
        } else {
            last = total % n == 0 ? sigmaByHand[total / n - 1] : null;
        }
        return new Case(grid, n, first, n >= 2 ? last : Double.valueOf(first), 1e-12, desc);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void everyGridHasTheDiscretizationShape(String family, Function<SplittableRandom, Case> draw) {
        for (long seed = 0; seed < CASES; seed++) {
            Case c = draw.apply(new SplittableRandom(seed * 0x9E3779B97F4A7C15L + family.hashCode()));
            String where = "seed " + seed + ": " + c.desc();
            double[] s = c.grid().sigmas(c.steps());
            assertThat(s).as("length, %s", where).hasSize(c.steps() + 1);
            assertThat(s[c.steps()]).as("σ_N = 0, %s", where).isEqualTo(0.0);
            for (int i = 0; i < c.steps(); i++) {
                // Plain checks in the hot loop (an AssertJ chain per element would dominate the run time).
                if (!(Double.isFinite(s[i]) && s[i] > 0)) {
                    fail(String.format("σ_%d = %s is not finite and > 0, %s", i, s[i], where));
                }
                if (!(s[i] > s[i + 1])) {
                    fail(String.format("not strictly decreasing: σ_%d = %s ≤ σ_%d = %s, %s", i, s[i], i + 1, s[i + 1], where));
                }
            }
            if (c.first() != null) {
                assertRelClose(s[0], c.first(), c.tol(), "first level, " + where);
            }
            if (c.lastNonzero() != null) {
                assertRelClose(s[c.steps() - 1], c.lastNonzero(), c.tol(), "last nonzero level, " + where);
            }
        }
    }

    static void assertRelClose(double got, double want, double rel, String what) {
        if (!(Math.abs(got - want) <= rel * Math.abs(want))) {
            fail(String.format("%s: got %s, want %s (relative error %.3e > %.1e)", what, got, want,
                    Math.abs(got - want) / Math.abs(want), rel));
        }
    }

    /** EDM's default grid (N = 18): σ_0 = 80 and σ_17 = 0.002 exactly (Karras et al. 2022, Sec. 3; generate.py defaults). */
    @Test
    void edmDefaultGridEndPoints() {
        double[] s = KarrasSigmas.edm().sigmas(18);
        assertThat(s).hasSize(19);
        assertRelClose(s[0], 80.0, 1e-12, "σ_0");
        assertRelClose(s[17], 0.002, 1e-12, "σ_17");
        assertThat(s[18]).isEqualTo(0.0);
        // An interior level by hand: i = 9, ρ = 7: (80^{1/7} + 9/17 (0.002^{1/7} − 80^{1/7}))^7.
        double a = Math.pow(80, 1.0 / 7), b = Math.pow(0.002, 1.0 / 7);
        assertRelClose(s[9], Math.pow(a + 9.0 / 17 * (b - a), 7), 1e-12, "σ_9");
    }

    /**
     * The iDDPM grid picks levels of the Table 1 recursion inside [0.002, 81] at rounded, evenly
     * spaced indices (EDM {@code ablation_sampler}: u_filtered[round((len−1)/(N−1)·i)], round half to even).
     */
    @Test
    void iddpmGridPicksRecursionLevelsAtRoundedIndices() {
        // Numbers from the recursion written out above (not from IddpmSigmas): 992 of the 1001 levels
        // lie inside [0.002, 81]; the largest is 80.2037..., the smallest 0.0064254...
        List<Double> inRange = new ArrayList<>();
        for (double u : IDDPM_LEVELS) {
            if (u >= 0.002 && u <= 81.0) {
                inRange.add(u);
            }
        }
        assertThat(inRange).hasSize(992);
        assertThat(iddpmLevel(true)).isCloseTo(80.2037, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(iddpmLevel(false)).isCloseTo(0.0064254, org.assertj.core.data.Offset.offset(1e-7));
        int[] counts = java.util.stream.IntStream.concat(java.util.stream.IntStream.rangeClosed(1, 40),
                java.util.stream.IntStream.of(64, 100, 128, 255, 256, 257, 500, 991, 992)).toArray();
        for (int n : counts) {
            double[] s = IddpmSigmas.edm().sigmas(n);
            for (int i = 0; i < n; i++) {
                int idx = n == 1 ? 0 : (int) Math.rint((inRange.size() - 1) / (double) (n - 1) * i);
                assertRelClose(s[i], inRange.get(idx), 1e-12, "N=" + n + " σ_" + i);
            }
        }
    }
}
