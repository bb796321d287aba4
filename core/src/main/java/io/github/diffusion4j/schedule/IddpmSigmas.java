package io.github.diffusion4j.schedule;

import java.util.ArrayList;
import java.util.List;

/**
 * The iDDPM discretisation as re-derived by Karras et al. 2022 (Table 1, "iDDPM" column;
 * {@code ablation_sampler}, discretization='iddpm'): u_M = 0,
 * u_{j−1} = √((u_j² + 1)/max(ᾱ_{j−1}/ᾱ_j, C₁) − 1) with ᾱ_j = sin²(π j/(2M(C₂+1))), then N levels
 * picked evenly (rounded indices) among the u_j inside [σ_min, σ_max], then σ_N = 0.
 */
public record IddpmSigmas(int m, double c1, double c2, double sigmaMin, double sigmaMax) implements Discretization {
    /** EDM's defaults: M = 1000, C₁ = 0.001, C₂ = 0.008, σ ∈ [0.002, 81]. */
    public static IddpmSigmas edm() {
        return new IddpmSigmas(1000, 0.001, 0.008, 0.002, 81.0);
    }

    private double alphaBar(int j) {
        double s = Math.sin(0.5 * Math.PI * j / m / (c2 + 1));
        return s * s;
    }

    /** The M+1 levels u_0..u_M (u_0 largest, u_M = 0). */
    public double[] levels() {
        double[] u = new double[m + 1];
        for (int j = m; j > 0; j--) {
            double ratio = Math.max(alphaBar(j - 1) / alphaBar(j), c1);
            u[j - 1] = Math.sqrt((u[j] * u[j] + 1) / ratio - 1);
        }
        return u;
    }

    @Override
    public double[] sigmas(int steps) {
        Discretization.requireSteps(steps);
        List<Double> inRange = new ArrayList<>();
        for (double v : levels()) {
            if (v >= sigmaMin && v <= sigmaMax) {
                inRange.add(v);
            }
        }
        if (inRange.size() < steps) {
            throw new IllegalArgumentException(
                    "iDDPM grid has only " + inRange.size() + " levels in range, fewer than " + steps + " steps");
        }
        double[] s = new double[steps];
        for (int i = 0; i < steps; i++) {
            double pos = steps == 1 ? 0.0 : (double) (inRange.size() - 1) / (steps - 1) * i;
            s[i] = inRange.get((int) Math.rint(pos));
        }
        return Discretization.withFinalZero(s);
    }
}
