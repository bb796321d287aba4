package io.github.diffusion4j.testing;

import io.github.diffusion4j.denoise.BackboneSpec;
import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Exit;
import io.github.diffusion4j.denoise.NoiseLevel;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.net.Network;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** A two-conv network with noise and class inputs and dropout: enough to exercise training code in milliseconds. */
public final class TinyNet implements Network {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final int classes;
    private final int channels;
    private boolean training = true;

    public TinyNet(int channels, int classes, long seed) {
        this.classes = classes;
        this.channels = channels;
        params.put("conv0.weight", init(seed, 0, 0.3, 8, channels, 3, 3));
        params.put("conv1.weight", init(seed, 1, 0.1, channels, 8, 3, 3));
        params.put("noise.weight", init(seed, 2, 0.5, 8));
        params.put("label.weight", init(seed, 3, 0.5, classes + 1, 8));
    }

    private static Tensor init(long seed, long stream, double scale, long... shape) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        double[] v = new double[n];
        io.github.diffusion4j.engine.CounterRng.fillGaussian(io.github.diffusion4j.engine.CounterRng.streamKey(seed, stream), v, 0, n);
        for (int i = 0; i < n; i++) {
            v[i] *= scale;
        }
        Tensor t = Tensors.fromDoubles(v, shape).to(ScalarType.Float);
        t.requires_grad_(true);
        return t;
    }

    @Override
    public List<Tensor> forward(Tensor xIn, NoiseLevel level, Conditioning cond, Exit exit) {
        return forward(xIn, level.cNoise(), cond);
    }

    @Override
    public BackboneSpec spec() {
        return BackboneSpec.single(channels);
    }

    /** The single head for a scaled input and c_noise [B]. */
    public List<Tensor> forward(Tensor xIn, Tensor cNoise, Conditioning cond) {
        long[] one = {1, 1};
        Tensor h = torch.conv2d(xIn, params.get("conv0.weight"), new TensorOptional(), one, one, one, 1);
        Tensor emb = cNoise.reshape(-1, 1).mul(params.get("noise.weight").reshape(1, -1));
        if (classes > 0) {
            long[] labels = cond.classLabels();
            long[] idx = new long[labels.length];
            for (int i = 0; i < labels.length; i++) {
                idx[i] = labels[i] == Conditioning.NULL_CLASS ? classes : labels[i];
            }
            Tensor ids = Tensors.fromDoubles(java.util.Arrays.stream(idx).asDoubleStream().toArray(), idx.length).to(ScalarType.Long);
            emb = emb.add(params.get("label.weight").index_select(0, ids));
        }
        h = torch.silu(h.add(emb.reshape(emb.size(0), emb.size(1), 1, 1)));
        h = torch.dropout(h, 0.2, training);
        return List.of(torch.conv2d(h, params.get("conv1.weight"), new TensorOptional(), one, one, one, 1));
    }

    @Override
    public Map<String, Tensor> namedParameters() {
        return params;
    }

    @Override
    public void loadParameters(Map<String, Tensor> values) {
        try (NoGradGuard g = new NoGradGuard()) {
            params.forEach((k, p) -> p.copy_(values.get(k)));
        }
    }

    @Override
    public void train(boolean on) {
        training = on;
    }

    @Override
    public double flopsPerSample() {
        return 0;
    }
}
