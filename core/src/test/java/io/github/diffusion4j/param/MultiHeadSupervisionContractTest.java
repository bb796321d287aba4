package io.github.diffusion4j.param;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.diffusion4j.denoise.BackboneSpec;
import io.github.diffusion4j.denoise.HeadSpec;
import io.github.diffusion4j.engine.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link MultiHeadSupervision} against the parametrisation contract, as DiMR-2R uses it (ε-prediction
 * under VP, heads at 1/2 and full resolution, coefficients [1/4, 1], Liu et al. 2024, Sec. 3.2) and as
 * LEGO uses it (EDM's F, three full-resolution heads averaged, Zheng et al. 2024): the true heads are the
 * inner target of the pooled example at each resolution.
 */
class MultiHeadSupervisionContractTest extends ParametrisationContract {
    private final EpsilonPrediction eps = new EpsilonPrediction();
    private final MultiHeadSupervision param = new MultiHeadSupervision(eps, List.of(2, 1), List.of(0.25, 1.0),
            MultiHeadSupervision.Pooling.SUM);

    @Override
    protected Parametrisation parametrisation() {
        return param;
    }

    @Override
    protected Preconditioning preconditioning() {
        return new VpPreconditioning(io.github.diffusion4j.schedule.LinearVpSchedule.edm(), 999);
    }

    static List<Tensor> pooledTargets(ScaledOutput inner, MultiHeadSupervision p, Parametrisation.TrainingExample ex, Scalings[] s) {
        List<Tensor> heads = new ArrayList<>();
        for (int d : p.downsample()) {
            heads.add(inner.target(MultiHeadSupervision.down(ex.x0(), d, MultiHeadSupervision.Pooling.SUM),
                    MultiHeadSupervision.down(ex.x(), d, MultiHeadSupervision.Pooling.SUM), s));
        }
        return heads;
    }

    @Override
    protected List<Tensor> trueHeads(Parametrisation.TrainingExample ex, Scalings[] s) {
        return pooledTargets(eps, param, ex, s);
    }

    /** Under ε-prediction the low-resolution target is DiMR's pooled noise Pε (sde.py, even_multi_scale_targets). */
    @Test
    void theLowResolutionEpsTargetIsTheSumPooledNoiseOverK() {
        try (PointerScope scope = new PointerScope()) {
            double[] sigma = {0.5, 3.0};
            double[] x0v = new double[2 * 3 * 16], nv = new double[2 * 3 * 16];
            for (int i = 0; i < x0v.length; i++) {
                x0v[i] = Math.sin(0.3 * i);
                nv[i] = Math.cos(1.7 * i + 0.2);
            }
            Tensor x0 = Tensors.fromDoubles(x0v, 2, 3, 4, 4), n = Tensors.fromDoubles(nv, 2, 3, 4, 4);
            Tensor x = x0.add(n.mul(Tensors.broadcastable(Tensors.fromDoubles(sigma, 2), n)));
            Scalings[] s = {param.scalings(sigma[0], preconditioning()), param.scalings(sigma[1], preconditioning())};
            Tensor zeroLow = Tensors.fromDoubles(new double[2 * 3 * 4], 2, 3, 2, 2);
            Tensor zeroFull = Tensors.fromDoubles(new double[2 * 3 * 16], 2, 3, 4, 4);
            Loss l = param.loss(List.of(zeroLow, zeroFull), new Parametrisation.TrainingExample(x0, n, sigma, x, 0.5), s,
                    LossWeighting.NATURAL);
            // Pε by hand: 2×2 block sums divided by 2
            double[] want = new double[2];
            for (int b = 0; b < 2; b++) {
                double sum = 0;
                for (int c = 0; c < 3; c++) {
                    for (int i = 0; i < 2; i++) {
                        for (int j = 0; j < 2; j++) {
                            double p = 0;
                            for (int di = 0; di < 2; di++) {
                                for (int dj = 0; dj < 2; dj++) {
                                    p += nv[((b * 3 + c) * 4 + 2 * i + di) * 4 + 2 * j + dj];
                                }
                            }
                            sum += (p / 2) * (p / 2);
                        }
                    }
                }
                want[b] = 0.25 * sum / 12;
            }
            assertThat(Tensors.toDoubles(l.terms().get("head0"))).containsExactly(want, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(l.terms()).containsOnlyKeys("head0", "head1");
        }
    }

    @Test
    void denoisingReadsTheFullResolutionHeadOnly() {
        try (PointerScope scope = new PointerScope()) {
            double[] sigma = {0.5, 3.0};
            Tensor x = Tensors.fromDoubles(new double[2 * 3 * 16], 2, 3, 4, 4).add(new Scalar(0.3));
            Tensor full = Tensors.fromDoubles(new double[2 * 3 * 16], 2, 3, 4, 4).add(new Scalar(-0.2));
            Tensor low = Tensors.fromDoubles(new double[2 * 3 * 4], 2, 3, 2, 2).add(new Scalar(7.0));
            Scalings[] s = {param.scalings(sigma[0], preconditioning()), param.scalings(sigma[1], preconditioning())};
            Tensor d = param.denoised(List.of(low, full), x, s);
            assertThat(d.sub(eps.denoised(List.of(full), x, s)).abs().max().item_double()).isZero();
            assertThatThrownBy(() -> param.denoised(List.of(full, low), x, s)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("resolution");
        }
    }

    @Test
    void theHeadsCarryTheirDownsamplingAndOtherResolutionsAreRefused() {
        assertThat(param.heads(3)).containsExactly(new HeadSpec("output", 3, 2), new HeadSpec("output", 3, 1));
        BackboneSpec oneHead = BackboneSpec.single(3);
        assertThatThrownBy(() -> param.check(oneHead, 3)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heads");
        BackboneSpec quarter = new BackboneSpec(List.of(new HeadSpec("output", 3, 4), new HeadSpec("output", 3, 1)));
        assertThatThrownBy(() -> param.check(quarter, 3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badConstructionsAreRefused() {
        var sum = MultiHeadSupervision.Pooling.SUM;
        assertThatThrownBy(() -> new MultiHeadSupervision(eps, List.of(1, 2), List.of(), sum)).hasMessageContaining("last head");
        assertThatThrownBy(() -> new MultiHeadSupervision(eps, List.of(2, 1), List.of(1.0), sum)).hasMessageContaining("weights");
        assertThatThrownBy(() -> new MultiHeadSupervision(eps, List.of(2, 1), List.of(-1.0, 1.0), sum)).hasMessageContaining("≥ 0");
        assertThatThrownBy(() -> new MultiHeadSupervision(param, List.of(1), List.of(), sum)).hasMessageContaining("single");
        assertThat(new MultiHeadSupervision(eps, List.of(1, 1, 1, 1), List.of(), sum).weights()).containsExactly(0.25, 0.25, 0.25, 0.25);
    }
}
