package io.github.diffusion4j.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/** Decoded images to uint8 CHW planes: alpha composited onto white, colour to grey by ITU-R 601 luma. */
final class Pixels {
    private Pixels() {}

    /**
     * {@code img} as {@code 1 × h × w} (grayscale) or {@code 3 × h × w} bytes. Grey images are read
     * from their raster, because {@code getRGB} would apply the linear-to-sRGB curve of Java's grey
     * colour space and change the stored values (128 would become 188).
     */
    static byte[] planes(BufferedImage img, boolean grayscale) {
        ColorModel cm = img.getColorModel();
        if (cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(cm instanceof IndexColorModel)) {
            return fromGrayRaster(img, grayscale ? 1 : 3);
        }
        return fromRgb(img, grayscale);
    }

    private static byte[] fromGrayRaster(BufferedImage img, int channels) {
        int w = img.getWidth();
        int h = img.getHeight();
        ColorModel cm = img.getColorModel();
        Raster raster = img.getRaster();
        boolean alpha = cm.hasAlpha();
        boolean premultiplied = cm.isAlphaPremultiplied();
        int alphaBand = raster.getNumBands() - 1;
        double grayScale = 255.0 / ((1L << cm.getComponentSize(0)) - 1);
        double alphaScale = alpha ? 255.0 / ((1L << cm.getComponentSize(alphaBand)) - 1) : 0;
        byte[] out = new byte[channels * h * w];
        int[] gray = new int[w];
        int[] opacity = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, gray);
            if (alpha) {
                raster.getSamples(0, y, w, 1, alphaBand, opacity);
            }
            for (int x = 0; x < w; x++) {
                int g = (int) Math.round(gray[x] * grayScale);
                int v = alpha ? over(g, (int) Math.round(opacity[x] * alphaScale), premultiplied) : g;
                for (int ch = 0; ch < channels; ch++) {
                    out[(ch * h + y) * w + x] = (byte) v;
                }
            }
        }
        return out;
    }

    private static byte[] fromRgb(BufferedImage img, boolean grayscale) {
        int w = img.getWidth();
        int h = img.getHeight();
        int plane = h * w;
        byte[] out = new byte[(grayscale ? 1 : 3) * plane];
        int[] argb = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, argb, 0, w); // non-premultiplied sRGB
            for (int x = 0; x < w; x++) {
                int p = argb[x];
                int a = p >>> 24;
                int r = over(p >> 16 & 0xFF, a, false);
                int g = over(p >> 8 & 0xFF, a, false);
                int b = over(p & 0xFF, a, false);
                int at = y * w + x;
                if (grayscale) {
                    out[at] = (byte) ((299 * r + 587 * g + 114 * b + 500) / 1000);
                } else {
                    out[at] = (byte) r;
                    out[plane + at] = (byte) g;
                    out[2 * plane + at] = (byte) b;
                }
            }
        }
        return out;
    }

    /** Value {@code v} with opacity {@code a} (both 0..255) composited over white. */
    static int over(int v, int a, boolean premultiplied) {
        if (premultiplied) {
            return Math.min(255, v + 255 - a);
        }
        return (v * a + 255 * (255 - a) + 127) / 255;
    }
}
