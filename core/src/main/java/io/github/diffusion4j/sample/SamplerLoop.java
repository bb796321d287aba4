package io.github.diffusion4j.sample;

import io.github.diffusion4j.engine.Scopes;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * The step loop shared by the samplers: each step runs in its own {@link PointerScope}, so its
 * temporaries are freed before the next step; only the state it returns survives. The state may
 * hold several tensors (a multistep sampler's history), and is freed when the next state replaces it.
 */
final class SamplerLoop {
    private SamplerLoop() {}

    /** What a sampler carries from one step to the next: x, and any history. */
    interface State {
        /** The current sample x. */
        Tensor x();

        /** Every tensor the state holds, x included; entries may be {@code null}. */
        List<Tensor> tensors();
    }

    /** One step of a sampler from its state at step i to its state at step i+1. */
    @FunctionalInterface
    interface Step<S extends State> {
        S apply(int i, S state);
    }

    /** One step of a single-state sampler: from x at step i to x at step i+1. */
    @FunctionalInterface
    interface XStep {
        Tensor apply(int i, Tensor x);
    }

    /** The state of a sampler that carries only x. */
    record X(Tensor x) implements State {
        @Override
        public List<Tensor> tensors() {
            return List.of(x);
        }
    }

    /** Runs {@code steps} steps from {@code xStart} and returns the final x. */
    static Tensor iterate(Tensor xStart, int steps, XStep step) {
        return run(new X(xStart), steps, (i, s) -> new X(step.apply(i, s.x())));
    }

    /**
     * Runs {@code steps} steps from {@code start} and returns the final x, in the caller's scope (or
     * owned by the caller if none is open). The tensors of {@code start} stay the caller's; every other
     * state tensor is freed once no state holds it. A step returns tensors it created or tensors of
     * its input state (passed on unchanged).
     */
    static <S extends State> Tensor run(S start, int steps, Step<S> step) {
        Set<Tensor> callers = identities(start);
        S state = start;
        for (int i = 0; i < steps; i++) {
            S next = step(state, i, step);
            Set<Tensor> keep = identities(next);
            keep.addAll(callers);
            free(state, keep);
            state = next;
        }
        Tensor x = state.x();
        Set<Tensor> keep = identities(new X(x));
        keep.addAll(callers);
        free(state, keep);
        return callers.contains(x) ? x : Scopes.attachToEnclosing(x);
    }

    /** Runs one step in its own scope; the new tensors of the state it returns outlive the scope. */
    private static <S extends State> S step(S state, int i, Step<S> step) {
        try (PointerScope scope = new PointerScope()) {
            S next = step.apply(i, state);
            Set<Tensor> old = identities(state);
            for (Tensor t : identities(next)) {
                if (!old.contains(t)) {
                    t.retainReference(); // outlives the step's scope; see Scopes
                }
            }
            return next;
        }
    }

    /** Frees each tensor of {@code state} that is not in {@code keep}, once. */
    private static void free(State state, Set<Tensor> keep) {
        for (Tensor t : identities(state)) {
            if (!keep.contains(t)) {
                t.close();
            }
        }
    }

    /** The distinct non-null tensors of {@code s}, by identity. */
    private static Set<Tensor> identities(State s) {
        Set<Tensor> out = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Tensor t : s.tensors()) {
            if (t != null) {
                out.add(t);
            }
        }
        return out;
    }
}
