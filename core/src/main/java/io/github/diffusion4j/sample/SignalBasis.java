package io.github.diffusion4j.sample;

import io.github.diffusion4j.engine.Tensors;
import org.bytedeco.pytorch.Tensor;

/**
 * An orthonormal basis in which a forward process scales the signal per coefficient,
 * u = B x, u_σ = α(σ) ⊙ u₀ + σ B n (Relay: block DCT with heat-dissipation α, Teng et al. 2024,
 * Sec. 3; methods.md §3.3). The identity with α ≡ 1 is EDM's x = x₀ + σ n.
 */
public interface SignalBasis {
    /** The coefficients u = B x of a batch {@code x} (float64). */
    Tensor forward(Tensor x);

    /** The pixels x = Bᵀ u of coefficients {@code u} (float64). */
    Tensor inverse(Tensor u);

    /** α(σ): the signal scale per coefficient at noise level σ, float64, broadcastable to the coefficients. */
    Tensor alpha(double sigma);

    /** α(σ) ⊙ u. */
    default Tensor scaled(Tensor u, double sigma) {
        return u.mul(alpha(sigma));
    }

    /**
     * The pixel basis with α ≡ 1 (EDM, Karras et al. 2022, Eq. 2): forward and inverse return their
     * argument and {@link #scaled} returns u itself, which is what u·1 gives bit for bit.
     */
    SignalBasis IDENTITY = new SignalBasis() {
        @Override
        public Tensor forward(Tensor x) {
            return x;
        }

        @Override
        public Tensor inverse(Tensor u) {
            return u;
        }

        @Override
        public Tensor alpha(double sigma) {
            return Tensors.full(1, 1.0); // shape [1], broadcasts to any coefficients
        }

        @Override
        public Tensor scaled(Tensor u, double sigma) {
            return u;
        }

        @Override
        public String toString() {
            return "SignalBasis.IDENTITY";
        }
    };
}
