package io.github.diffusion4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import tools.jackson.core.type.TypeReference;

/**
 * Draws a run's plots from stats.jsonl against thousands of images seen: loss.png (training loss,
 * log scale) and, when checkpoints were evaluated, metrics.png (Fréchet distance).
 */
final class LossPlot {
    private LossPlot() {}

    static void write(Path stats, Path lossPng) throws IOException {
        if (!Files.exists(stats)) {
            return;
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String line : Files.readAllLines(stats)) {
            if (!line.isBlank()) {
                rows.add(Json.MAPPER.readValue(line, new TypeReference<Map<String, Object>>() {}));
            }
        }
        plot(rows, "loss", "training loss", true, lossPng);
        plot(rows, "fd", "Fréchet distance of EMA samples (evaluation.n per checkpoint)", false,
                lossPng.resolveSibling("metrics.png"));
    }

    private static void plot(List<Map<String, Object>> rows, String key, String title, boolean log, Path png) throws IOException {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            if (row.get(key) instanceof Number v && row.get("kimg") instanceof Number k) {
                double value = v.doubleValue();
                if (Double.isFinite(value) && (!log || value > 0)) {
                    x.add(k.doubleValue());
                    y.add(value);
                }
            }
        }
        if (x.isEmpty()) {
            return;
        }
        XYChart chart = new XYChartBuilder().width(800).height(480).title(title)
                .xAxisTitle("kimg (thousands of images seen)").yAxisTitle(key).build();
        chart.getStyler().setYAxisLogarithmic(log);
        chart.getStyler().setLegendVisible(false);
        chart.addSeries(key, x, y);
        Path tmp = png.resolveSibling("." + png.getFileName() + ".tmp.png");
        BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
        Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
