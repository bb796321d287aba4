package io.github.diffusion4j.cli;

import io.github.diffusion4j.experiment.ExperimentSpec;
import io.github.diffusion4j.experiment.VariantResult;
import io.github.diffusion4j.io.AtomicFiles;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import tools.jackson.core.type.TypeReference;

/**
 * The report of an experiment directory, from what is on disk only ({@code spec.yml}, the spec's copy,
 * {@code variants/*.json}, {@code variants/floor.json}, the sample strips): results.md (one table),
 * results.json, FD against images seen, FD against sampling cost and NFE, and the montage.
 */
final class ExperimentReport {
    private ExperimentReport() {}

    /** Rebuilds every report file of {@code dir}; returns the variants reported. */
    static List<VariantResult> write(Path dir) throws IOException {
        Path specFile = dir.resolve("spec.yml");
        if (!Files.isRegularFile(specFile)) {
            throw new UserException(dir + ": not an experiment directory (no spec.yml; run d4j experiment run SPEC.yaml first)");
        }
        ExperimentSpec spec = ExperimentSpec.load(specFile);
        List<VariantResult> results = new ArrayList<>();
        for (ExperimentSpec.Variant v : spec.variants()) {
            Path f = dir.resolve("variants").resolve(v.name() + ".json");
            if (Files.exists(f)) {
                results.add(Json.MAPPER.readValue(Files.readString(f), VariantResult.class));
            }
        }
        if (results.isEmpty()) {
            throw new UserException(dir + ": no variant has results yet (variants/*.json)");
        }
        Path floorFile = dir.resolve("variants").resolve("floor.json");
        Map<String, Object> floor = Files.exists(floorFile)
                ? Json.MAPPER.readValue(Files.readString(floorFile), new TypeReference<Map<String, Object>>() {})
                : Map.of();
        write(dir.resolve("results.md"), markdown(spec, results, floor));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("experiment", spec.name());
        json.put("description", spec.description());
        json.put("budget", spec.budget());
        json.put("protocol", spec.evaluation());
        json.put("floor", floor);
        json.put("variants", results);
        write(dir.resolve("results.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n");
        curvePlot(spec, results, dir.resolve("fd-vs-images.png"));
        costPlot(spec, results, "sampling GFLOP per image", VariantResult.Evaluation::samplingGflopPerImage, dir.resolve("fd-vs-cost.png"));
        costPlot(spec, results, "network evaluations per sample (NFE)", e -> e.nfe(), dir.resolve("fd-vs-nfe.png"));
        levelPlot(spec, results, dir.resolve("fd-vs-level.png"));
        montage(spec, dir);
        return results;
    }

    static String markdown(ExperimentSpec spec, List<VariantResult> results, Map<String, Object> floor) {
        ExperimentSpec.Protocol p = spec.evaluation();
        StringBuilder md = new StringBuilder();
        md.append("# ").append(spec.name()).append("\n\n");
        if (!spec.description().isBlank()) {
            md.append(spec.description().strip()).append("\n\n");
        }
        md.append("Made by `d4j experiment run` on the spec `").append(spec.name()).append(".yaml` (`spec.yml` here is its copy);"
                + " `d4j experiment report` on this folder rebuilds the report from `variants/`.\n\n");
        if (!spec.set().isEmpty()) {
            md.append("- Every variant: ").append(spec.base() == null ? "" : "`" + spec.base() + "` with ").append("`")
                    .append(String.join("`, `", spec.set())).append("`.\n");
        }
        var b = spec.budget();
        md.append("- Budget, equal for every variant: ").append(b.images() != null ? String.format(Locale.ROOT, "%,d images seen", b.images())
                : String.format(Locale.ROOT, "%,.0f training GFLOP", b.gflops())).append(" (rounded up to whole batches), ")
                .append(b.checkpoints()).append(" checkpoints.\n");
        md.append("- Protocol: n = ").append(p.n()).append(" samples (seeds 0..").append(p.n() - 1).append(") against ").append(p.n())
                .append(" reference images (").append(p.reference().isBlank() ? "the dataset's test split" : p.reference()).append("), features ")
                .append(p.features().isBlank() ? "of the dataset (NAME-v1)" : p.features()).append(", guidance ").append(p.guidance())
                .append("; checkpoint curve: n = ").append(p.duringTraining()).append(" with the first sampler setting.\n");
        md.append("- Training GFLOP/image = 3 x the analytic forward pass (forward + backward); sampling GFLOP/image = NFE x the mean"
                + " network cost of an evaluation as spent (skipped bricks cost nothing)")
                .append(p.guidance() == 1.0 ? "" : " x 2 (guidance)").append(". Times are wall-clock on the machine named per variant.\n\n");
        boolean cascades = results.stream().anyMatch(r -> !r.stages().isEmpty()
                || r.evaluations().stream().anyMatch(e -> !e.settingName().isEmpty()));
        md.append("| variant | parameters | training GFLOP/image | images seen | training img/s | sampler, steps (NFE)")
                .append(cascades ? " | setting | sampling GFLOP/image" : "").append(" | sampling s/image | FD | KID | precision | recall | label accuracy |\n");
        md.append("|---|---:|---:|---:|---:|---|").append(cascades ? "---|---:|" : "").append("---:|---:|---:|---:|---:|---:|\n");
        for (VariantResult r : results) {
            List<VariantResult.Evaluation> evals = r.evaluations().isEmpty() ? java.util.Collections.singletonList(null) : r.evaluations();
            for (VariantResult.Evaluation e : evals) {
                if (r.stages().isEmpty()) {
                    md.append(String.format(Locale.ROOT, "| %s | %,d | %.3f | %,d | %.1f | ", r.name(), r.parameters(), r.trainGflopPerImage(),
                            r.imagesSeen(), r.trainImagesPerSecond()));
                } else { // a cascade: per stage, stage 0 first
                    md.append(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s | ", r.name(), r.parameters(),
                            joined(r, st -> String.format(Locale.ROOT, "%.3f", st.trainGflopPerImage())),
                            joined(r, st -> String.format(Locale.ROOT, "%,d", st.imagesSeen())),
                            joined(r, st -> String.format(Locale.ROOT, "%.1f", st.trainImagesPerSecond()))));
                }
                if (e == null) {
                    md.append("not measured yet | | | | | | |").append(cascades ? " | |" : "").append("\n");
                } else {
                    md.append(String.format(Locale.ROOT, "%s, %d (%d) | ", e.sampler(), e.steps(), e.nfe()));
                    if (cascades) {
                        md.append(e.settingName()).append(String.format(Locale.ROOT, " | %.3g | ",
                                e.samplingGflopPerImage()));
                    }
                    md.append(String.format(Locale.ROOT, "%.3f | %.3f | %.3g | %.3f | %.3f | %s |\n",
                            e.samplingSecondsPerImage(), e.fd(), e.kid(), e.precision(), e.recall(),
                            e.labelAccuracy() == null ? "" : String.format(Locale.ROOT, "%.3f", e.labelAccuracy())));
                }
            }
        }
        if (floor.get("fd") instanceof Number fd) {
            md.append(String.format(Locale.ROOT, "| floor: real vs real (%s vs %s), n = %s | | | | | |" + (cascades ? " | |" : "")
                    + " | %.3f | %.3g | %.3f | %.3f | |%n",
                    floor.get("train"), floor.get("test"), floor.get("n"), fd.doubleValue(), ((Number) floor.get("kid")).doubleValue(),
                    ((Number) floor.get("precision")).doubleValue(), ((Number) floor.get("recall")).doubleValue()));
        }
        if (!(floor.get("fd") instanceof Number)) {
            md.append("\nNo real-versus-real floor: the dataset has no train and test splits to compare.\n");
        }
        md.append("\n");
        for (VariantResult r : results) {
            md.append("- **").append(r.name()).append("**");
            if (!r.description().isBlank()) {
                md.append(": ").append(r.description().strip());
            }
            md.append(r.overrides().isEmpty() ? " (no overrides)" : " — `" + String.join("`, `", r.overrides()) + "`");
            if (r.stages().isEmpty()) {
                md.append(String.format(Locale.ROOT, "; %,d steps of batch %d", r.steps(), r.batch()));
            } else {
                md.append(String.format(Locale.ROOT, "; a cascade of %d stages at %s px, %s images seen (training %,.0f GFLOP in all); the protocol"
                        + " point sets its last stage's sampler and steps (a relay stage keeps the relay sampler and truncates its grid), NFE is"
                        + " the last stage's, sampling GFLOP/image and s/image the whole chain's", r.stages().size(),
                        joined(r, st -> Integer.toString(st.resolution())).replace(" + ", " → "),
                        joined(r, st -> String.format(Locale.ROOT, "%,d", st.imagesSeen())), r.trainGflop()));
            }
            if (r.machine() != null) {
                md.append("; ran on ").append(r.machine());
            }
            md.append(".\n");
        }
        md.append("\nPlots: `fd-vs-images.png` (checkpoint curve), `fd-vs-cost.png`, `fd-vs-nfe.png`")
                .append(results.stream().anyMatch(r -> !sweeps(r).isEmpty()) ? ", `fd-vs-level.png` (a cascade's sweep over its levels)" : "")
                .append("; samples: `montage.png` (one row per variant, the same seeds).\n");
        return md.toString();
    }

