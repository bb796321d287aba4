package io.github.diffusion4j.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.io.Npy;
import io.github.diffusion4j.io.Npz;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Re-spaced timesteps against the official dual_diffusion {@code respace.py} (bd785e1f; arrays from
 * shared/golden/dual.npz, copied to test resources golden/dual.npz), T = 1000.
 */
class OfficialRespacingGoldenTest {
    static int[] golden(String name) throws Exception {
        Map<String, Npy.Array> g = Npz.read(Path.of(OfficialRespacingGoldenTest.class.getResource("/golden/dual.npz").toURI()));
        return Arrays.stream(g.get(name).data()).mapToInt(v -> (int) v).toArray();
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 10, 20})
    void leadingAndTrailingAreTheOfficialDdimAndDdodmSpacings(int n) throws Exception {
        DiscreteVpSchedule ddpm = DiscreteVpSchedule.ddpm();
        assertThat(new DiscreteSigmas(ddpm, DiscreteSigmas.Spacing.LEADING).timesteps(n)).containsExactly(golden("respace_ddim_N" + n));
        assertThat(new DiscreteSigmas(ddpm, DiscreteSigmas.Spacing.TRAILING).timesteps(n)).containsExactly(golden("respace_ddodm_N" + n));
    }
}
