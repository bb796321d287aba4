package io.github.diffusion4j.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.testing.Golden;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Re-spaced timesteps against the official dual_diffusion {@code respace.py} (bd785e1f; arrays from
 * shared/golden/dual.npz, copied to test resources golden/dual.npz), T = 1000.
 */
class OfficialRespacingGoldenTest {
    static int[] golden(String name) {
        return Golden.load("dual.npz").ints(name);
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 10, 20})
    void leadingAndTrailingAreTheOfficialDdimAndDdodmSpacings(int n) throws Exception {
        DiscreteVpSchedule ddpm = DiscreteVpSchedule.ddpm();
        assertThat(new DiscreteSigmas(ddpm, DiscreteSigmas.Spacing.LEADING).timesteps(n)).containsExactly(golden("respace_ddim_N" + n));
        assertThat(new DiscreteSigmas(ddpm, DiscreteSigmas.Spacing.TRAILING).timesteps(n)).containsExactly(golden("respace_ddodm_N" + n));
    }
}
