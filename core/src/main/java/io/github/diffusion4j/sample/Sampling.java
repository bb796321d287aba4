package io.github.diffusion4j.sample;

import java.util.Arrays;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/** Small helpers shared by the samplers. */
final class Sampling {
    private Sampling() {}

    /**
     * The probability-flow ODE's slope dx/dσ = (x − D(x; σ))/σ (Karras et al. 2022, Eq. 3 with
     * σ(t) = t, s(t) = 1; k-diffusion's {@code to_d}), which is also DDIM's ε̂ in EDM units.
     */
    static Tensor toD(Tensor x, Tensor denoised, double sigma) {
        return x.sub(denoised).div(s(sigma));
    }

    /** The shape of one sample of batch {@code x}: its shape without the batch dimension. */
    static long[] sampleShape(Tensor x) {
        long[] shape = x.shape();
        return Arrays.copyOfRange(shape, 1, shape.length);
    }

    static Scalar s(double v) {
        return new Scalar(v);
    }
}
