package io.github.diffusion4j.nn;

import io.github.diffusion4j.net.ParameterStore;
import org.bytedeco.pytorch.Tensor;

/**
 * Patchify (Dosovitskiy et al. 2021; DiT's {@code x_embedder}, timm's {@code PatchEmbed}): a
 * {@code p×p} convolution with stride p, [B, C, H, W] → tokens [B, (H/p)·(W/p), dim] in row-major
 * patch order.
 */
public final class PatchEmbed implements Layer {
    private final Conv2d proj;
    private final int patch;
    private final int dim;

    /** Registers {@code name.proj} (conv C → dim, kernel = stride = patch, with bias) drawn by {@code init}. */
    public PatchEmbed(ParameterStore store, String name, int inChannels, int dim, int patch, WeightInit init) {
        this.proj = new Conv2d(store, name + ".proj", inChannels, dim, patch, patch, patch, patch, 0, 0, true, init);
        this.patch = patch;
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor x) {
        outputShape(io.github.diffusion4j.engine.Tensors.shape(x));
        return proj.forward(x).flatten(2, -1).transpose(1, 2);
    }

    @Override
    public long[] outputShape(long... in) {
        if (in.length != 4 || in[2] % patch != 0 || in[3] % patch != 0) {
            throw new IllegalArgumentException("PatchEmbed expects [B, C, H, W] with H and W divisible by " + patch
                    + ", got " + java.util.Arrays.toString(in));
        }
        long[] o = proj.outputShape(in);
        return new long[] {in[0], o[2] * o[3], dim};
    }

    /** The projection: {@code 2·C·dim·p²} per token. */
    @Override
    public double flops(long... in) {
        outputShape(in);
        return proj.flops(in);
    }

    @Override
    public long parameterCount() {
        return proj.parameterCount();
    }

    public int patch() {
        return patch;
    }
}
