package io.github.diffusion4j.param;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.diffusion4j.denoise.BackboneSpec;
import io.github.diffusion4j.denoise.HeadSpec;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What every parametrisation must satisfy: heads built from the true x₀ (and the true noise) give
 * back x₀, the loss is 0 there and positive elsewhere, the named terms sum to the total, and a
 * backbone with other heads is refused. Implementations say how the true heads look.
 */
public abstract class ParametrisationContract {
    static final int B = 5, C = 3;
    static final long[] SHAPE = {B, C, 4, 4};
    static final double[] SIGMA = {0.003, 0.1, 0.5, 2.0, 60.0};

    @BeforeAll
    static void init() {
        Engine.init();
    }

    protected abstract Parametrisation parametrisation();

    protected abstract Preconditioning preconditioning();

    /** The heads an ideal backbone would return for this example (float64). */
    protected abstract List<Tensor> trueHeads(Parametrisation.TrainingExample ex, Scalings[] s);

    private static Tensor random(long seed, boolean gaussian) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[(int) (B * C * 16)];
        for (int i = 0; i < v.length; i++) {
            v[i] = gaussian ? r.nextGaussian() : r.nextDouble(-1, 1);
        }
        return Tensors.fromDoubles(v, SHAPE);
    }

    private Parametrisation.TrainingExample example() {
        Tensor x0 = random(1, false), n = random(2, true);
        Tensor x = x0.add(n.mul(Tensors.broadcastable(Tensors.fromDoubles(SIGMA, B), n)));
        return new Parametrisation.TrainingExample(x0, n, SIGMA, x, preconditioning().sigmaData());
    }

    private Scalings[] scalings() {
        Scalings[] s = new Scalings[B];
        for (int i = 0; i < B; i++) {
            s[i] = parametrisation().scalings(SIGMA[i], preconditioning());
        }
        return s;
    }

    @Test
    void trueHeadsGiveBackX0() {
        try (PointerScope scope = new PointerScope()) {
            var ex = example();
            Scalings[] s = scalings();
            Tensor d = parametrisation().denoised(trueHeads(ex, s), ex.x(), s);
            assertThat(d.sub(ex.x0()).abs().max().item_double()).isLessThan(1e-9);
        }
    }

    @Test
    void lossIsZeroAtTheTrueHeadsAndPositiveElsewhere() {
        try (PointerScope scope = new PointerScope()) {
            var ex = example();
            Scalings[] s = scalings();
            Loss atTruth = parametrisation().loss(trueHeads(ex, s), ex, s, LossWeighting.NATURAL);
            assertThat(atTruth.perSample().shape()).containsExactly(B);
            assertThat(atTruth.perSample().abs().max().item_double()).isLessThan(1e-16);
            List<Tensor> off = trueHeads(ex, s).stream().map(h -> h.add(new Scalar(0.1))).toList();
            double[] loss = Tensors.toDoubles(parametrisation().loss(off, ex, s, LossWeighting.NATURAL).perSample());
            for (double l : loss) {
                assertThat(l).isPositive();
            }
        }
    }

    @Test
    void namedTermsSumToTheTotal() {
        try (PointerScope scope = new PointerScope()) {
            var ex = example();
            Scalings[] s = scalings();
            List<Tensor> off = trueHeads(ex, s).stream().map(h -> h.mul(new Scalar(0.9)).add(new Scalar(0.05))).toList();
            Loss l = parametrisation().loss(off, ex, s, LossWeighting.NATURAL);
            assertThat(l.terms()).isNotEmpty();
            Tensor sum = null;
            for (Tensor t : l.terms().values()) {
                sum = sum == null ? t : sum.add(t);
            }
            assertThat(sum.sub(l.perSample()).abs().max().item_double()).isLessThan(1e-12 * (1 + l.perSample().abs().max().item_double()));
        }
    }

    @Test
    void backboneWithOtherHeadsIsRefused() {
        List<HeadSpec> want = parametrisation().heads(C);
        parametrisation().check(new BackboneSpec(want), C);
        HeadSpec first = want.get(0);
        BackboneSpec wrongChannels = new BackboneSpec(List.of(new HeadSpec(first.role(), first.channels() + 1, first.downsample())));
        assertThatThrownBy(() -> parametrisation().check(wrongChannels, C)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("heads");
    }
}
