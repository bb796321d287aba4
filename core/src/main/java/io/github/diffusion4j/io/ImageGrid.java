package io.github.diffusion4j.io;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;

/**
 * Writes images in [−1, 1] (C×H×W, C = 1 or 3) as PNG, singly or tiled in a grid, quantised as
 * EDM's {@code generate.py} does: clip(x·127.5 + 128, 0, 255), truncated to uint8.
 */
public final class ImageGrid {
    private ImageGrid() {}

    /** EDM's quantisation of one value in [−1, 1] to a byte. */
    public static int quantise(double v) {
        double q = v * 127.5 + 128;
        return (int) Math.max(0, Math.min(255, q));
    }

    /** One image as a {@link BufferedImage}; {@code pixels} is C×H×W in C order. */
    public static BufferedImage image(double[] pixels, int channels, int height, int width) {
        return grid(new double[][] {pixels}, channels, height, width, 1);
    }

    /** {@code images} tiled row-major into {@code columns} columns with no padding. */
    public static BufferedImage grid(double[][] images, int channels, int height, int width, int columns) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("PNG output needs 1 or 3 channels, got " + channels);
        }
        int rows = (images.length + columns - 1) / columns;
        BufferedImage out = new BufferedImage(columns * width, rows * height,
                channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        int plane = height * width;
        for (int k = 0; k < images.length; k++) {
            double[] px = images[k];
            if (px.length != channels * plane) {
                throw new IllegalArgumentException("image " + k + " has " + px.length + " values, expected " + channels * plane);
            }
            int ox = (k % columns) * width;
            int oy = (k / columns) * height;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int i = y * width + x;
                    if (channels == 1) {
                        out.getRaster().setSample(ox + x, oy + y, 0, quantise(px[i]));
                    } else {
                        int rgb = quantise(px[i]) << 16 | quantise(px[plane + i]) << 8 | quantise(px[2 * plane + i]);
                        out.setRGB(ox + x, oy + y, rgb);
                    }
                }
            }
        }
        return out;
    }

    /** Writes {@code image} as PNG through a temporary file and an atomic rename. */
    public static void writePng(BufferedImage image, Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try {
                if (!ImageIO.write(image, "png", tmp.toFile())) {
                    throw new IOException("no PNG writer available");
                }
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write PNG: " + e.getMessage(), e);
        }
    }
}
