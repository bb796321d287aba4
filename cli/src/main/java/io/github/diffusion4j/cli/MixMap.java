package io.github.diffusion4j.cli;

import io.github.diffusion4j.io.ImageGrid;
import java.awt.image.BufferedImage;

/**
 * The {@code d4j sample --mix-map} picture of dual-output's mixing weight s = sigmoid(r) (Benny &amp;
 * Wolf 2022, Sec. 3): one row per seed, one column per chosen sampler step with s as a grey level
 * round(255·s) (black: s = 0, x₀ entirely from ε̂; white: s = 1, entirely x̂₀), and a last column
 * with the seed's final sample (quantised as {@link ImageGrid}).
 */
final class MixMap {
    /** What the grey levels mean, for the help text and the JSON output. */
    static final String MAPPING = "grey level = round(255*s): black s=0 (x0 from eps-hat), white s=1 (x0-hat)";

    private MixMap() {}

    /** The grey level of a mixing weight s in [0, 1]. */
    static int grey(double s) {
        return (int) Math.round(255 * Math.max(0, Math.min(1, s)));
    }

    /**
     * {@code maps[row][column]} (H·W values of s each) and {@code samples[row]} (C×H×W in [−1, 1])
     * tiled as rows × (columns + 1) cells of H×W pixels.
     */
    static BufferedImage image(double[][][] maps, double[][] samples, int channels, int height, int width) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("PNG output needs 1 or 3 channels, got " + channels);
        }
        int rows = maps.length;
        int columns = rows == 0 ? 0 : maps[0].length;
        int plane = height * width;
        BufferedImage out = new BufferedImage((columns + 1) * width, rows * height, BufferedImage.TYPE_INT_RGB);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c <= columns; c++) {
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        int i = y * width + x;
                        int rgb;
                        if (c < columns) {
                            int g = grey(maps[r][c][i]);
                            rgb = g << 16 | g << 8 | g;
                        } else if (channels == 1) {
                            int g = ImageGrid.quantise(samples[r][i]);
                            rgb = g << 16 | g << 8 | g;
                        } else {
                            double[] px = samples[r];
                            rgb = ImageGrid.quantise(px[i]) << 16 | ImageGrid.quantise(px[plane + i]) << 8
                                    | ImageGrid.quantise(px[2 * plane + i]);
                        }
                        out.setRGB(c * width + x, r * height + y, rgb);
                    }
                }
            }
        }
        return out;
    }
}
