package io.github.diffusion4j.engine;

import java.util.function.Supplier;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;

/**
 * Scoped native memory: every temporary created inside {@link #keep} is freed when it returns,
 * except the result, which moves to the enclosing scope (or to the caller, if there is none).
 *
 * <p>JavaCPP semantics this relies on: a pointer created while a {@link PointerScope} is open is
 * attached to it with one reference; closing the scope releases that reference and frees the
 * pointer unless someone retained it. ({@code PointerScope.detach} also releases the reference,
 * so it frees the pointer at once; it is not a way to keep a result.)
 */
public final class Scopes {
    private Scopes() {}

    /** Runs {@code body} in a fresh {@link PointerScope}, frees its temporaries and keeps its result. */
    public static <T extends Pointer> T keep(Supplier<T> body) {
        T result;
        try (PointerScope scope = new PointerScope()) {
            result = body.get();
            if (result != null) {
                result.retainReference(); // survives this scope's release
            }
        }
        attachToEnclosing(result);
        return result;
    }

    /** Runs {@code body} in a fresh {@link PointerScope} and frees everything it created. */
    public static void run(Runnable body) {
        try (PointerScope ignored = new PointerScope()) {
            body.run();
        }
    }

    /**
     * Hands a pointer that holds one reference of its own (see {@link Pointer#retainReference()}) to
     * the innermost open scope, which then frees it; with no open scope the caller owns it and
     * frees it with {@code close()}.
     */
    public static <T extends Pointer> T attachToEnclosing(T p) {
        PointerScope outer = PointerScope.getInnerScope();
        if (p != null && outer != null) {
            outer.attach(p);
            p.releaseReference();
        }
        return p;
    }
}
