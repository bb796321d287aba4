package io.github.diffusion4j.nn;

import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;

/**
 * DiT's {@code unpatchify} (Peebles and Xie 2023): tokens [B, h·w, p·p·C] in row-major patch
 * order, each token's features laid out as (p_row, p_col, c), back to images [B, C, h·p, w·p].
 * Parameter-free; the projection to p·p·C features belongs to the caller's final layer.
 */
public final class Unpatchify implements Layer {
    private final int channels;
    private final int patch;
    private final long gridHeight;
    private final long gridWidth;

    /** For a grid of {@code gridHeight × gridWidth} patches of {@code patch×patch} pixels and {@code channels} channels. */
    public Unpatchify(int channels, int patch, long gridHeight, long gridWidth) {
        if (channels < 1 || patch < 1 || gridHeight < 1 || gridWidth < 1) {
            throw new IllegalArgumentException("bad Unpatchify geometry");
        }
        this.channels = channels;
        this.patch = patch;
        this.gridHeight = gridHeight;
        this.gridWidth = gridWidth;
    }

    @Override
    public Tensor forward(Tensor x) {
        outputShape(io.github.diffusion4j.engine.Tensors.shape(x));
        long b = x.size(0);
        return x.reshape(b, gridHeight, gridWidth, patch, patch, channels)
                .permute(0, 5, 1, 3, 2, 4) // n h w p q c → n c h p w q
                .reshape(b, channels, gridHeight * patch, gridWidth * patch);
    }

    @Override
    public long[] outputShape(long... in) {
        if (in.length != 3 || in[1] != gridHeight * gridWidth || in[2] != (long) patch * patch * channels) {
            throw new IllegalArgumentException("Unpatchify expects [B, " + gridHeight * gridWidth + ", "
                    + (long) patch * patch * channels + "], got " + Arrays.toString(in));
        }
        return new long[] {in[0], channels, gridHeight * patch, gridWidth * patch};
    }

    /** 0: a reshape is not counted. */
    @Override
    public double flops(long... in) {
        outputShape(in);
        return 0;
    }

    @Override
    public long parameterCount() {
        return 0;
    }
}
