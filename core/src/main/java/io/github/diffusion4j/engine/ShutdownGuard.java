package io.github.diffusion4j.engine;

import java.util.function.Supplier;

/**
 * Keeps the JVM's exit from tearing libtorch down under a running operation. On SIGTERM or Ctrl-C
 * the JVM runs its shutdown hooks and then {@code exit()}, whose C++ static destructors free
 * libtorch's registries; a training step still inside {@code backward()} then dies with SIGSEGV
 * (reproduced: 1 in 4 SIGTERMs during a {@code mnist-unet} run, the crash in
 * {@code at::accelerator::getAccelerator}). Native work runs inside {@link #run}; the hook
 * registered here waits for work in flight to finish (at most {@link #DRAIN_SECONDS}) and makes
 * every later {@link #run} refuse to start.
 */
public final class ShutdownGuard {
    /** Longest wait at exit for work in flight (one training step or one sampling batch). */
    public static final int DRAIN_SECONDS = 60;

    private static final Object LOCK = new Object();
    private static int active;
    private static boolean stopping;
    /** How deep the current thread is inside {@link #run}: nested work (a checkpoint's grid) may finish. */
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ShutdownGuard::drain, "d4j-shutdown-guard"));
    }

    private ShutdownGuard() {}

    /** Thrown by {@link #run} once the JVM has begun to exit. */
    public static final class ShutdownInProgress extends RuntimeException {
        ShutdownInProgress() {
            super("the JVM is exiting (signal received); no new native work is started");
        }
    }

    /**
     * Runs {@code work} (native tensor code) so that the JVM's exit waits for it to return. Once
     * the exit has begun, new work is refused, but work nested inside work already running (a
     * checkpoint's sample grid) goes on, so the unit in flight completes.
     */
    public static <T> T run(Supplier<T> work) {
        int[] depth = DEPTH.get();
        synchronized (LOCK) {
            if (stopping && depth[0] == 0) {
                throw new ShutdownInProgress();
            }
            active++;
        }
        depth[0]++;
        try {
            return work.get();
        } finally {
            depth[0]--;
            synchronized (LOCK) {
                active--;
                LOCK.notifyAll();
            }
        }
    }

    /** Whether the JVM has begun to exit: loops stop at their next unit of work. */
    public static boolean stopping() {
        synchronized (LOCK) {
            return stopping;
        }
    }

    private static void drain() {
        long deadline = System.nanoTime() + DRAIN_SECONDS * 1_000_000_000L;
        synchronized (LOCK) {
            stopping = true;
            while (active > 0) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return;
                }
                try {
                    LOCK.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
