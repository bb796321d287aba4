package io.github.diffusion4j.train;

import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * EDM's exponential moving average of the weights (Karras et al. 2022, App. F.3;
 * {@code training_loop.py}): half-life in images h = min(h_max, rampup × images seen),
 * β = 0.5^(batch / h), ema ← β·ema + (1−β)·θ.
 */
public record Ema(double halfLifeImages, double rampup) {
    /** β for one step of {@code batch} images after {@code imagesSeen} images in total. */
    public double beta(long batch, long imagesSeen) {
        double h = halfLifeImages;
        if (rampup > 0) {
            h = Math.min(h, imagesSeen * rampup);
        }
        return Math.pow(0.5, batch / Math.max(h, 1e-8));
    }

    /** Moves every EMA tensor towards its parameter. */
    public void update(Map<String, Tensor> ema, Map<String, Tensor> params, double beta) {
        try (NoGradGuard guard = new NoGradGuard()) {
            ema.forEach((name, e) -> e.lerp_(params.get(name).detach(), new Scalar(1 - beta)));
        }
    }
}
