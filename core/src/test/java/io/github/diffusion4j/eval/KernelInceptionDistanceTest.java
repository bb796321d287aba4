package io.github.diffusion4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.diffusion4j.engine.CounterRng;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KernelInceptionDistanceTest {

    @Test
    void handComputedTinyCase() {
        // k(x, y) = (xᵀy / 2 + 1)³ in d = 2.
        double[][] x = {{0, 0}, {1, 0}, {0, 1}};
        double[][] y = {{1, 1}, {2, 0}, {0, -1}};
        // Within X, every off-diagonal xᵢᵀxⱼ = 0, so k = 1: Σ_{i≠j} = 6, / (3·2) = 1.
        // Within Y: y₁ᵀy₂ = 2 → 2³ = 8, y₁ᵀy₃ = −1 → 0.5³ = 0.125, y₂ᵀy₃ = 0 → 1;
        //   Σ_{i≠j} = 2·9.125 = 18.25, / 6 = 73/24.
        // Across: x₁ = 0 gives 1, 1, 1; x₂ gives 1.5³ = 3.375, 2³ = 8, 1; x₃ gives 3.375, 1, 0.5³ = 0.125;
        //   Σ = 3 + 12.375 + 4.5 = 19.875, 2·Σ / 9 = 53/12.
        // MMD²_u = 1 + 73/24 − 53/12 = −9/24 = −0.375 (the unbiased estimate can be negative).
        double expected = -0.375;
        assertThat(KernelInceptionDistance.unbiasedMmd2(x, y)).isCloseTo(expected, within(1e-12));
        Kid kid = KernelInceptionDistance.of(x, y, 5, 3, 42);
        assertThat(kid.mean()).isCloseTo(expected, within(1e-12));
        assertThat(kid.std()).isCloseTo(0.0, within(1e-12)); // every subset is the whole set
        assertThat(kid.subsets()).isEqualTo(5);
        assertThat(kid.subsetSize()).isEqualTo(3);
    }

    @Test
    void isUnbiasedForTwoSamplesOfTheSameDistribution() {
        int pairs = 200;
        double[] estimates = new double[pairs];
        for (int p = 0; p < pairs; p++) {
            double[][] a = Draws.gaussian(1000 + 2L * p, 25, 4, 0, 1);
            double[][] b = Draws.gaussian(1001 + 2L * p, 25, 4, 0, 1);
            estimates[p] = KernelInceptionDistance.of(a, b, 1, 25, p).mean();
        }
        double mean = Arrays.stream(estimates).average().orElseThrow();
        double var = Arrays.stream(estimates).map(e -> (e - mean) * (e - mean)).sum() / (pairs - 1);
        double standardError = Math.sqrt(var / pairs);
        assertThat(standardError).isPositive();
        assertThat(Math.abs(mean)).as("mean %s, standard error %s", mean, standardError)
                .isLessThan(4 * standardError);
    }

    @Test
    void isClearlyPositiveForDifferentDistributions() {
        double[][] a = Draws.gaussian(5, 300, 8, 0, 1);
        double[][] b = Draws.gaussian(6, 300, 8, 0.5, 1);
        Kid kid = KernelInceptionDistance.of(a, b, 20, 100, 3);
        Kid same = KernelInceptionDistance.of(a, Draws.gaussian(7, 300, 8, 0, 1), 20, 100, 3);
        assertThat(kid.mean()).isGreaterThan(2 * kid.std()).isGreaterThan(10 * kid.std() / Math.sqrt(kid.subsets()));
        assertThat(kid.mean()).isGreaterThan(10 * Math.abs(same.mean()));
    }

    @Test
    void subsetSizeIsCappedAndTheSeedFixesTheResult() {
        double[][] a = Draws.gaussian(8, 40, 3, 0, 1);
        double[][] b = Draws.gaussian(9, 60, 3, 0.2, 1);
        Kid kid = KernelInceptionDistance.of(a, b);
        assertThat(kid.subsetSize()).isEqualTo(40);
        assertThat(kid.subsets()).isEqualTo(KernelInceptionDistance.DEFAULT_SUBSETS);
        assertThat(KernelInceptionDistance.of(a, b)).isEqualTo(kid);
        assertThat(KernelInceptionDistance.of(a, b, 100, 1000, 1).mean()).isNotEqualTo(kid.mean());
    }

    @Test
    void subsetsAreDistinctIndicesInRange() {
        long[] s = KernelInceptionDistance.subset(50, 50, CounterRng.streamKey(1, 2));
        assertThat(s).hasSize(50);
        assertThat(Arrays.stream(s).distinct().count()).isEqualTo(50);
        assertThat(Arrays.stream(s).allMatch(i -> i >= 0 && i < 50)).isTrue();
        long[] t = KernelInceptionDistance.subset(1000, 10, CounterRng.streamKey(1, 3));
        assertThat(Arrays.stream(t).distinct().count()).isEqualTo(10);
    }

    @Test
    void rejectsMismatchedWidthsAndTinySubsets() {
        assertThatThrownBy(() -> KernelInceptionDistance.of(new double[3][2], new double[3][3], 1, 3, 0))
                .hasMessageContaining("2 and 3 columns");
        assertThatThrownBy(() -> KernelInceptionDistance.of(new double[1][2], new double[3][2], 1, 3, 0))
                .hasMessageContaining("at least 2 rows");
    }
}
