package io.github.diffusion4j.data;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** Yields batches in a deterministic shuffled order, prefetched on one daemon thread, from a resumable position. */
public final class BatchLoader implements AutoCloseable {

    /**
     * A place in the sequence: the next image is number {@code offset} of epoch {@code epoch}.
     *
     * @param epoch epoch number, from 0
     * @param offset index into that epoch's permutation, {@code 0 <= offset < dataset size}
     */
    public record Position(long epoch, int offset) {
        /** The start of training. */
        public static final Position START = new Position(0, 0);

        public Position {
            if (epoch < 0 || offset < 0) {
                throw new IllegalArgumentException("position must not be negative: epoch " + epoch + ", offset " + offset);
            }
        }
    }

    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final Batch FAILED = new Batch(new int[0], new float[0], new long[0], 0, 0, 0, null, null);

    private final ImageDataset data;
    private final int batchSize;
    private final long seed;
    private final Augment augment;
    private final BlockingQueue<Batch> queue;
    private final Thread worker;
    private volatile boolean closed;
    private volatile Throwable failure;
    private Position position;

    /** A loader from the start, without augmentation, prefetching 2 batches. */
    public static BatchLoader open(ImageDataset data, int batchSize, long seed) {
        return new BatchLoader(data, batchSize, seed, Position.START, Augment.NONE, 2);
    }

    /**
     * Starts the background thread at {@code start}.
     *
     * <p>The images form one endless sequence: epoch 0 in the order {@link EpochOrder#permutation
     * permutation(seed, 0, n)}, then epoch 1, and so on. Batches are consecutive slices of
     * {@code batchSize} images, so every batch is full, a batch may straddle two epochs, and every
     * image appears exactly once per epoch. The sequence depends only on (dataset size, seed), the
     * contents only on (dataset, seed, augmentation), never on timing or prefetch depth; a loader
     * started at a saved {@link #position()} continues bit for bit. The thread builds Java arrays
     * only; {@link Batch#images()} makes the tensor on the consumer's thread.
     *
     * @param seed drives the shuffle ({@code CounterRng} stream = epoch) and the augmentation; pass a
     *     seed reserved for data so the streams do not coincide with other uses of the run seed
     * @param start where to begin, e.g. a {@link #position()} saved in a checkpoint
     * @param prefetch how many batches the background thread may build ahead (at least 1)
     */
    public BatchLoader(ImageDataset data, int batchSize, long seed, Position start, Augment augment, int prefetch) {
        if (data.size() == 0) {
            throw new IllegalArgumentException("the dataset is empty");
        }
        if (batchSize <= 0 || prefetch <= 0) {
            throw new IllegalArgumentException("batch size and prefetch must be positive, got " + batchSize + ", "
                    + prefetch);
        }
        if (start.offset() >= data.size()) {
            throw new IllegalArgumentException("offset " + start.offset() + " is past the end of a " + data.size()
                    + "-image epoch");
        }
        this.data = data;
        this.batchSize = batchSize;
        this.seed = seed;
        this.augment = augment;
        this.position = start;
        this.queue = new ArrayBlockingQueue<>(prefetch);
        this.worker = new Thread(() -> produce(start), "d4j-batch-loader-" + THREADS.incrementAndGet());
        worker.setDaemon(true);
        worker.start();
    }

    /** The next batch; blocks until it is ready. */
    public Batch next() {
        if (closed) {
            throw new IllegalStateException("the batch loader is closed");
        }
        Batch b;
        try {
            b = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch", e);
        }
        if (b == FAILED) {
            queue.offer(FAILED); // later calls fail the same way
            Throwable t = failure;
            throw new DataException("the batch loader failed: " + t, t);
        }
        position = b.end();
        return b;
    }

    /** The position after the last batch returned by {@link #next()} (the start position before the first). */
    public Position position() {
        return position;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Stops the background thread and waits for it to end. */
    @Override
    public void close() {
        closed = true;
        worker.interrupt();
        boolean interrupted = false;
        while (worker.isAlive()) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        queue.clear();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The background thread, for tests. */
    Thread worker() {
        return worker;
    }

    private void produce(Position start) {
        try {
            Cursor cursor = new Cursor(start);
            while (!closed) {
                queue.put(cursor.nextBatch());
            }
        } catch (InterruptedException e) {
            // closed
        } catch (Throwable t) {
            failure = t;
            try {
                queue.put(FAILED);
            } catch (InterruptedException e) {
                // closed
            }
        }
    }

    /** Walks the endless sequence of per-epoch permutations. */
    private final class Cursor {
        private long epoch;
        private int offset;
        private int[] order;

        Cursor(Position start) {
            epoch = start.epoch();
            offset = start.offset();
            order = EpochOrder.permutation(seed, epoch, data.size());
        }

        Batch nextBatch() {
            Position begin = new Position(epoch, offset);
            int[] indices = new int[batchSize];
            long[] epochs = new long[batchSize];
            for (int b = 0; b < batchSize; b++) {
                indices[b] = order[offset];
                epochs[b] = epoch;
                if (++offset == order.length) {
                    epoch++;
                    offset = 0;
                    order = EpochOrder.permutation(seed, epoch, data.size());
                }
            }
            float[] pixels = data.images(indices);
            int per = data.imageSize();
            for (int b = 0; b < batchSize; b++) {
                augment.apply(pixels, b * per, data.channels(), data.height(), data.width(), seed, epochs[b], indices[b]);
            }
            return new Batch(indices, pixels, data.labels(indices), data.channels(), data.height(), data.width(),
                    begin, new Position(epoch, offset));
        }
    }
}
