package io.github.diffusion4j.param;

import io.github.diffusion4j.denoise.HeadSpec;
import io.github.diffusion4j.engine.Tensors;
import java.util.List;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A single-head parametrisation x̂₀ = c_skip(σ) x + c_out(σ) F (Karras et al. 2022, Eq. 7),
 * trained against F* = (x₀ − c_skip x)/c_out with per-sample weight λ(σ) c_out²
 * (Eq. 8: λ‖D − x₀‖² = λ c_out² ‖F − F*‖²).
 */
public abstract class ScaledOutput implements Parametrisation {
    /** c_skip at σ, given the preconditioning's own scalings. */
    protected abstract double cSkip(double sigma, Scalings pre, double sigmaData);

    /** c_out at σ, given the preconditioning's own scalings. */
    protected abstract double cOut(double sigma, Scalings pre, double sigmaData);

    /** The preconditioning's c_in and c_noise, with this parametrisation's c_skip and c_out. */
    @Override
    public final Scalings scalings(double sigma, Preconditioning preconditioning) {
        return resolve(sigma, preconditioning.at(sigma), preconditioning.sigmaData());
    }

    /** The scalings {@code pre} of a preconditioning at σ, with c_skip and c_out replaced by this parametrisation's. */
    public final Scalings resolve(double sigma, Scalings pre, double sigmaData) {
        return new Scalings(cSkip(sigma, pre, sigmaData), cOut(sigma, pre, sigmaData), pre.cIn(), pre.cNoise());
    }

    /** One full-resolution head with the image's channels. */
    @Override
    public final List<HeadSpec> heads(int channels) {
        return List.of(HeadSpec.output(channels));
    }

    @Override
    public Tensor denoised(List<Tensor> heads, Tensor x, Scalings[] s) {
        Tensor f = heads.get(0).to(ScalarType.Double);
        Tensor cSkip = column(s, true, x);
        Tensor cOut = column(s, false, x);
        return x.mul(cSkip).add(f.mul(cOut));
    }

    /** The training target F* = (x₀ − c_skip x)/c_out in the network's output space. */
    public Tensor target(Tensor x0, Tensor x, Scalings[] s) {
        Tensor cSkip = column(s, true, x);
        Tensor cOut = column(s, false, x);
        return x0.sub(x.mul(cSkip)).div(cOut);
    }

    @Override
    public Loss loss(List<Tensor> heads, TrainingExample ex, Scalings[] s, LossWeighting weighting) {
        Tensor f = heads.get(0);
        Tensor target = target(ex.x0().to(ScalarType.Double), ex.x().to(ScalarType.Double), s).to(f.scalar_type());
        double[] w = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            w[i] = weighting.lambda(ex.sigma()[i], s[i].cOut(), ex.sigmaData()) * s[i].cOut() * s[i].cOut();
        }
        long batch = f.size(0);
        Tensor perSample = f.sub(target).square().reshape(batch, -1).mean(new long[] {1}, false, new ScalarTypeOptional());
        return Loss.single("mse", perSample.mul(Tensors.fromDoubles(w, batch).to(f.scalar_type())));
    }

    private static Tensor column(Scalings[] s, boolean skip, Tensor like) {
        double[] v = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            v[i] = skip ? s[i].cSkip() : s[i].cOut();
        }
        return Tensors.broadcastable(Tensors.fromDoubles(v, s.length), like);
    }
}
