package io.github.diffusion4j.nn;

import io.github.diffusion4j.net.ParameterStore;
import io.github.diffusion4j.schedule.DiscreteVpSchedule;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A time-dependent parameter of DiMR's TD-LN (Liu et al. 2024, Sec. 3.3, Eq. 4; official
 * {@code libs/core/sigmoid/module.py} TimeDependentParameter and {@code kernel.py} tdp_torch):
 * p(τ) = p₁ + sigmoid(w ⊙ τ + b) ⊙ (p₀ − p₁), a pure function of τ passed by the caller.
 *
 * <p>Registers {@code name.param0}, {@code name.param1} (both the usual init, e.g. ones for a scale),
 * {@code name.nodecay_weight} (0; the effective w is {@code nodecay_weight + 1}, as the official
 * {@code seed_time} passes it) and {@code name.nodecay_bias} (0), the official state-dict names; the
 * {@code nodecay_} pair is excluded from weight decay ({@code train.AdamW#decays}). Per-element w, b
 * (the official code; 4·numel parameters) or, with {@code shared}, one scalar w and b for the whole
 * parameter (the paper's Eq. 4; 2·numel + 2).
 */
public final class TimeDependentParameter {
    /** The discrete schedule whose step of σ defines τ. */
    private static final DiscreteVpSchedule TIME = DiscreteVpSchedule.ddpm();

    private final ParameterStore store;
    private final String name;
    private final long[] shape;
    private final Tensor param0;
    private final Tensor param1;
    private final Tensor weight;
    private final Tensor bias;

    /** A time-dependent parameter of {@code shape}, p₀ = p₁ = {@code init}. */
    public TimeDependentParameter(ParameterStore store, String name, double init, boolean shared, long... shape) {
        this.store = store;
        this.name = name;
        this.shape = shape.clone();
        this.param0 = store.parameter(name + ".param0", new ParameterStore.Init.Constant(init), null, shape);
        this.param1 = store.parameter(name + ".param1", new ParameterStore.Init.Constant(init), null, shape);
        long[] ws = shared ? new long[] {1} : shape;
        this.weight = store.parameter(name + ".nodecay_weight", new ParameterStore.Init.Constant(0), null, ws);
        this.bias = store.parameter(name + ".nodecay_bias", new ParameterStore.Init.Constant(0), null, ws);
    }

    /** Per-element w and b (the official code). */
    public TimeDependentParameter(ParameterStore store, String name, double init, long... shape) {
        this(store, name, init, false, shape);
    }

    /** p(τ) for each τ of {@code tau} [B]: [B, shape…], in τ's dtype. */
    public Tensor at(Tensor tau) {
        ScalarType dt = tau.scalar_type();
        Tensor p0 = Params.cast(param0, dt), p1 = Params.cast(param1, dt);
        Tensor w = Params.cast(weight, dt).add(new Scalar(1.0));
        Tensor b = Params.cast(bias, dt);
        long n = Params.numel(shape, 0);
        Tensor flat = tdp(p0.reshape(n), p1.reshape(n), w.reshape(-1), b.reshape(-1), tau);
        long[] out = new long[shape.length + 1];
        out[0] = tau.size(0);
        System.arraycopy(shape, 0, out, 1, shape.length);
        return flat.reshape(out);
    }

    /**
     * The official {@code tdp_torch} on flat parameters [P] (w, b [P] or [1]) and times [B]: a = b + τ·w,
     * s = sigmoid(a), p₁ + s·(p₀ − p₁), as [B, P]; {@code w} is the effective weight.
     */
    public static Tensor tdp(Tensor param0, Tensor param1, Tensor w, Tensor b, Tensor tau) {
        Tensor a = torch.addcmul(b.unsqueeze(0), tau.unsqueeze(1), w.unsqueeze(0));
        Tensor s = torch.sigmoid(a);
        return torch.addcmul(param1.unsqueeze(0), s, param0.sub(param1).unsqueeze(0));
    }

    /**
     * τ for EDM noise level σ, DiMR's official time (its "log_snr"/4 of the timestep n ∈ 1..T): 2n/T − 1 with
     * n = 1 + t(σ), t the (fractional, clamped) step of σ under DDPM's linear β over T = 1000 steps; τ ∈ [−0.998, 1].
     */
    public static double tau(double sigma) {
        return 2 * (TIME.t(sigma) + 1) / TIME.steps() - 1;
    }

    /** τ [B] of {@link #tau(double)} for each σ of a batch, in dtype {@code dt}. */
    public static Tensor tau(double[] sigma, ScalarType dt) {
        double[] t = new double[sigma.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = tau(sigma[i]);
        }
        return io.github.diffusion4j.engine.Tensors.fromDoubles(t, t.length).to(dt);
    }

    /** Number of trainable scalars (4·numel per element, 2·numel + 2 shared). */
    public long parameterCount() {
        return Params.trainable(store, name + ".param0", name + ".param1", name + ".nodecay_weight", name + ".nodecay_bias");
    }
}
