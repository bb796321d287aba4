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
                try {
                    rows.add(Json.MAPPER.readValue(line, new TypeReference<Map<String, Object>>() {}));
                } catch (tools.jackson.core.JacksonException torn) {
                    // a line cut short by a killed run; the rows around it still plot
                }
            }
        }
        plot(rows, "loss", "training loss", true, lossPng);
        plot(rows, "fd", "Fréchet distance of EMA samples (evaluation.n per checkpoint)", false,
                lossPng.resolveSibling("metrics.png"));
    }

    /** The label of a tick at {@code log10} on a log-scale axis: 10^log10 to two significant digits, e.g. 0.16, 0.2, 1.3, 25. */
    static String logTickLabel(double log10) {
        double v = Math.pow(10, log10);
        if (!Double.isFinite(v) || v <= 0) {
            return "";
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(2)).stripTrailingZeros().toPlainString();
    }

    private static void plot(List<Map<String, Object>> rows, String key, String title, boolean log, Path png) throws IOException {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            if (row.get(key) instanceof Number v && row.get("kimg") instanceof Number k) {
                double value = v.doubleValue();
                if (Double.isFinite(value) && (!log || value > 0)) {
                    x.add(k.doubleValue());
                    y.add(log ? Math.log10(value) : value);
                }
            }
        }
        if (x.isEmpty()) {
            return;
        }
        XYChart chart = new XYChartBuilder().width(800).height(480).title(title)
                .xAxisTitle("kimg (thousands of images seen)").yAxisTitle(log ? key + " (log scale)" : key).build();
        if (log) {
            // log10 of the values on a linear axis, every tick labelled with the value it stands for
            // (XChart's own log axis labels only the powers of ten, often one or none of them)
            chart.getStyler().setYAxisTickLabelsFormattingFunction(LossPlot::logTickLabel);
        }
        chart.getStyler().setLegendVisible(false);
        chart.addSeries(key, x, y);
        Path tmp = png.resolveSibling("." + png.getFileName() + ".tmp.png");
        BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
        Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
