package io.github.diffusion4j.data;

import io.github.diffusion4j.engine.CounterRng;

/**
 * Training-time augmentation whose every decision is a pure function of (seed, epoch, dataset index).
 *
 * @param horizontalFlip mirror each image left–right with probability ½
 */
public record Augment(boolean horizontalFlip) {

    /** No augmentation. */
    public static final Augment NONE = new Augment(false);

    /** First stream number of the flip decisions (ASCII "Flip" in the high word). */
    public static final long FLIP_STREAMS = 0x466C6970L << 32;

    /**
     * Whether image {@code index} is mirrored in {@code epoch}:
     * {@code CounterRng.uniform(CounterRng.streamKey(seed, FLIP_STREAMS + epoch), index) < 0.5}; the
     * offset keeps these streams apart from the shuffle's ({@code stream = epoch}).
     */
    public boolean flips(long seed, long epoch, long index) {
        return horizontalFlip && CounterRng.uniform(CounterRng.streamKey(seed, FLIP_STREAMS + epoch), index) < 0.5;
    }

    /** Applies the decisions for image {@code index} to its {@code c × h × w} floats at {@code images[offset...]}. */
    public void apply(float[] images, int offset, int c, int h, int w, long seed, long epoch, long index) {
        if (flips(seed, epoch, index)) {
            flipHorizontal(images, offset, c, h, w);
        }
    }

    /** Mirrors a {@code c × h × w} image left–right in place. */
    public static void flipHorizontal(float[] images, int offset, int c, int h, int w) {
        for (int row = 0; row < c * h; row++) {
            int start = offset + row * w;
            for (int a = start, b = start + w - 1; a < b; a++, b--) {
                float t = images[a];
                images[a] = images[b];
                images[b] = t;
            }
        }
    }
}
