package io.github.diffusion4j.nn;

import io.github.diffusion4j.net.ParameterStore;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Group normalisation with a per-channel affine (Wu and He 2018), over [B, C, …]. */
public final class GroupNorm implements Layer {
    private final ParameterStore store;
    private final String name;
    private final int channels;
    private final int groups;
    private final double eps;
    private final Tensor weight;
    private final Tensor bias;

    /** Registers {@code name.weight} (1) and {@code name.bias} (0), both [channels]. */
    public GroupNorm(ParameterStore store, String name, int channels, int groups, double eps) {
        if (groups < 1 || channels % groups != 0) {
            throw new IllegalArgumentException("GroupNorm " + name + ": " + groups + " groups do not divide " + channels
                    + " channels");
        }
        this.store = store;
        this.name = name;
        this.channels = channels;
        this.groups = groups;
        this.eps = eps;
        this.weight = store.parameter(name + ".weight", new ParameterStore.Init.Constant(1), null, channels);
        this.bias = store.parameter(name + ".bias", new ParameterStore.Init.Constant(0), null, channels);
    }

    /** With {@link #groupsFor}{@code (channels)} groups. */
    public GroupNorm(ParameterStore store, String name, int channels, double eps) {
        this(store, name, channels, groupsFor(channels), eps);
    }

    /**
     * Number of GroupNorm groups for {@code channels}: EDM's {@code min(32, channels / 4)} (at least
     * four channels per group, at most 32 groups), at least 1, then lowered to the largest divisor
     * of {@code channels} not above it (group_norm needs the groups to divide the channels).
     * Examples: 64 → 16, 128 → 32, 192 → 32, 96 → 24, 8 → 2, 3 → 1, 200 → 25.
     */
    public static int groupsFor(int channels) {
        int g = Math.max(1, Math.min(32, channels / 4));
        while (channels % g != 0) {
            g--;
        }
        return g;
    }

    @Override
    public Tensor forward(Tensor x) {
        ScalarType dt = x.scalar_type();
        return torch.group_norm(x, groups, new TensorOptional(Params.cast(weight, dt)),
                new TensorOptional(Params.cast(bias, dt)), eps, false);
    }

    @Override
    public long[] outputShape(long... in) {
        Params.checkChannels("GroupNorm " + name, in, channels);
        return in.clone();
    }

    /** 0: normalisations are not counted. */
    @Override
    public double flops(long... in) {
        outputShape(in);
        return 0;
    }

    @Override
    public long parameterCount() {
        return Params.trainable(store, name + ".weight", name + ".bias");
    }

    public int groups() {
        return groups;
    }
}
