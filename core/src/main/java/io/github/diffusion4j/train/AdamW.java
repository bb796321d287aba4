package io.github.diffusion4j.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * AdamW (Loshchilov &amp; Hutter 2019, Alg. 2, with Adam's bias correction as in PyTorch): the
 * moments live here as named tensors so that a checkpoint holds them and resume is exact. Weight
 * decay skips the parameters {@link #decays} names (DiMR's no-decay group).
 */
public final class AdamW {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<String, Tensor> m = new LinkedHashMap<>();
    private final Map<String, Tensor> v = new LinkedHashMap<>();
    private long t;

    public AdamW(Map<String, Tensor> params, double beta1, double beta2, double eps, double weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        params.forEach((name, p) -> {
            m.put(name, torch.zeros_like(p).detach());
            v.put(name, torch.zeros_like(p).detach());
        });
    }

    /** One update of every parameter that has a gradient, at learning rate {@code lr}. */
    public void step(Map<String, Tensor> params, double lr) {
        t++;
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        try (NoGradGuard guard = new NoGradGuard()) {
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                Tensor p = e.getValue();
                Tensor g = p.grad();
                if (!g.defined()) {
                    continue;
                }
                Tensor mi = m.get(e.getKey());
                Tensor vi = v.get(e.getKey());
                mi.mul_(new Scalar(beta1)).add_(g, new Scalar(1 - beta1));
                vi.mul_(new Scalar(beta2)).addcmul_(g, g, new Scalar(1 - beta2));
                if (weightDecay > 0 && decays(e.getKey())) {
                    p.mul_(new Scalar(1 - lr * weightDecay));
                }
                Tensor denom = vi.sqrt().div(new Scalar(Math.sqrt(bc2))).add(new Scalar(eps));
                p.addcdiv_(mi, denom, new Scalar(-lr / bc1));
            }
        }
    }

    /**
     * Whether parameter {@code name} takes weight decay: every parameter but the time-dependent
     * parameters' sigmoid weights and biases ({@code *.nodecay_weight}, {@code *.nodecay_bias}), which
     * DiMR's official {@code utils.py trainable_parameters} puts in a group with weight decay 0.
     */
    public static boolean decays(String name) {
        return !(name.endsWith(".nodecay_weight") || name.endsWith(".nodecay_bias"));
    }

    /** The number of steps taken (for bias correction). */
    public long steps() {
        return t;
    }

    /** First moments by parameter name (live tensors). */
    public Map<String, Tensor> firstMoments() {
        return m;
    }

    /** Second moments by parameter name (live tensors). */
    public Map<String, Tensor> secondMoments() {
        return v;
    }

    /** Restores moments and step count from a checkpoint. */
    public void restore(Map<String, Tensor> first, Map<String, Tensor> second, long steps) {
        try (NoGradGuard guard = new NoGradGuard()) {
            m.forEach((name, t0) -> t0.copy_(first.get(name)));
            v.forEach((name, t0) -> t0.copy_(second.get(name)));
        }
        this.t = steps;
    }
}
