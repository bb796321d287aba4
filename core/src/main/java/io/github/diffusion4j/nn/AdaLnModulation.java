package io.github.diffusion4j.nn;

import io.github.diffusion4j.net.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * adaLN-Zero modulation (Peebles and Xie 2023, Sec. 3.2, DiT's {@code adaLN_modulation}):
 * {@code Linear(SiLU(c))} from the conditioning vector c to {@code chunks} vectors of the block
 * width (shift, scale, gate, …), zero-initialised so that every modulated block starts as the
 * identity (gates 0) and the final layer outputs 0.
 */
public final class AdaLnModulation {
    private final Linear linear;
    private final int chunks;
    private final int width;

    /** Registers {@code name.weight} [chunks·width, condDim] and {@code name.bias}, both 0 ({@link WeightInit#ZERO}). */
    public AdaLnModulation(ParameterStore store, String name, int condDim, int width, int chunks) {
        this.linear = new Linear(store, name, condDim, chunks * width, true, WeightInit.ZERO);
        this.chunks = chunks;
        this.width = width;
    }

    /** The modulation vectors {@code Linear(SiLU(c))} as one tensor [N, chunks·width] for c [N, condDim]. */
    public Tensor forward(Tensor c) {
        return linear.forward(torch.silu(c));
    }

    /** {@code m} [N, chunks·width] split into its {@code chunks} parts [N, width] (DiT's {@code chunk(k, dim=1)}). */
    public List<Tensor> split(Tensor m) {
        TensorVector v = m.chunk(chunks, 1);
        List<Tensor> out = new ArrayList<>(chunks);
        for (int i = 0; i < chunks; i++) {
            out.add(v.get(i));
        }
        return out;
    }

    /** DiT's {@code modulate}: {@code x·(1 + scale) + shift} over tokens x [N, L, width], scale and shift [N, width]. */
    public static Tensor modulate(Tensor x, Tensor shift, Tensor scale) {
        return x.mul(scale.unsqueeze(1).add(io.github.diffusion4j.engine.Tensors.scalar(1))).add(shift.unsqueeze(1));
    }

    /** FLOPs of the linear map for {@code rows} conditioning vectors. */
    public double flops(long rows) {
        return linear.flops(rows, linear.inFeatures());
    }

    public long parameterCount() {
        return linear.parameterCount();
    }

    public int width() {
        return width;
    }

    public int chunks() {
        return chunks;
    }
}
