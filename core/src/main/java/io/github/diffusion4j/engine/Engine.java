package io.github.diffusion4j.engine;

import org.bytedeco.pytorch.global.torch;

/**
 * libtorch set-up: thread pools and dtype policy (design.md, "Engine facts"). Everything runs on
 * the CPU; the {@code -Pcuda} build only swaps in the GPU natives (no {@code --device} option yet).
 *
 * <p>libtorch's intra-op pool does the parallel work. OpenBLAS reads its thread count only from
 * {@code OPENBLAS_NUM_THREADS} at load time (the Bytedeco preset exposes no setter), so the
 * {@code d4j} launcher and the test runner set it to 1: two pools on two cores otherwise fight each
 * other (design.md: a step then swings between 0.3 s and 3.9 s). Model weights
 * are float32; sampler state is float64, as in the reference samplers (EDM {@code generate.py}).
 */
public final class Engine {
    private static volatile boolean initialised;

    private Engine() {}

    /** Initialises libtorch with {@code threads} intra-op threads. */
    public static synchronized void init(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        torch.set_num_threads(threads);
        initialised = true;
    }

    /** Initialises with the default thread count: {@code D4J_THREADS}, else all available cores. */
    public static void init() {
        if (!initialised) {
            init(defaultThreads());
        }
    }

    /** libtorch's current intra-op thread count. */
    public static int threads() {
        return torch.get_num_threads();
    }

    /** The default thread count: the {@code D4J_THREADS} environment variable, else the core count. */
    public static int defaultThreads() {
        String env = System.getenv("D4J_THREADS");
        if (env != null && !env.isBlank()) {
            try {
                int n = Integer.parseInt(env.trim());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the core count
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }
}
