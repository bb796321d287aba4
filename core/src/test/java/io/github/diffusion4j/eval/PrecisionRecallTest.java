package io.github.diffusion4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PrecisionRecallTest {

    private static double[][] column(double... values) {
        double[][] out = new double[values.length][];
        for (int i = 0; i < values.length; i++) {
            out[i] = new double[] {values[i]};
        }
        return out;
    }

    @Test
    void identicalSetsHavePerfectPrecisionAndRecall() {
        double[][] x = Draws.gaussian(1, 200, 5, 0, 1);
        PrecisionRecall pr = PrecisionRecall.of(x, x);
        assertThat(pr.precision()).isEqualTo(1.0);
        assertThat(pr.recall()).isEqualTo(1.0);
        assertThat(pr.k()).isEqualTo(3);
    }

    @Test
    void farApartSetsHaveNone() {
        PrecisionRecall pr = PrecisionRecall.of(Draws.gaussian(2, 100, 5, 0, 1), Draws.gaussian(3, 120, 5, 1000, 1));
        assertThat(pr.precision()).isEqualTo(0.0);
        assertThat(pr.recall()).isEqualTo(0.0);
    }

    @Test
    void handComputedOneDimensionalCase() {
        // k = 2. Real {0, 2, 3, 7}: 2nd-nearest other point at 3, 2, 3, 5 → balls [−3, 3], [0, 4], [0, 6], [2, 12].
        // Generated {−4, 1, 5, 12, 13}: −4 no, 1 yes, 5 yes, 12 yes (boundary counts), 13 no → precision 3/5.
        // Generated radii: −4 → 9, 1 → 5, 5 → 7, 12 → 7, 13 → 8: balls cover [−13, 21] ⊇ all real → recall 1.
        double[][] real = column(0, 2, 3, 7);
        double[][] generated = column(-4, 1, 5, 12, 13);
        PrecisionRecall pr = PrecisionRecall.of(real, generated, 2);
        assertThat(pr.precision()).isEqualTo(0.6);
        assertThat(pr.recall()).isEqualTo(1.0);

        // Adding real 40 (radius 37, ball [3, 77]) also covers 13: precision 4/5; no generated ball
        // (largest reach 13 + 8 = 21) holds 40: recall 4/5.
        PrecisionRecall withOutlier = PrecisionRecall.of(column(0, 2, 3, 7, 40), generated, 2);
        assertThat(withOutlier.precision()).isEqualTo(0.8);
        assertThat(withOutlier.recall()).isEqualTo(0.8);

        // Roles swap: precision and recall swap.
        PrecisionRecall swapped = PrecisionRecall.of(generated, real, 2);
        assertThat(swapped.precision()).isEqualTo(1.0);
        assertThat(swapped.recall()).isEqualTo(0.6);
    }

    @Test
    void blockSizeDoesNotChangeTheResult() {
        double[][] real = Draws.gaussian(4, 150, 3, 0, 1);
        double[][] generated = Draws.gaussian(5, 130, 3, 0.7, 1.3);
        PrecisionRecall whole = PrecisionRecall.of(real, generated, 3);
        PrecisionRecall blocked = PrecisionRecall.of(real, generated, 3, 7);
        assertThat(blocked).isEqualTo(whole);
        assertThat(whole.precision()).isStrictlyBetween(0.0, 1.0);
        assertThat(whole.recall()).isStrictlyBetween(0.0, 1.0);
    }

    @Test
    void needsMoreThanKRowsPerSet() {
        assertThatThrownBy(() -> PrecisionRecall.of(column(0, 1, 2), column(0, 1, 2, 3), 3))
                .hasMessageContaining("more than k rows");
    }
}
