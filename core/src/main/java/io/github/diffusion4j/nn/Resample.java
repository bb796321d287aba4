package io.github.diffusion4j.nn;

import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Parameter-free resampling of [B, C, H, W] maps: area (box-filter) downsampling by an integer
 * factor (EDM's [1,1] resample filter at factor 2), nearest-neighbour and bilinear upsampling,
 * bilinear resizing to a fixed size ({@code align_corners=False}, no antialiasing, as
 * {@code F.interpolate}), and the pixel shuffle / unshuffle of Shi et al. 2016 (depth-to-space and
 * its inverse).
 */
public final class Resample implements Layer {
    /** The resampling kinds. */
    public enum Kind { IDENTITY, AREA_DOWN, NEAREST_UP, BILINEAR_UP, BILINEAR_TO, PIXEL_SHUFFLE, PIXEL_UNSHUFFLE }

    /** The identity. */
    public static final Resample NONE = new Resample(Kind.IDENTITY, 1, 0, 0);

    private final Kind kind;
    private final int factor;
    private final long height;
    private final long width;

    private Resample(Kind kind, int factor, long height, long width) {
        if (factor < 1 || (kind == Kind.BILINEAR_TO && (height < 1 || width < 1))) {
            throw new IllegalArgumentException("bad resample " + kind + " factor " + factor);
        }
        this.kind = kind;
        this.factor = factor;
        this.height = height;
        this.width = width;
    }

    /** Mean over non-overlapping {@code f×f} boxes (average pooling, kernel = stride = f). */
    public static Resample areaDown(int f) {
        return new Resample(Kind.AREA_DOWN, f, 0, 0);
    }

    /** Each pixel repeated {@code f×f} times. */
    public static Resample nearestUp(int f) {
        return new Resample(Kind.NEAREST_UP, f, 0, 0);
    }

    /** Bilinear interpolation to {@code f} times the size ({@code align_corners=False}). */
    public static Resample bilinearUp(int f) {
        return new Resample(Kind.BILINEAR_UP, f, 0, 0);
    }

    /** Bilinear interpolation to {@code height×width} ({@code align_corners=False}, no antialiasing). */
    public static Resample bilinearTo(long height, long width) {
        return new Resample(Kind.BILINEAR_TO, 1, height, width);
    }

    /** [B, C·r², H, W] → [B, C, H·r, W·r] (channel c·r² + i·r + j goes to offset (i, j)). */
    public static Resample pixelShuffle(int r) {
        return new Resample(Kind.PIXEL_SHUFFLE, r, 0, 0);
    }

    /** [B, C, H·r, W·r] → [B, C·r², H, W], the inverse of {@link #pixelShuffle}. */
    public static Resample pixelUnshuffle(int r) {
        return new Resample(Kind.PIXEL_UNSHUFFLE, r, 0, 0);
    }

    @Override
    public Tensor forward(Tensor x) {
        return switch (kind) {
            case IDENTITY -> x;
            case AREA_DOWN -> torch.avg_pool2d(x, factor, factor);
            case NEAREST_UP -> torch.upsample_nearest2d(x, factor * x.size(2), factor * x.size(3));
            case BILINEAR_UP -> torch.upsample_bilinear2d(x, new long[] {factor * x.size(2), factor * x.size(3)}, false);
            case BILINEAR_TO -> torch.upsample_bilinear2d(x, new long[] {height, width}, false);
            case PIXEL_SHUFFLE -> torch.pixel_shuffle(x, factor);
            case PIXEL_UNSHUFFLE -> torch.pixel_unshuffle(x, factor);
        };
    }

    @Override
    public long[] outputShape(long... in) {
        if (in.length != 4) {
            throw new IllegalArgumentException("Resample expects [B, C, H, W], got " + Arrays.toString(in));
        }
        long f = factor;
        long r2 = f * f;
        boolean divisible = switch (kind) {
            case AREA_DOWN, PIXEL_UNSHUFFLE -> in[2] % f == 0 && in[3] % f == 0;
            case PIXEL_SHUFFLE -> in[1] % r2 == 0;
            default -> true;
        };
        if (!divisible) {
            throw new IllegalArgumentException("Resample " + kind + " by " + f + " does not divide " + Arrays.toString(in));
        }
        return switch (kind) {
            case IDENTITY -> in.clone();
            case AREA_DOWN -> new long[] {in[0], in[1], in[2] / f, in[3] / f};
            case NEAREST_UP, BILINEAR_UP -> new long[] {in[0], in[1], in[2] * f, in[3] * f};
            case BILINEAR_TO -> new long[] {in[0], in[1], height, width};
            case PIXEL_SHUFFLE -> new long[] {in[0], in[1] / r2, in[2] * f, in[3] * f};
            case PIXEL_UNSHUFFLE -> new long[] {in[0], in[1] * r2, in[2] / f, in[3] / f};
        };
    }

    /** 0: resampling is not counted. */
    @Override
    public double flops(long... in) {
        outputShape(in);
        return 0;
    }

    @Override
    public long parameterCount() {
        return 0;
    }

    public Kind kind() {
        return kind;
    }

    public int factor() {
        return factor;
    }
}