    /** A cascade's per-stage values, stage 0 first, joined by " + ". */
    private static String joined(VariantResult r, java.util.function.Function<VariantResult.Stage, String> f) {
        return String.join(" + ", r.stages().stream().map(f).toList());
    }

    private static void curvePlot(ExperimentSpec spec, List<VariantResult> results, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(480)
                .title("FD during training (n = " + spec.evaluation().duringTraining() + " per checkpoint)")
                .xAxisTitle("kimg (thousands of images seen)").yAxisTitle("FD").build();
        boolean any = false;
        for (VariantResult r : results) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (VariantResult.CurvePoint c : r.curve()) {
                if (Double.isFinite(c.fd())) {
                    x.add(c.kimg());
                    y.add(c.fd());
                }
            }
            if (!x.isEmpty()) {
                chart.addSeries(r.name(), x, y);
                any = true;
            }
        }
        save(chart, any, png);
    }

    private static void costPlot(ExperimentSpec spec, List<VariantResult> results, String axis,
            ToDoubleFunction<VariantResult.Evaluation> cost, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(480).title("FD against sampling cost (n = " + spec.evaluation().n() + ")")
                .xAxisTitle(axis).yAxisTitle("FD").build();
        boolean any = false;
        for (VariantResult r : results) {
            Map<String, List<VariantResult.Evaluation>> bySampler = new LinkedHashMap<>();
            r.evaluations().forEach(e -> bySampler.computeIfAbsent(e.sampler() + (e.settingName().isEmpty() ? "" : " " + e.settingName()),
                    k -> new ArrayList<>()).add(e)); // one line per sampler, and per level setting of a cascade
            boolean oneLine = bySampler.size() == 1;
            for (var entry : bySampler.entrySet()) {
                List<VariantResult.Evaluation> es = entry.getValue().stream()
                        .sorted(java.util.Comparator.comparingDouble(cost)).toList();
                XYSeries s = chart.addSeries(oneLine ? r.name() : r.name() + " " + entry.getKey(),
                        es.stream().map(e -> cost.applyAsDouble(e)).toList(), es.stream().map(VariantResult.Evaluation::fd).toList());
                s.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.CIRCLE);
                any = true;
            }
        }
        save(chart, any, png);
    }

    /**
     * The sweep curves of a cascade (CDM's augmentation-level sweep, Ho et al. 2021, Sec. 4.2; Relay's truncation σ): FD against
     * the level that varies, one line per variant, point and mode with at least two levels.
     */
    private static void levelPlot(ExperimentSpec spec, List<VariantResult> results, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(480).title("FD against the swept level (n = " + spec.evaluation().n() + ")")
                .xAxisTitle("level of the swept stage (SR: augmentation sigma; relay: truncation sigma)").yAxisTitle("FD").build();
        boolean any = false;
        for (VariantResult r : results) {
            for (var entry : sweeps(r).entrySet()) {
                List<VariantResult.Evaluation> es = entry.getValue();
                int j = sweptIndex(es);
                es = es.stream().sorted(java.util.Comparator.comparingDouble(e -> e.levels().get(j))).toList();
                XYSeries s = chart.addSeries(r.name() + " " + entry.getKey(), es.stream().map(e -> e.levels().get(j)).toList(),
                        es.stream().map(VariantResult.Evaluation::fd).toList());
                s.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.CIRCLE);
                any = true;
            }
        }
        save(chart, any, png);
    }

    /** A cascade's evaluations by (sampler, steps, mode), only the groups whose levels differ in some stage. */
    static Map<String, List<VariantResult.Evaluation>> sweeps(VariantResult r) {
        Map<String, List<VariantResult.Evaluation>> groups = new LinkedHashMap<>();
        r.evaluations().stream().filter(e -> e.levels() != null && !e.levels().isEmpty()).forEach(e -> groups.computeIfAbsent(
                e.sampler() + " " + e.steps() + (Boolean.TRUE.equals(e.truncated()) ? " truncated" : ""), k -> new ArrayList<>()).add(e));
        groups.values().removeIf(es -> sweptIndex(es) < 0);
        return groups;
    }

    /** The first stage whose level differs among {@code es}, or −1. */
    private static int sweptIndex(List<VariantResult.Evaluation> es) {
        for (int j = 0; j < es.get(0).levels().size(); j++) {
            int k = j;
            if (es.stream().map(e -> e.levels().get(k)).distinct().count() > 1) {
                return j;
            }
        }
        return -1;
    }

    private static void save(XYChart chart, boolean any, Path png) throws IOException {
        if (!any) {
            return;
        }
        // FDs that span more than a decade (a failed variant beside good ones) on a log axis, so every line stays readable
        double[] fd = chart.getSeriesCollection().stream().flatMapToDouble(series -> java.util.Arrays.stream(series.getYData()))
                .filter(Double::isFinite).toArray();
        double lo = java.util.Arrays.stream(fd).min().orElse(1);
        double hi = java.util.Arrays.stream(fd).max().orElse(1);
        if (lo > 0 && hi / lo > 10) {
            chart.getStyler().setYAxisLogarithmic(true);
            chart.setYAxisTitle(chart.getYAxisTitle() + " (log scale)");
        }
        Path tmp = png.resolveSibling("." + png.getFileName() + ".tmp.png");
        BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
        Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Every variant's sample strip (the same seeds), one labelled row each, images scaled to at least 64 px. */
    private static void montage(ExperimentSpec spec, Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        List<BufferedImage> strips = new ArrayList<>();
        for (ExperimentSpec.Variant v : spec.variants()) {
            Path f = dir.resolve("variants").resolve(v.name() + "-samples.png");
            if (Files.exists(f)) {
                names.add(v.name());
                strips.add(ImageIO.read(f.toFile()));
            }
        }
        if (strips.isEmpty()) {
            return;
        }
        int k = Math.max(1, spec.evaluation().montage());
        int cell = strips.get(0).getWidth() / k;
        int scale = Math.max(1, (64 + cell - 1) / cell);
        int label = 160;
        int width = label + strips.stream().mapToInt(BufferedImage::getWidth).max().orElse(0) * scale;
        int rowHeight = strips.stream().mapToInt(BufferedImage::getHeight).max().orElse(0) * scale;
        BufferedImage out = new BufferedImage(width, rowHeight * strips.size(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        for (int i = 0; i < strips.size(); i++) {
            BufferedImage s = strips.get(i);
            g.setColor(Color.BLACK);
            g.drawString(names.get(i), 8, i * rowHeight + rowHeight / 2 + 5);
            g.drawImage(s, label, i * rowHeight, s.getWidth() * scale, s.getHeight() * scale, null);
        }
        g.dispose();
        Path png = dir.resolve("montage.png");
        AtomicFiles.write(png, (channel, o) -> ImageIO.write(out, "png", o));
    }

    private static void write(Path file, String text) throws IOException {
        AtomicFiles.write(file, (channel, o) -> o.write(text.getBytes(StandardCharsets.UTF_8)));
    }
}
