package io.github.diffusion4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossPlotTest {

    @TempDir
    Path tmp;

    @Test
    void logTicksAreLabelledWithTheValuesTheyStandFor() {
        assertThat(LossPlot.logTickLabel(0)).isEqualTo("1");
        assertThat(LossPlot.logTickLabel(-1)).isEqualTo("0.1");
        assertThat(LossPlot.logTickLabel(Math.log10(0.5))).isEqualTo("0.5");
        assertThat(LossPlot.logTickLabel(-0.8)).isEqualTo("0.16");
        assertThat(LossPlot.logTickLabel(0.1)).isEqualTo("1.3");
        assertThat(LossPlot.logTickLabel(1.4)).isEqualTo("25");
        assertThat(LossPlot.logTickLabel(Double.NEGATIVE_INFINITY)).isEmpty();
    }

    @Test
    void theLossPlotIsWritten() throws IOException {
        Path stats = tmp.resolve("stats.jsonl");
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 20; i++) {
            sb.append(String.format(java.util.Locale.ROOT, "{\"kimg\": %d, \"loss\": %.4f}%n", i, 0.15 + 1.0 / i));
        }
        Files.writeString(stats, sb.toString());
        Path png = tmp.resolve("loss.png");
        LossPlot.write(stats, png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(800);
        assertThat(tmp.resolve("metrics.png")).doesNotExist(); // no fd values
    }
}
