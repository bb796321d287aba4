package io.github.diffusion4j.sample;

import java.util.function.Supplier;
import io.github.diffusion4j.engine.Scopes;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/** Scope plumbing shared by the samplers: each step's temporaries die with the step. */
final class SamplerLoop {
    private SamplerLoop() {}

    /** One step of a single-state sampler: from x at step i to x at step i+1. */
    @FunctionalInterface
    interface Step {
        Tensor apply(int i, Tensor x);
    }

    /** Runs {@code steps} steps from {@code xStart}, each in its own scope, and returns the final x. */
    static Tensor iterate(Tensor xStart, int steps, Step step) {
        Tensor x = xStart;
        for (int i = 0; i < steps; i++) {
            final Tensor xCur = x;
            final int index = i;
            Tensor[] kept = step(() -> new Tensor[] {step.apply(index, xCur)});
            release(x, xStart);
            x = kept[0];
        }
        return finish(x, xStart);
    }

    /** Runs one step in its own scope and returns the tensors it keeps, owned by the caller. */
    static Tensor[] step(Supplier<Tensor[]> body) {
        try (PointerScope scope = new PointerScope()) {
            Tensor[] kept = body.get();
            for (Tensor t : kept) {
                if (t != null) {
                    t.retainReference(); // outlives the step's scope; see Scopes
                }
            }
            return kept;
        }
    }

    /** Frees {@code t} unless it is the caller's input. */
    static void release(Tensor t, Tensor input) {
        if (t != null && t != input) {
            t.close();
        }
    }

    /** Hands the result to the caller's enclosing scope, if any (the input is already the caller's). */
    static Tensor finish(Tensor x, Tensor input) {
        return x == input ? x : Scopes.attachToEnclosing(x);
    }
}
