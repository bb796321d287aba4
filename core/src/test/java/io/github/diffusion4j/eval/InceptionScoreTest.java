package io.github.diffusion4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class InceptionScoreTest {

    private static double[][] oneHot(int n, int classes) {
        double[][] p = new double[n][classes];
        for (int i = 0; i < n; i++) {
            p[i][i % classes] = 1;
        }
        return p;
    }

    @Test
    void uniformPredictionsScoreOne() {
        double[][] p = new double[50][10];
        for (double[] row : p) {
            Arrays.fill(row, 0.1);
        }
        InceptionScore is = InceptionScore.ofProbabilities(p, 5);
        assertThat(is.mean()).isCloseTo(1.0, within(1e-12));
        assertThat(is.std()).isCloseTo(0.0, within(1e-12));
        assertThat(is.splits()).isEqualTo(5);
    }

    @Test
    void confidentEvenlySpreadPredictionsScoreTheClassCount() {
        InceptionScore is = InceptionScore.ofProbabilities(oneHot(100, 10)); // each split of 10 holds every class once
        assertThat(is.mean()).isCloseTo(10.0, within(1e-9));
        assertThat(is.std()).isCloseTo(0.0, within(1e-9));
        assertThat(InceptionScore.ofProbabilities(oneHot(70, 7), 1).mean()).isCloseTo(7.0, within(1e-9));
    }

    @Test
    void logitsGoThroughAStableSoftmax() {
        double[][] logits = new double[40][4];
        for (int i = 0; i < 40; i++) {
            Arrays.fill(logits[i], -500);
            logits[i][i % 4] = 1000; // exp(1000) overflows without the max shift
        }
        assertThat(InceptionScore.ofLogits(logits, 10).mean()).isCloseTo(4.0, within(1e-9));
        double[][] flat = new double[20][5];
        for (double[] row : flat) {
            Arrays.fill(row, 1e4);
        }
        assertThat(InceptionScore.ofLogits(flat, 2).mean()).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void handComputedTwoRowCase() {
        // p(y|x₁) = (0.9, 0.1), p(y|x₂) = (0.1, 0.9), p(y) = (0.5, 0.5);
        // KL = 0.9 ln(0.9/0.5) + 0.1 ln(0.1/0.5) for both rows.
        double[][] p = {{0.9, 0.1}, {0.1, 0.9}};
        double kl = 0.9 * Math.log(1.8) + 0.1 * Math.log(0.2);
        assertThat(InceptionScore.ofProbabilities(p, 1).mean()).isCloseTo(Math.exp(kl), within(1e-12));
        // logits ln p give the same rows
        double[][] logits = {{Math.log(0.9), Math.log(0.1)}, {Math.log(0.1), Math.log(0.9)}};
        assertThat(InceptionScore.ofLogits(logits, 1).mean()).isCloseTo(Math.exp(kl), within(1e-12));
    }

    @Test
    void meanAndPopulationStdOverSplitsAndTheRemainderIsDropped() {
        // split 1: uniform over 4 classes → 1; split 2: one-hot over 4 classes → 4; row 9 dropped.
        double[][] p = new double[9][4];
        for (int i = 0; i < 4; i++) {
            Arrays.fill(p[i], 0.25);
            p[4 + i][i] = 1;
        }
        p[8][0] = 1; // would change split 2 if it were kept
        InceptionScore is = InceptionScore.ofProbabilities(p, 2);
        assertThat(is.mean()).isCloseTo(2.5, within(1e-12));
        assertThat(is.std()).isCloseTo(1.5, within(1e-12));
    }

    @Test
    void rejectsRowsThatAreNotDistributionsAndBadSplits() {
        assertThatThrownBy(() -> InceptionScore.ofProbabilities(new double[][] {{0.5, 0.4}}, 1))
                .hasMessageContaining("row 0 sums to");
        assertThatThrownBy(() -> InceptionScore.ofProbabilities(new double[][] {{1.5, -0.5}}, 1))
                .hasMessageContaining("row 0 has an entry -0.5");
        assertThatThrownBy(() -> InceptionScore.ofProbabilities(oneHot(5, 5), 6))
                .hasMessageContaining("splits must be in [1, 5]");
    }
}
