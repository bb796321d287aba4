package io.github.diffusion4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.param.EdmPreconditioning;
import io.github.diffusion4j.param.Scalings;
import io.github.diffusion4j.schedule.TruncatedLogNormalSigma;
import io.github.diffusion4j.testing.Golden;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Relay's blur schedule and σ(u) (Teng et al. 2024, Sec. 3.3) against the official code
 * (RelayDiffusion a97877fc, {@code training/loss.py DCTBlur, BlurLoss}, {@code blurring.py get_alpha_t};
 * shared/golden/relay.npz items (a) and (c)), and its limits: α(0) = 1, and at u = 1 a patch
 * collapses to its mean. Tolerances: 1e-6 where the official code computes α in float32 (as the
 * golden README suggests), 1e-10 for its float64 σ ↔ u maps.
 */
class BlurScheduleTest {
    static Golden g;
    static final TruncatedLogNormalSigma LEVELS = TruncatedLogNormalSigma.withFloor(-1.2, 1.2, 0.93, 0.0075);

    @BeforeAll
    static void load() {
        Engine.init();
        g = Golden.load("relay.npz");
    }

    static BlurSchedule schedule(int p) {
        return new BlurSchedule(LEVELS, 3.0, 0.001, p);
    }

    @Test
    void blurSigmaAlphaTablesAndBlurredImagesMatchDctBlur() {
        double[] u = g.array("blur_u").data();
        double[] sigmaB = g.array("blur_sigma_b").data();
        for (int p : new int[] {2, 4}) {
            BlurSchedule s = schedule(p);
            double[] want = g.array("blur_p" + p + "_alpha").data();
            double[] wantOut = g.array("blur_p" + p + "_out").data();
            int per = wantOut.length / u.length;
            for (int k = 0; k < u.length; k++) {
                assertThat(s.blurSigma(u[k])).isCloseTo(sigmaB[k], org.assertj.core.data.Offset.offset(1e-12));
                double[] a = s.alpha(u[k]);
                for (int i = 0; i < a.length; i++) {
                    assertThat(a[i]).as("p=%d u=%s α[%d]", p, u[k], i).isCloseTo(want[k * p * p + i], org.assertj.core.data.Offset.offset(1e-6));
                }
                try (PointerScope scope = new PointerScope()) {
                    double[] got = Tensors.toDoubles(s.blur(g.tensor("x"), u[k]));
                    for (int i = 0; i < per; i++) {
                        assertThat(got[i]).as("p=%d u=%s pixel %d", p, u[k], i).isCloseTo(wantOut[k * per + i],
                                org.assertj.core.data.Offset.offset(1e-6));
                    }
                }
            }
        }
    }

