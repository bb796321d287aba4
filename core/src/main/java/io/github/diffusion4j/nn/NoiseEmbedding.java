package io.github.diffusion4j.nn;

import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.net.ParameterStore;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Features of a scalar noise level c_noise: {@code [cos(c·f_j), sin(c·f_j)]} for {@code width/2}
 * frequencies f_j, either the transformer positional encoding (Vaswani et al. 2017, as EDM's
 * {@code PositionalEmbedding}: f_j = (1/max_positions)^(j/half)) or random Fourier features
 * (Tancik et al. 2020, as EDM's {@code FourierEmbedding}: f_j = 2π·ω_j, ω_j ~ N(0, scale²), a
 * fixed buffer). Output float32 [B, width] for c_noise [B] of any float dtype.
 */
public final class NoiseEmbedding implements Layer {
    /** EDM's {@code max_positions} of the positional embedding. */
    public static final int MAX_POSITIONS = 10000;
    /** EDM's {@code scale} of the Fourier embedding. */
    public static final double FOURIER_SCALE = 16;

    private final int width;
    private final float[] positional;
    private final Tensor fourier;

    private NoiseEmbedding(int width, float[] positional, Tensor fourier) {
        this.width = width;
        this.positional = positional;
        this.fourier = fourier;
    }

    /** The positional encoding with {@link #MAX_POSITIONS}; registers nothing. */
    public static NoiseEmbedding positional(int width) {
        int half = half(width);
        float[] fr = new float[half];
        for (int j = 0; j < half; j++) {
            fr[j] = (float) Math.pow(1.0 / MAX_POSITIONS, (double) j / half);
        }
        return new NoiseEmbedding(width, fr, null);
    }

    /** Fourier features; registers the buffer {@code name.freqs} [width/2] ~ N(0, scale²) (saved with the state, not trained). */
    public static NoiseEmbedding fourier(ParameterStore store, String name, int width, double scale) {
        Tensor freqs = store.buffer(name + ".freqs", new ParameterStore.Init.Normal(scale), half(width));
        return new NoiseEmbedding(width, null, freqs);
    }

    private static int half(int width) {
        if (width < 2 || width % 2 != 0) {
            throw new IllegalArgumentException("noise embedding width must be even and positive, got " + width);
        }
        return width / 2;
    }

    @Override
    public Tensor forward(Tensor cNoise) {
        outputShape(Tensors.shape(cNoise));
        Tensor c = cNoise.to(ScalarType.Float);
        Tensor freqs = fourier != null ? fourier.mul(Tensors.scalar(2 * Math.PI)) : Tensors.fromFloats(positional, positional.length);
        Tensor angles = c.unsqueeze(1).mul(freqs.unsqueeze(0)); // outer product [B, half]
        return torch.cat(new TensorVector(angles.cos(), angles.sin()), 1);
    }

    @Override
    public long[] outputShape(long... in) {
        if (in.length != 1) {
            throw new IllegalArgumentException("NoiseEmbedding expects c_noise [B], got " + java.util.Arrays.toString(in));
        }
        return new long[] {in[0], width};
    }

    /** 0: elementwise features are not counted. */
    @Override
    public double flops(long... in) {
        outputShape(in);
        return 0;
    }

    /** 0: the Fourier frequencies are a fixed buffer. */
    @Override
    public long parameterCount() {
        return 0;
    }

    public int width() {
        return width;
    }
}
