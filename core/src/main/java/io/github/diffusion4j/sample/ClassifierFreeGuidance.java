package io.github.diffusion4j.sample;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Denoiser;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Classifier-free guidance (Ho &amp; Salimans 2022, Eq. 6) as a denoiser wrapper with one canonical
 * weight w: D = D_u + w (D_c − D_u). w = 1 is plain conditional sampling, w = 0 unconditional;
 * DiMR's scale s and LEGO's s map to w = 1 + s, RDM's w is this w (methods.md, Sec. 9).
 */
public record ClassifierFreeGuidance(Denoiser denoiser, double weight) implements Denoiser {
    @Override
    public Tensor denoise(Tensor x, Tensor sigma, Conditioning cond) {
        if (weight == 1.0 || !cond.hasClassLabels()) {
            return denoiser.denoise(x, sigma, cond);
        }
        Tensor conditional = denoiser.denoise(x, sigma, cond);
        Tensor unconditional = denoiser.denoise(x, sigma, cond.unconditional());
        return unconditional.add(conditional.sub(unconditional).mul(new Scalar(weight)));
    }
}
