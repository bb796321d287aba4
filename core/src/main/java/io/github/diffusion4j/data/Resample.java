package io.github.diffusion4j.data;

import java.util.Arrays;

/** Crops, resizes (area when shrinking, bilinear when enlarging) and pads uint8 images in CHW order. */
final class Resample {
    private Resample() {}

    /** The centred square crop of a {@code c × h × w} image, resized to {@code res × res}. */
    static byte[] cropSquare(byte[] src, int c, int h, int w, int res) {
        int side = Math.min(h, w);
        return resize(src, c, h, w, (h - side) / 2, (w - side) / 2, side, side, res, res);
    }

    /** A {@code c × h × w} image resized to {@code outH × outW}. */
    static byte[] resize(byte[] src, int c, int h, int w, int outH, int outW) {
        return resize(src, c, h, w, 0, 0, h, w, outH, outW);
    }

    /** The window {@code [y0, y0+wh) × [x0, x0+ww)} of a {@code c × h × w} image resized to {@code outH × outW}. */
    static byte[] resize(byte[] src, int c, int h, int w, int y0, int x0, int wh, int ww, int outH, int outW) {
        Kernel kx = Kernel.of(ww, outW);
        Kernel ky = Kernel.of(wh, outH);
        byte[] out = new byte[c * outH * outW];
        double[] rows = new double[wh * outW];
        for (int ch = 0; ch < c; ch++) {
            int plane = ch * h * w;
            for (int y = 0; y < wh; y++) {
                int rowStart = plane + (y0 + y) * w + x0;
                for (int j = 0; j < outW; j++) {
                    int[] idx = kx.index[j];
                    double[] wt = kx.weight[j];
                    double s = 0;
                    for (int t = 0; t < idx.length; t++) {
                        s += wt[t] * (src[rowStart + idx[t]] & 0xFF);
                    }
                    rows[y * outW + j] = s;
                }
            }
            int outPlane = ch * outH * outW;
            for (int i = 0; i < outH; i++) {
                int[] idx = ky.index[i];
                double[] wt = ky.weight[i];
                for (int j = 0; j < outW; j++) {
                    double s = 0;
                    for (int t = 0; t < idx.length; t++) {
                        s += wt[t] * rows[idx[t] * outW + j];
                    }
                    out[outPlane + i * outW + j] = (byte) Math.max(0, Math.min(255, Math.round(s)));
                }
            }
        }
        return out;
    }

    /** A {@code c × h × w} image centred on an {@code outH × outW} canvas filled with {@code fill}. */
    static byte[] pad(byte[] src, int c, int h, int w, int outH, int outW, byte fill) {
        if (outH < h || outW < w) {
            throw new IllegalArgumentException("cannot pad " + h + "x" + w + " to " + outH + "x" + outW);
        }
        byte[] out = new byte[c * outH * outW];
        Arrays.fill(out, fill);
        int top = (outH - h) / 2;
        int left = (outW - w) / 2;
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(src, (ch * h + y) * w, out, (ch * outH + top + y) * outW + left, w);
            }
        }
        return out;
    }

    /** For each output position along one axis, the input positions it reads and their weights. */
    private static final class Kernel {
        final int[][] index;
        final double[][] weight;

        private Kernel(int out) {
            index = new int[out][];
            weight = new double[out][];
        }

        static Kernel of(int in, int out) {
            Kernel k = new Kernel(out);
            for (int j = 0; j < out; j++) {
                if (in == out) {
                    k.index[j] = new int[] {j};
                    k.weight[j] = new double[] {1};
                } else if (out < in) {
                    k.area(j, in, out);
                } else {
                    k.bilinear(j, in, out);
                }
            }
            return k;
        }

        /** Output pixel {@code j} averages the input interval {@code [j·in/out, (j+1)·in/out)}, weighted by overlap. */
        private void area(int j, int in, int out) {
            double lo = (double) j * in / out;
            double hi = (double) (j + 1) * in / out;
            int first = (int) Math.floor(lo);
            int last = Math.min(in - 1, (int) Math.ceil(hi) - 1);
            int n = last - first + 1;
            index[j] = new int[n];
            weight[j] = new double[n];
            double total = 0;
            for (int t = 0; t < n; t++) {
                int i = first + t;
                double overlap = Math.max(0, Math.min(hi, i + 1) - Math.max(lo, i));
                index[j][t] = i;
                weight[j][t] = overlap;
                total += overlap;
            }
            for (int t = 0; t < n; t++) {
                weight[j][t] /= total;
            }
        }

        /** Output pixel {@code j} interpolates between the two inputs around its centre, clamped at the edges. */
        private void bilinear(int j, int in, int out) {
            double x = (j + 0.5) * in / out - 0.5;
            int i0 = (int) Math.floor(x);
            double f = x - i0;
            int a = Math.max(0, Math.min(in - 1, i0));
            int b = Math.max(0, Math.min(in - 1, i0 + 1));
            if (a == b) {
                index[j] = new int[] {a};
                weight[j] = new double[] {1};
            } else {
                index[j] = new int[] {a, b};
                weight[j] = new double[] {1 - f, f};
            }
        }
    }
}
