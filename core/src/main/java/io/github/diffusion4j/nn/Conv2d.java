package io.github.diffusion4j.nn;

import io.github.diffusion4j.net.ParameterStore;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A 2-D convolution with a {@code kh×kw} kernel, stride {@code (sh, sw)} and zero padding
 * {@code (ph, pw)}, dilation 1, one group (PyTorch {@code nn.Conv2d}).
 */
public final class Conv2d implements Layer {
    private final ParameterStore store;
    private final String name;
    private final int cin;
    private final int cout;
    private final int kh;
    private final int kw;
    private final int sh;
    private final int sw;
    private final int ph;
    private final int pw;
    private final Tensor weight;
    private final Tensor bias;

    /**
     * Registers {@code name.weight} [cout, cin, kh, kw] and, with {@code bias}, {@code name.bias}
     * [cout], drawn by {@code init} with fan-in cin·kh·kw.
     */
    public Conv2d(ParameterStore store, String name, int cin, int cout, int kh, int kw, int sh, int sw, int ph, int pw,
            boolean bias, WeightInit init) {
        if (cin < 1 || cout < 1 || kh < 1 || kw < 1 || sh < 1 || sw < 1 || ph < 0 || pw < 0) {
            throw new IllegalArgumentException("bad Conv2d " + name + " geometry");
        }
        this.store = store;
        this.name = name;
        this.cin = cin;
        this.cout = cout;
        this.kh = kh;
        this.kw = kw;
        this.sh = sh;
        this.sw = sw;
        this.ph = ph;
        this.pw = pw;
        long fanIn = (long) cin * kh * kw;
        init.register(store, name + ".weight", false, fanIn, cout, cin, kh, kw);
        if (bias) {
            init.register(store, name + ".bias", true, fanIn, cout);
        }
        this.weight = store.get(name + ".weight");
        this.bias = bias ? store.get(name + ".bias") : null;
    }

    /** A square {@code k×k} kernel, stride 1, "same" padding {@code k/2} (k odd), with bias. */
    public static Conv2d same(ParameterStore store, String name, int cin, int cout, int k, WeightInit init) {
        if (k % 2 == 0) {
            throw new IllegalArgumentException("same padding needs an odd kernel, got " + k);
        }
        return new Conv2d(store, name, cin, cout, k, k, 1, 1, k / 2, k / 2, true, init);
    }

    @Override
    public Tensor forward(Tensor x) {
        ScalarType dt = x.scalar_type();
        return torch.conv2d(x, Params.cast(weight, dt), Params.optional(bias, dt), new long[] {sh, sw},
                new long[] {ph, pw}, new long[] {1, 1}, 1);
    }

    @Override
    public long[] outputShape(long... in) {
        Params.check("Conv2d " + name, in, 4, 1, cin);
        return new long[] {in[0], cout, (in[2] + 2L * ph - kh) / sh + 1, (in[3] + 2L * pw - kw) / sw + 1};
    }

    /** {@code 2·C_in·C_out·k_h·k_w·H_out·W_out} per image. */
    @Override
    public double flops(long... in) {
        long[] o = outputShape(in);
        return 2.0 * cin * cout * kh * kw * (o[0] * o[2] * o[3]);
    }

    @Override
    public long parameterCount() {
        return Params.trainable(store, name + ".weight", bias == null ? null : name + ".bias");
    }

    public int inChannels() {
        return cin;
    }

    public int outChannels() {
        return cout;
    }
}
