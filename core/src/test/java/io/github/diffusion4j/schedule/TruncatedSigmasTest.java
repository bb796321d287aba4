package io.github.diffusion4j.schedule;

import static io.github.diffusion4j.testing.Cases.logUniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Relay's truncated grid (methods.md §3.4; RelayDiffusion generate.py: keep σ < truncation_sigma, then 0). */
class TruncatedSigmasTest {
    @Test
    void keepsExactlyTheLevelsBelowTheTruncationInOrderAndTheFinalZero() {
        for (long seed = 0; seed < 300; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            Discretization base = seed % 2 == 0
                    ? new KarrasSigmas(logUniform(r, 1e-3, 0.1), logUniform(r, 1, 100), 1 + 99 * r.nextDouble())
                    : new LogUniformSigmas(logUniform(r, 1e-3, 0.1), logUniform(r, 1, 100));
            int steps = 1 + r.nextInt(300);
            double[] full = base.sigmas(steps);
            // the truncation at a random level of the grid itself (that level must go) or between levels
            double t = seed % 3 == 0 ? full[r.nextInt(steps)] : logUniform(r, full[steps - 1] * 1.0001, full[0] * 2);
            List<Double> expected = new ArrayList<>();
            for (int i = 0; i < steps; i++) {
                if (full[i] < t) {
                    expected.add(full[i]);
                }
            }
            expected.add(0.0);
            String where = String.format("seed %d: %s, N=%d, σ_trunc=%s", seed, base, steps, t);
            if (expected.size() == 1) {
                assertThatThrownBy(() -> base.truncatedAt(t).sigmas(steps)).as(where)
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("below the truncation");
                continue;
            }
            double[] got = base.truncatedAt(t).sigmas(steps);
            assertThat(got).as(where).containsExactly(expected.stream().mapToDouble(Double::doubleValue).toArray());
            assertThat(got[0]).as("first kept level is below σ_trunc, %s", where).isLessThan(t);
        }
    }

    /** Relay ImageNet stage 2 (methods.md §3.4): 200-step grid, σ ∈ [0.008, 80], ρ = 100, truncated at 0.9 → 100 steps. */
    @Test
    void relayImageNetGridKeepsOneHundredSteps() {
        double[] s = new KarrasSigmas(0.008, 80, 100).truncatedAt(0.9).sigmas(200);
        assertThat(s).hasSize(101);
        assertThat(s[0]).isLessThan(0.9);
        assertThat(s[s.length - 1]).isEqualTo(0.0);
    }

    @Test
    void aTruncationAboveTheGridKeepsItWhole() {
        KarrasSigmas k = KarrasSigmas.edm();
        assertThat(k.truncatedAt(1e9).sigmas(18)).containsExactly(k.sigmas(18));
        assertThatThrownBy(() -> k.truncatedAt(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
