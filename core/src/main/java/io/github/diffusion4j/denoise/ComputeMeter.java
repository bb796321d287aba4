package io.github.diffusion4j.denoise;

import io.github.diffusion4j.engine.Tensors;
import java.util.function.DoubleUnaryOperator;
import org.bytedeco.pytorch.Tensor;

/**
 * The network FLOPs a sampling run actually spends (the cost of brick skipping, Zheng et al. 2024,
 * Sec. 3.3, measured rather than assumed): {@link #around} wraps a denoiser so that every evaluation
 * adds, per row, the cost at that row's σ (a skipped step's is its remaining bricks'). Rows a fixed
 * evaluation batch pads with are counted too, so {@link #perEvaluation()} (their mean) × NFE is the
 * padding-free cost per sample. Not thread-safe; one meter per run.
 */
public final class ComputeMeter {
    private double flops;
    private long rows;

    /** {@code d} counted here at {@code flopsAtSigma}(σ) per row. */
    public Denoiser around(Denoiser d, DoubleUnaryOperator flopsAtSigma) {
        return (x, sigma, cond) -> {
            for (double s : Tensors.toDoubles(sigma)) {
                flops += flopsAtSigma.applyAsDouble(s);
                rows++;
            }
            return d.denoise(x, sigma, cond);
        };
    }

    /** FLOPs counted so far. */
    public double flops() {
        return flops;
    }

    /** Rows evaluated so far (network evaluations × samples, padding included). */
    public long rows() {
        return rows;
    }

    /** The mean FLOPs of one network evaluation of one sample (NaN before any). */
    public double perEvaluation() {
        return rows == 0 ? Double.NaN : flops / rows;
    }
}