    /**
     * BlurLoss's σ(u), weight and network input without noise. Its u = 0 and 5e-4 lie below the
     * clamp, so they take the official clamp value (loss.py:131, × prob_length), not our floor.
     */
    @Test
    void sigmaOfUWeightAndNoiselessInputMatchBlurLoss() {
        double official = TruncatedLogNormalSigma.officialUMin(-1.2, 1.2, 0.93, 0.0075);
        assertThat(official).isCloseTo(g.array("su_truncate_p").data()[0], org.assertj.core.data.Offset.offset(1e-15));
        TruncatedLogNormalSigma levels = new TruncatedLogNormalSigma(-1.2, 1.2, 0.93, official);
        double[] u = g.array("su_u").data();
        double[] want = g.array("su_sigma").data();
        double[] weight = g.array("su_weight").data();
        double[] sigma = new double[u.length];
        for (int i = 0; i < u.length; i++) {
            // u is float32 in the official code, and so is u·L (rounded before Φ⁻¹): relative 1e-6
            sigma[i] = levels.sample(0.0, u[i]);
            assertThat(sigma[i]).as("σ(u=%s)", u[i]).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-6 * want[i]));
            Scalings sc = EdmPreconditioning.edm().at(want[i]);
            double lambda = 1 / (sc.cOut() * sc.cOut()); // EDM's λ(σ); the official clamp at 1e5 never binds for σ ≥ 0.0071
            assertThat(lambda).isLessThan(1e5);
            // the official weight is read from a float32 loss: relative 1e-6
            assertThat(lambda).as("λ(σ=%s)", want[i]).isCloseTo(weight[i], org.assertj.core.data.Offset.offset(1e-6 * weight[i]));
        }
        for (int p : new int[] {2, 4}) {
            BlockDctBlurProcess process = new BlockDctBlurProcess(new BlurSchedule(levels, 3.0, 0.001, p), 0.0);
            try (PointerScope scope = new PointerScope()) {
                Tensor images = g.tensor("x").to(ScalarType.Float).expand(u.length, 3, 16, 16).contiguous();
                g.assertClose(process.signal(images, want), "su_blurred_p" + p, 1e-6);
            }
        }
    }

    @Test
    void ourFloorIsTheIntendedSigmaAndSigmaMaxIs177() {
        assertThat(LEVELS.sample(0.0, 0.0)).isCloseTo(0.0075, org.assertj.core.data.Offset.offset(1e-15));
        assertThat(LEVELS.uMin()).isCloseTo(0.001123, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(LEVELS.sigmaMax()).isCloseTo(1.77, org.assertj.core.data.Offset.offset(0.005));
        for (double u = 0.01; u < 1; u += 0.07) {
            assertThat(LEVELS.u(LEVELS.sigma(u))).isCloseTo(u, org.assertj.core.data.Offset.offset(1e-13));
        }
    }

    @Test
    void inverseMapAndSamplerTablesMatchGetAlphaT() {
        double[] sigma = g.array("inv_sigma").data();
        double[] u = g.array("inv_u").data();
        for (int i = 0; i < sigma.length; i++) {
            assertThat(LEVELS.u(sigma[i])).as("u(σ=%s)", sigma[i]).isCloseTo(u[i], org.assertj.core.data.Offset.offset(1e-10 * (1 + u[i])));
        }
        for (int p : new int[] {2, 4}) {
            double[] want = g.array("inv_alpha_p" + p).data();
            for (int i = 0; i < sigma.length; i++) {
                double[] a = schedule(p).alphaAtSigma(sigma[i]);
                for (int k = 0; k < a.length; k++) {
                    assertThat(a[k]).as("p=%d σ=%s α[%d]", p, sigma[i], k).isCloseTo(want[i * p * p + k], org.assertj.core.data.Offset.offset(1e-6));
                }
            }
        }
    }

    @Test
    void alphaIsOneEverywhereAtUZero() {
        for (int p : new int[] {2, 4, 8}) {
            for (double a : schedule(p).alpha(0.0)) {
                assertThat(a).isEqualTo(1.0);
            }
            assertThat(schedule(p).alpha(0.7)[0]).isEqualTo(1.0); // DC is always kept
        }
    }

    /**
     * At u = 1 (σ_B = 3) every AC coefficient keeps at most α_AC = max_{k≠0} α_k(1) (≈ 6.2% for p = 4,
     * 0.1% for p = 2), so by orthonormality each patch differs from its mean by at most
     * α_AC·‖patch − mean‖₂ per pixel, and its mean is kept exactly.
     */
    @Test
    void atUOneEachPatchCollapsesToItsMean() {
        for (int p : new int[] {2, 4, 8}) {
            BlurSchedule s = schedule(p);
            double[] a = s.alpha(1.0);
            double acMax = 0;
            for (int i = 1; i < a.length; i++) {
                acMax = Math.max(acMax, a[i]);
            }
            if (p == 4) {
                assertThat(acMax).isBetween(0.06, 0.065);
            }
            try (PointerScope scope = new PointerScope()) {
                Tensor x = BlockDctTest.random(p, 2, 3, 16, 24);
                double[] y = Tensors.toDoubles(s.blur(x, 1.0));
                double[] xs = Tensors.toDoubles(x);
                for (int img = 0; img < 6; img++) {
                    for (int pi = 0; pi < 16 / p; pi++) {
                        for (int pj = 0; pj < 24 / p; pj++) {
                            double mean = 0, norm = 0, meanY = 0;
                            for (int r = 0; r < p; r++) {
                                for (int c = 0; c < p; c++) {
                                    int idx = img * 16 * 24 + (pi * p + r) * 24 + pj * p + c;
                                    mean += xs[idx] / (p * p);
                                    meanY += y[idx] / (p * p);
                                }
                            }
                            for (int r = 0; r < p; r++) {
                                for (int c = 0; c < p; c++) {
                                    double d = xs[img * 16 * 24 + (pi * p + r) * 24 + pj * p + c] - mean;
                                    norm += d * d;
                                }
                            }
                            double bound = acMax * Math.sqrt(norm) + 1e-12;
                            assertThat(meanY).isCloseTo(mean, org.assertj.core.data.Offset.offset(1e-12));
                            for (int r = 0; r < p; r++) {
                                for (int c = 0; c < p; c++) {
                                    double dev = Math.abs(y[img * 16 * 24 + (pi * p + r) * 24 + pj * p + c] - mean);
                                    assertThat(dev).as("p=%d patch (%d,%d)", p, pi, pj).isLessThanOrEqualTo(bound);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
