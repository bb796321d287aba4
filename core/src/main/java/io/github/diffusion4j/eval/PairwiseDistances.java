package io.github.diffusion4j.eval;

import io.github.diffusion4j.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Squared Euclidean distances between the rows of two float64 matrices, one block at a time, as
 * ‖a‖² + ‖b‖² − 2aᵀb clipped at 0: memory is one block, never the full n×m matrix.
 */
final class PairwiseDistances {
    private final Tensor a;
    private final Tensor b;
    private final Tensor normsA;
    private final Tensor normsB;

    /** Distances from the rows of {@code a} to the rows of {@code b}; the tensors live in the caller's scope. */
    PairwiseDistances(Tensor a, Tensor b) {
        this.a = a;
        this.b = b;
        this.normsA = a.mul(a).sum(1L);
        this.normsB = b.mul(b).sum(1L);
    }

    /** The {@code rows × cols} block of squared distances starting at ({@code row0}, {@code col0}), row-major. */
    double[] block(int row0, int rows, int col0, int cols) {
        try (PointerScope ignored = new PointerScope()) {
            Tensor ai = a.narrow(0, row0, rows);
            Tensor bj = b.narrow(0, col0, cols);
            Tensor d2 = ai.mm(bj.t()).mul(new Scalar(-2.0))
                    .add(normsA.narrow(0, row0, rows).unsqueeze(1))
                    .add(normsB.narrow(0, col0, cols).unsqueeze(0))
                    .clamp_min(new Scalar(0.0));
            return Tensors.toDoubles(d2);
        }
    }
}
