package io.github.diffusion4j.data;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A dataset's resolution pyramid: level {@code k} is the dataset at {@code top / 2^k}, each level the
 * 2×2 area mean (box filter) of the level above, the downsampling operator of cascaded and
 * multi-resolution diffusion (Ho et al. 2022, "Cascaded Diffusion Models", §3; Teng et al. 2024,
 * "Relay Diffusion", §3.1). Image {@code i} is the same image at every level, with the same label.
 *
 * <p>Pixels are bytes: a level's pixel is {@code ⌊(a + b + c + d + 2) / 4⌋} of the four pixels above
 * it, the mean rounded half up (exact in integer arithmetic). Levels are computed once per process
 * and shared by every caller (stages, evaluation, the CLI), keyed by dataset, channels and
 * resolution; see {@link Datasets#resolve}.
 */
public final class Pyramid {
    private static final Map<String, ImageDataset> CACHE = new HashMap<>();

    private final Datasets.Source source;
    private final int top;

    Pyramid(Datasets.Source source, int top) {
        this.source = source;
        this.top = top;
    }

    /** The resolution of level 0. */
    public int top() {
        return top;
    }

    /** The dataset at {@code resolution}, which must be {@code top / 2^k}. */
    public ImageDataset level(int resolution) {
        if (!isLevel(top, resolution)) {
            throw new IllegalArgumentException(resolution + " is not a power-of-two fraction of " + top);
        }
        return level(source, top, resolution);
    }

    /** Whether {@code resolution} is {@code top / 2^k} for some {@code k ≥ 0}. */
    static boolean isLevel(int top, int resolution) {
        if (resolution <= 0 || resolution > top || top % resolution != 0) {
            return false;
        }
        int f = top / resolution;
        return (f & (f - 1)) == 0;
    }

    /** Level {@code resolution} of {@code source}'s pyramid from {@code top}, from the cache or by halving the level above. */
    static synchronized ImageDataset level(Datasets.Source source, int top, int resolution) {
        if (resolution == top) {
            return cached(source, top, () -> source.load(top));
        }
        String key = key(source, resolution) + "|top " + top;
        ImageDataset d = CACHE.get(key);
        if (d == null) {
            d = halve(level(source, top, resolution * 2));
            CACHE.put(key, d);
        }
        return d;
    }

    /** {@code source} read directly at {@code resolution}, from the cache or by {@code load}. */
    static synchronized ImageDataset cached(Datasets.Source source, int resolution, Supplier<ImageDataset> load) {
        String key = key(source, resolution);
        ImageDataset d = CACHE.get(key);
        if (d == null) {
            d = load.get();
            CACHE.put(key, d);
        }
        return d;
    }

    private static String key(Datasets.Source source, int resolution) {
        return source.id() + "|" + resolution;
    }

    /** Each image's 2×2 area mean, rounded half up: {@code C × H × W → C × H/2 × W/2} (H and W even). */
    public static ImageDataset halve(ImageDataset d) {
        int c = d.channels();
        int h = d.height();
        int w = d.width();
        if (h % 2 != 0 || w % 2 != 0) {
            throw new IllegalArgumentException("cannot halve " + h + "x" + w + " images (odd side)");
        }
        int oh = h / 2;
        int ow = w / 2;
        byte[] src = d.pixelBytes();
        int in = c * h * w;
        int out = c * oh * ow;
        byte[] dst = new byte[d.size() * out];
        for (int i = 0; i < d.size(); i++) {
            for (int ch = 0; ch < c; ch++) {
                int s = i * in + ch * h * w;
                int t = i * out + ch * oh * ow;
                for (int y = 0; y < oh; y++) {
                    int r0 = s + 2 * y * w;
                    int r1 = r0 + w;
                    for (int x = 0; x < ow; x++) {
                        int sum = (src[r0 + 2 * x] & 0xFF) + (src[r0 + 2 * x + 1] & 0xFF) + (src[r1 + 2 * x] & 0xFF)
                                + (src[r1 + 2 * x + 1] & 0xFF);
                        dst[t + y * ow + x] = (byte) ((sum + 2) >> 2);
                    }
                }
            }
        }
        return new ImageDataset(dst, d.classNames().isEmpty() ? null : d.labelArray(), c, oh, ow, d.classNames());
    }
}
