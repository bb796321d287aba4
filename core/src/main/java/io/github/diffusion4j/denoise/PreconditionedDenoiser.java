package io.github.diffusion4j.denoise;

import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.param.Parametrisation;
import io.github.diffusion4j.param.Preconditioning;
import io.github.diffusion4j.param.Scalings;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A backbone turned into the denoiser contract: D(x; σ) = c_skip x + c_out F(c_in x; c_noise)
 * (Karras et al. 2022, Eq. 7), with c_in, c_noise from the preconditioning and the meaning of the
 * heads from the parametrisation.
 */
public final class PreconditionedDenoiser implements Denoiser {
    private final Backbone backbone;
    private final Preconditioning preconditioning;
    private final Parametrisation parametrisation;
    private final ScalarType modelType;

    /** A denoiser whose backbone runs in {@code modelType} (float32 by default). */
    public PreconditionedDenoiser(Backbone backbone, Preconditioning pre, Parametrisation param, ScalarType modelType) {
        this.backbone = backbone;
        this.preconditioning = pre;
        this.parametrisation = param;
        this.modelType = modelType;
    }

    public PreconditionedDenoiser(Backbone backbone, Preconditioning pre, Parametrisation param) {
        this(backbone, pre, param, ScalarType.Float);
    }

    /**
     * A denoiser over a backbone that declares its heads: refuses the pairing when the backbone's
     * heads are not the ones the parametrisation reads for {@code channels}-channel images.
     */
    public static PreconditionedDenoiser checked(Backbone backbone, BackboneSpec spec, int channels, Preconditioning pre,
            Parametrisation param) {
        param.check(spec, channels);
        return new PreconditionedDenoiser(backbone, pre, param);
    }

    /** Per-sample effective scalings of D (the parametrisation's c_skip, c_out; the preconditioning's c_in, c_noise). */
    public Scalings[] scalings(double[] sigma) {
        Scalings[] out = new Scalings[sigma.length];
        for (int i = 0; i < sigma.length; i++) {
            out[i] = parametrisation.scalings(sigma[i], preconditioning);
        }
        return out;
    }

    /**
     * The backbone's heads for noisy {@code x} at per-sample levels {@code sigma} with scalings
     * {@code s} (from {@link #scalings}), evaluating what {@code exit} allows; used by training too.
     */
    public List<Tensor> heads(Tensor x, double[] sigma, Scalings[] s, Conditioning cond, Exit exit) {
        double[] cIn = new double[s.length];
        double[] cNoise = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            cIn[i] = s[i].cIn();
            cNoise[i] = s[i].cNoise();
        }
        Tensor xIn = x.mul(Tensors.broadcastable(Tensors.fromDoubles(cIn, s.length), x)).to(modelType);
        NoiseLevel level = new NoiseLevel(Tensors.fromDoubles(cNoise, s.length).to(modelType), sigma);
        return backbone.forward(xIn, level, cond, exit);
    }

    @Override
    public Tensor denoise(Tensor x, Tensor sigma, Conditioning cond) {
        return denoise(x, sigma, cond, Exit.ALL);
    }

    /** x̂₀ from the stages {@code exit} allows (a backbone built from skippable stages). */
    public Tensor denoise(Tensor x, Tensor sigma, Conditioning cond, Exit exit) {
        return denoise(x, sigma, cond, exit, (heads, sig) -> {});
    }

    /** Sees a denoiser evaluation's raw heads and per-sample σ (e.g. to record dual-output's mixing weight) without changing it. */
    @FunctionalInterface
    public interface HeadObserver {
        void observe(List<Tensor> heads, double[] sigma);
    }

    /** As {@link #denoise(Tensor, Tensor, Conditioning, Exit)}, showing the heads to {@code observer} before they are combined. */
    public Tensor denoise(Tensor x, Tensor sigma, Conditioning cond, Exit exit, HeadObserver observer) {
        double[] sig = Tensors.toDoubles(sigma);
        Scalings[] s = scalings(sig);
        Tensor x64 = x.to(ScalarType.Double);
        List<Tensor> heads = heads(x64, sig, s, cond, exit);
        observer.observe(heads, sig);
        return parametrisation.denoised(heads, x64, s);
    }

    public Preconditioning preconditioning() {
        return preconditioning;
    }

    public Parametrisation parametrisation() {
        return parametrisation;
    }

    public Backbone backbone() {
        return backbone;
    }
}
