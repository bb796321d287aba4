package io.github.diffusion4j.denoise;

import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.param.OutputScaling;
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

    /** Per-sample scalings: the preconditioning's, with c_skip and c_out resolved by the parametrisation. */
    public Scalings[] scalings(double[] sigma) {
        Scalings[] out = new Scalings[sigma.length];
        for (int i = 0; i < sigma.length; i++) {
            Scalings pre = preconditioning.at(sigma[i]);
            out[i] = parametrisation instanceof OutputScaling o ? o.resolve(sigma[i], pre, preconditioning.sigmaData()) : pre;
        }
        return out;
    }

    /** The backbone's heads for noisy {@code x} at per-sample levels {@code sigma} (used by training too). */
    public List<Tensor> heads(Tensor x, Scalings[] s, Conditioning cond) {
        double[] cIn = new double[s.length];
        double[] cNoise = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            cIn[i] = s[i].cIn();
            cNoise[i] = s[i].cNoise();
        }
        Tensor xIn = x.mul(Tensors.broadcastable(Tensors.fromDoubles(cIn, s.length), x)).to(modelType);
        return backbone.forward(xIn, Tensors.fromDoubles(cNoise, s.length).to(modelType), cond);
    }

    @Override
    public Tensor denoise(Tensor x, Tensor sigma, Conditioning cond) {
        Scalings[] s = scalings(Tensors.toDoubles(sigma));
        Tensor x64 = x.to(ScalarType.Double);
        return parametrisation.denoised(heads(x64, s, cond), x64, s);
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
