package io.github.diffusion4j.schedule;

/**
 * The continuous cosine schedule (Nichol &amp; Dhariwal 2021, Eq. 17):
 * ᾱ(t) = f(t)/f(0), f(t) = cos²(((t+s)/(1+s))·π/2), t ∈ [0, 1).
 */
public record CosineVpSchedule(double s) implements VpSchedule {
    /** iDDPM's offset s = 0.008. */
    public static CosineVpSchedule iddpm() {
        return new CosineVpSchedule(0.008);
    }

    private double f0() {
        return Math.cos(s / (1 + s) * Math.PI / 2);
    }

    @Override
    public double sigma(double t) {
        double c = Math.cos((t + s) / (1 + s) * Math.PI / 2) / f0();
        return VpSchedule.sigmaOfAlphaBar(c * c);
    }

    @Override
    public double t(double sigma) {
        double sqrtAlphaBar = VpSchedule.alpha(sigma);
        return (1 + s) * (2 / Math.PI) * Math.acos(sqrtAlphaBar * f0()) - s;
    }
}
