package io.github.diffusion4j.eval.features;

import io.github.diffusion4j.engine.Tensors;
import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The batching shared by the feature networks: {@link #run} checks the input, then evaluates
 * {@link #evalBatchSize()} images at a time, each slice inside its own {@code PointerScope} and
 * under a {@code NoGradGuard}, and copies the three outputs to Java arrays.
 */
abstract class BatchedFeatureNetwork implements FeatureNetwork {

    /** The three outputs of one evaluated slice: [b, featureDim], [b, numClasses], [b, spatialDim]. */
    record Heads(Tensor features, Tensor logits, Tensor spatial) {}

    /** How many images one native forward pass takes. */
    abstract int evalBatchSize();

    /** Checks {@code images} (float32, [B, C, H, W]); throws {@link IllegalArgumentException} naming the problem. */
    abstract void checkInput(Tensor images);

    /** The evaluation-mode forward pass of one slice (float32, on the CPU), attached to the caller's scope. */
    abstract Heads forwardEval(Tensor images);

    @Override
    public Outputs run(Tensor images) {
        if (images.dim() != 4) {
            throw new IllegalArgumentException(name() + " expects images [B, C, H, W], got " + shape(images));
        }
        if (Tensors.scalarType(images) != ScalarType.Float) {
            throw new IllegalArgumentException(name() + " expects float32 images, got " + Tensors.scalarType(images));
        }
        checkInput(images);
        int n = Math.toIntExact(images.size(0));
        double[][] features = new double[n][];
        double[][] logits = new double[n][];
        double[][] spatial = new double[n][];
        int step = evalBatchSize();
        for (int start = 0; start < n; start += step) {
            int b = Math.min(step, n - start);
            try (PointerScope scope = new PointerScope(); NoGradGuard guard = new NoGradGuard()) {
                Tensor slice = images.narrow(0, start, b).cpu().contiguous();
                Heads h = forwardEval(slice);
                copyRows(h.features(), features, start, b, featureDim());
                copyRows(h.logits(), logits, start, b, numClasses());
                copyRows(h.spatial(), spatial, start, b, spatialDim());
            }
        }
        return new Outputs(features, logits, spatial);
    }

    private static void copyRows(Tensor t, double[][] into, int start, int b, int dim) {
        double[] flat = Tensors.toDoubles(t);
        if (flat.length != b * dim) {
            throw new IllegalStateException("expected " + b + " rows of " + dim + ", got " + flat.length + " values");
        }
        for (int i = 0; i < b; i++) {
            into[start + i] = Arrays.copyOfRange(flat, i * dim, (i + 1) * dim);
        }
    }

    static String shape(Tensor t) {
        return Arrays.toString(Tensors.shape(t));
    }
}
