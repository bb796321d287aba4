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

    /** Runs {@code work} (native tensor code) so that the JVM's exit waits for it to return. */
    public static <T> T run(Supplier<T> work) {
        synchronized (LOCK) {
            if (stopping) {
                throw new ShutdownInProgress();
            }
            active++;
        }
        try {
            return work.get();
        } finally {
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
