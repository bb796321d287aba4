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

/** Draws loss.png from a run's stats.jsonl (loss against thousands of images seen, log scale). */
final class LossPlot {
    private LossPlot() {}

    static void write(Path stats, Path png) throws IOException {
        if (!Files.exists(stats)) {
            return;
        }
        List<Double> kimg = new ArrayList<>();
        List<Double> loss = new ArrayList<>();
        for (String line : Files.readAllLines(stats)) {
            if (line.isBlank()) {
                continue;
            }
            Map<String, Object> row = Json.MAPPER.readValue(line, new TypeReference<Map<String, Object>>() {});
            double l = ((Number) row.get("loss")).doubleValue();
            if (l > 0 && Double.isFinite(l)) {
                kimg.add(((Number) row.get("kimg")).doubleValue());
                loss.add(l);
            }
        }
        if (kimg.isEmpty()) {
            return;
        }
        XYChart chart = new XYChartBuilder().width(800).height(480).title("training loss")
                .xAxisTitle("kimg (thousands of images seen)").yAxisTitle("loss").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setMarkerSize(0);
        chart.addSeries("loss", kimg, loss);
        Path tmp = png.resolveSibling(".loss-plot-tmp.png");
        BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
        Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
