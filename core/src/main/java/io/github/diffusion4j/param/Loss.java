package io.github.diffusion4j.param;

import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * A training loss per sample [B] and its named terms (each [B]; they sum to {@code perSample}),
 * as dual_diffusion's {@code compute_mse_losses} reports them; the trainer logs the batch mean of
 * every term to stats.jsonl.
 */
public record Loss(Tensor perSample, Map<String, Tensor> terms) {
    public Loss {
        terms = Map.copyOf(terms);
    }

    /** A loss with a single term. */
    public static Loss single(String name, Tensor perSample) {
        return new Loss(perSample, Map.of(name, perSample));
    }
}
