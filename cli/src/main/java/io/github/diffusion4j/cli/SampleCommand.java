package io.github.diffusion4j.cli;

import io.github.diffusion4j.assemble.SamplerAssembly;
import io.github.diffusion4j.cascade.Cascade;
import io.github.diffusion4j.config.ExperimentConfig.SamplingConfig;
import io.github.diffusion4j.denoise.BrickSkipping;
import io.github.diffusion4j.denoise.ComputeMeter;
import io.github.diffusion4j.denoise.Exit;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.net.Lego;
import io.github.diffusion4j.nn.Resample;
import io.github.diffusion4j.io.ImageGrid;
import io.github.diffusion4j.param.DualOutput;
import io.github.diffusion4j.sample.Generator;
import io.github.diffusion4j.sample.MixingWeightRecorder;
import io.github.diffusion4j.sample.Samplers;
import io.github.diffusion4j.sample.StepListener;
import io.github.diffusion4j.train.Checkpoint;
import io.github.diffusion4j.train.SampleGrid;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code d4j sample}: one PNG per seed, identical whatever the batch size, and an optional grid. */
@Command(name = "sample", mixinStandardHelpOptions = true, description = "Generate images from a checkpoint.")
final class SampleCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, paramLabel = "RUN_DIR|FILE|CASCADE_DIR",
            description = "A run directory or a .safetensors checkpoint; for a cascade, give it once per stage (stage 0 first)"
                    + " or once with a folder holding " + CascadeSource.FILE + ".")
    List<Path> checkpoints;

    @Option(names = "--aug-level", paramLabel = "L[,L...]",
            description = "Cascades: the conditioning-augmentation level of the SR stages (one for every Gaussian-augmented stage, or one per"
                    + " stage after the base, where a relay stage's entry is its truncation σ); must lie in the range the stage was trained"
                    + " on (default 0 for SR, coupling.truncationSigma for relay).")
    String augLevel;

    @Option(names = "--truncated", description = "Cascades: stop the previous stage's sampler at the level and hand its state on"
            + " (CDM's truncated augmentation) instead of re-noising its final output.")
    boolean truncated;

    @Option(names = "--seeds", paramLabel = "LIST", description = "Seeds, e.g. 0-63 or 1,5,9 (default: ${DEFAULT-VALUE}).")
    String seeds = "0-63";

    @Option(names = "--batch", description = "Samples per batch (default: ${DEFAULT-VALUE}).")
    int batch = 64;

    @Option(names = "--steps", description = "Sampler steps (default: the config's).")
    Integer steps;

    @Option(names = "--sampler", description = "heun, euler, ddim, euler_a or dpmpp_2m (default: the config's).")
    String sampler;

    @Option(names = "--class", paramLabel = "C", description = "Class label for every sample (default: seed mod the number of classes).")
    Integer classLabel;

    @Option(names = "--guidance", paramLabel = "W", description = "Classifier-free guidance weight w; 1 = none (default: the config's).")
    Double guidance;

    @Option(names = "--grid", paramLabel = "FILE.png", description = "Also write all samples as one grid.")
    Path grid;

    @Option(names = "--out-dir", paramLabel = "DIR", description = "Where seed-NNNNNN.png files go (default: ${DEFAULT-VALUE}).")
    Path outDir = Path.of("samples");

    @Option(names = "--precision", paramLabel = "auto|fp32|bf16",
            description = "Arithmetic of the network (default: the config's training.precision; auto = bf16 only on a CPU with native bf16).")
    String precision;

    @Option(names = "--resolution", paramLabel = "HxW",
            description = "Canvas height x width (default: the training resolution); only backbones that accept other canvases (lego) take another.")
    String resolution;

    @Option(names = "--json", description = "Print one JSON object on stdout (for a dual-output checkpoint with the mean mixing weight s of every step).")
    boolean json;

    @Option(names = "--mix-map", paramLabel = "FILE.png",
            description = "Dual-output checkpoints only: write the per-pixel mixing weight s = sigmoid(r) of the first "
                    + MIX_MAP_ROWS + " seeds, one row per seed, one column per --mix-steps step and a last column with the sample; "
                    + MixMap.MAPPING + ".")
    Path mixMap;

    @Option(names = "--mix-steps", paramLabel = "LIST",
            description = "Sampler steps (0 = the first, at sigma_max) the --mix-map shows, e.g. 0,5,17 (default: 4 evenly spaced, first and last included).")
    String mixSteps;

    /** Most seeds (rows) a --mix-map shows. */
    static final int MIX_MAP_ROWS = 8;

    @Override
    public Integer call() throws Exception {
        if (batch < 1) {
            throw new UserException("--batch must be >= 1");
        }
        if (sampler != null && !Samplers.NAMES.contains(sampler)) {
            throw new UserException("--sampler: unknown sampler '" + sampler + "' (expected one of " + String.join(", ", Samplers.NAMES) + ")");
        }
        if (steps != null && steps < 1) {
            throw new UserException("--steps must be >= 1");
        }
        if (guidance != null && !(Double.isFinite(guidance) && guidance >= 0)) {
            throw new UserException("--guidance must be a finite number >= 0 (1 = no guidance), got " + guidance);
        }
        checkPrecision(precision);
        if (mixSteps != null && mixMap == null) {
            throw new UserException("--mix-steps needs --mix-map");
        }
        long[] seedList = Seeds.parse(seeds);
        Engine.init();
        if (CascadeSource.isCascade(checkpoints)) {
            if (resolution != null || mixMap != null) {
                throw new UserException((resolution != null ? "--resolution" : "--mix-map") + " applies to a single checkpoint, not to a cascade");
            }
            return cascade(seedList);
        }
        if (augLevel != null || truncated) {
            throw new UserException((augLevel != null ? "--aug-level" : "--truncated") + " is for cascades (several --checkpoint, or a folder with "
                    + CascadeSource.FILE + ")");
        }
        Path checkpoint = checkpoints.get(0);
        int[] hw = resolution == null ? null : canvas(resolution);
        Checkpoint ck = Checkpoint.load(checkpoint, precision);
        CascadeSource.refuseLoneStage(ck);
        boolean dual = ck.denoiser().parametrisation() instanceof DualOutput;
        if (mixMap != null && !dual) {
            throw new UserException("--mix-map needs a dual-output checkpoint (diffusion.parametrisation: dual), but " + ck.file()
                    + " uses " + ck.denoiser().parametrisation());
        }
        int[] mapSteps = mixMap == null ? new int[0] : mixSteps(mixSteps, steps != null ? steps : ck.config().sampling().steps());
        var cfg = ck.config();
        long[] trained = SamplerAssembly.sampleShape(cfg.data());
        if (hw != null && (hw[0] != trained[1] || hw[1] != trained[2]) && !ck.network().acceptsCanvas(hw[0], hw[1])) {
            throw new UserException("--resolution " + resolution + ": this " + cfg.model().type() + " model samples only at its "
                    + trained[1] + "x" + trained[2] + " training resolution"
                    + (ck.network() instanceof Lego ? " or on canvases whose sides are multiples of every brick size" : ""));
        }
        System.err.println(ck.precision().reason());
        int classes = cfg.model().classes();
        if (classLabel != null && (classLabel < 0 || classLabel >= classes)) {
            throw new UserException("--class " + classLabel + ": the model has " + (classes == 0 ? "no classes" : "classes 0.." + (classes - 1)));
        }
        double w = guidance != null ? guidance : cfg.sampling().guidance();
        if (w != 1.0 && classes == 0) {
            throw new UserException("--guidance needs a class-conditional model");
        }
        SamplingConfig sampling = SamplerAssembly.overridden(cfg.sampling(), sampler, steps, w);
        final long[] canvasShape = hw == null ? trained : new long[] {trained[0], hw[0], hw[1]};
        long[] shape = canvasShape;
        List<Double> stepGflops = stepGflops(ck, sampling, (int) shape[1], (int) shape[2]);
        if (!"none".equals(sampling.skip().mode())) {
            System.err.printf("brick skipping (%s, fraction %s): network GFLOP per image at each step's σ_i: %s (full stack %.4g)%n",
                    sampling.skip().mode(), sampling.skip().fraction(), stepGflops,
                    ck.network().flopsPerSample((int) shape[1], (int) shape[2], Exit.ALL) / 1e9);
        }
        int mapRows = Math.min(MIX_MAP_ROWS, seedList.length);
        MixingWeightRecorder mixing = dual && (json || mixMap != null) ? new MixingWeightRecorder(ck.denoiser(), mapRows, mapSteps) : null;
        ComputeMeter meter = new ComputeMeter();
        Generator g = SamplerAssembly.generator(mixing == null ? ck.denoiser() : mixing.denoiser(), sampling, canvasShape, classes, meter,
                ck.denoiser());
        if (mixing != null && g.sigmas().length - 1 != sampling.steps()) {
            throw new IllegalStateException("a grid of " + sampling.steps() + " steps has " + g.sigmas().length + " levels");
        }
        if (classLabel != null) {
            g = g.withLabels(seed -> classLabel);
        }
        Map<Long, double[]> images = new TreeMap<>();
        List<String> files = new ArrayList<>();
        double[][] firstSamples = new double[mapRows][];
        long t0 = System.nanoTime();
        try (NoGradGuard guard = new NoGradGuard();
                Work work = Work.start("sampling " + seedList.length + " images", seedList.length, "steps")) {
            StepListener progress = work.samplerSteps(Work.batches(seedList.length, batch));
            g.generate(seedList, batch, mixing == null ? progress : mixing.listener(progress), (seed, values) -> {
                if (files.size() < mapRows) {
                    firstSamples[files.size()] = values; // the sink sees the seeds in order, as the recorder numbers its rows
                }
                Path file = outDir.resolve(String.format("seed-%06d.png", seed));
                ImageGrid.writePng(ImageGrid.image(values, (int) canvasShape[0], (int) canvasShape[1], (int) canvasShape[2]), file);
                files.add(file.toString());
                if (grid != null) {
                    images.put(seed, values);
                }
            });
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (grid != null) {
            double[][] all = images.values().toArray(new double[0][]);
            ImageGrid.writePng(ImageGrid.grid(all, (int) shape[0], (int) shape[1], (int) shape[2], SampleGrid.columns(all.length)), grid);
        }
        if (mixMap != null) {
            double[][][] maps = new double[mapRows][mapSteps.length][];
            for (int r = 0; r < mapRows; r++) {
                for (int c = 0; c < mapSteps.length; c++) {
                    maps[r][c] = mixing.map(r, mapSteps[c]);
                }
            }
            ImageGrid.writePng(MixMap.image(maps, firstSamples, (int) shape[0], (int) shape[1], (int) shape[2]), mixMap);
        }
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("checkpoint", ck.file().toString());
            out.put("sampler", sampling.sampler());
            out.put("steps", sampling.steps());
            out.put("guidance", w);
            out.put("images", files);
            out.put("grid", grid == null ? null : grid.toString());
            out.put("resolution", shape[1] + "x" + shape[2]);
            out.put("stepGflops", stepGflops);
            int nfe = SamplerAssembly.sampler(sampling).evaluations(sampling.steps()) * (w == 1.0 ? 1 : 2);
            out.put("nfe", nfe);
            out.put("samplingGflopPerImage", nfe * meter.perEvaluation() / 1e9); // NFE × the mean cost of an evaluation as spent
            out.put("seconds", seconds);
            out.put("mixingWeight", mixing == null ? null : mixing.means());
            out.put("mixMap", mixMap == null ? null : mixMapJson(mixMap, seedList, mapRows, mapSteps, mixing));
            Json.print(out);
        } else {
            System.err.printf("wrote %d images to %s in %.1f s%s%s%n", files.size(), outDir, seconds, grid == null ? "" : " and the grid " + grid,
                    mixMap == null ? "" : " and the mixing-weight map " + mixMap);
        }
        return 0;
    }

    /**
     * The grid's columns of one batch at the final resolution {@code r}, each [B·C·r·r]: every stage's output nearest-upsampled
     * (CDM), except that a stage a relay stage continues is shown at its own size, centred on white, and followed by the relay's
     * input, that sample nearest-upsampled (Relay Diffusion, Teng et al. 2024, Fig. 1: sample, upsampling, relay result).
     */
    static List<double[]> gridCells(Cascade cascade, List<Cascade.StageOutput> outs, int r) {
        int n = outs.size();
        List<double[]> columns = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            Tensor img = outs.get(k).samples().images();
            boolean relayNext = k + 1 < n && cascade.stages().get(k + 1).relay();
            if (relayNext) {
                columns.add(centred(Tensors.toDoubles(img), (int) img.size(0), (int) img.size(1), (int) img.size(2), r));
                columns.add(atSize(outs.get(k + 1).input(), r));
            } else {
                columns.add(atSize(img, r));
            }
        }
        return columns;
    }

    private static double[] atSize(Tensor img, int r) {
        int f = (int) (r / img.size(2));
        return Tensors.toDoubles(f == 1 ? img : Resample.nearestUp(f).forward(img));
    }

    /** Images [b, c, s, s] (C order) each placed at the centre of an r×r white cell. */
    static double[] centred(double[] v, int b, int c, int s, int r) {
        double[] out = new double[b * c * r * r];
        Arrays.fill(out, 1.0);
        int o = (r - s) / 2;
        for (int i = 0; i < b * c; i++) {
            for (int y = 0; y < s; y++) {
                System.arraycopy(v, (i * s + y) * s, out, (i * r + o + y) * r + o, s);
            }
        }
        return out;
    }

    /**
     * A cascade: the final image of every seed as seed-NNNNNN.png, and with {@code --grid} one row per
     * seed and one column per stage, stage 0 first ({@link #gridCells}).
     */
    private int cascade(long[] seedList) throws Exception {
        if (mixMap != null) {
            throw new UserException("--mix-map is for one dual-output checkpoint, not a cascade");
        }
        CascadeSource.Loaded loaded = CascadeSource.load(checkpoints, precision, sampler, steps, guidance, classLabel, augLevel, truncated);
        System.err.println(loaded.checkpoints().get(0).precision().reason());
        Cascade cascade = loaded.cascade();
        int n = cascade.stages().size();
        long[] shape = cascade.sampleShape();
        int c = (int) shape[0];
        int r = (int) shape[1];
        int per = c * r * r;
        Map<Long, double[][]> rows = new TreeMap<>();
        List<String> files = new ArrayList<>();
        long t0 = System.nanoTime();
        try (NoGradGuard guard = new NoGradGuard();
                Work work = Work.start("sampling " + seedList.length + " images through " + n + " stages", seedList.length, "steps")) {
            StepListener progress = work.samplerSteps(Work.batches(seedList.length, batch) * n);
            for (int from = 0; from < seedList.length; from += batch) {
                long[] chunk = Arrays.copyOfRange(seedList, from, Math.min(seedList.length, from + batch));
                io.github.diffusion4j.engine.ShutdownGuard.run(() -> {
                    try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
                        var outs = cascade.sampleStages(chunk, progress);
                        List<double[]> columns = gridCells(cascade, outs, r);
                        double[] last = columns.get(columns.size() - 1); // the final stage, already at r
                        for (int i = 0; i < chunk.length; i++) {
                            double[][] row = new double[columns.size()][];
                            for (int k = 0; k < row.length; k++) {
                                row[k] = Arrays.copyOfRange(columns.get(k), i * per, (i + 1) * per);
                            }
                            Path file = outDir.resolve(String.format("seed-%06d.png", chunk[i]));
                            ImageGrid.writePng(ImageGrid.image(Arrays.copyOfRange(last, i * per, (i + 1) * per), c, r, r), file);
                            files.add(file.toString());
                            if (grid != null) {
                                rows.put(chunk[i], row);
                            }
                        }
                    }
                    return null;
                });
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (grid != null) {
            List<double[]> cells = new ArrayList<>();
            rows.values().forEach(row -> cells.addAll(Arrays.asList(row)));
            ImageGrid.writePng(ImageGrid.grid(cells.toArray(new double[0][]), c, r, r, rows.values().iterator().next().length), grid);
        }
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("cascade", loaded.checkpoints().stream().map(k -> k.file().toString()).toList());
            out.put("augLevels", Arrays.copyOfRange(loaded.levels(), 1, n));
            out.put("truncated", truncated);
            out.put("images", files);
            out.put("grid", grid == null ? null : grid.toString());
            out.put("gridColumns", grid == null ? null : "one per stage, stage 0 first; before a relay stage its input, the previous sample nearest-upsampled");
            out.put("seconds", seconds);
            Json.print(out);
        } else {
            System.err.printf("wrote %d images (%d stages, augmentation levels %s%s) to %s in %.1f s%s%n", files.size(), n,
                    Arrays.toString(Arrays.copyOfRange(loaded.levels(), 1, n)), truncated ? ", truncated" : "", outDir, seconds,
                    grid == null ? "" : " and the grid " + grid + " (one column per stage, and a relay stage's input before it)");
        }
        return 0;
    }

    /**
     * The steps a --mix-map shows: {@code text} (comma-separated, 0-based, each below {@code steps}),
     * or by default 4 evenly spaced steps round(k(N−1)/3), k = 0..3, first and last included.
     */
    static int[] mixSteps(String text, int steps) {
        if (text == null) {
            return java.util.stream.IntStream.rangeClosed(0, 3).map(k -> (int) Math.round(k * (steps - 1) / 3.0)).distinct().toArray();
        }
        String[] parts = text.split(",", -1);
        int[] out = new int[parts.length];
        for (int k = 0; k < parts.length; k++) {
            String p = parts[k].trim();
            try {
                out[k] = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new UserException("--mix-steps: '" + Text.escape(p) + "' is not a step number (expected e.g. 0,5,17)");
            }
            if (out[k] < 0 || out[k] >= steps) {
                throw new UserException("--mix-steps: step " + out[k] + " is outside 0.." + (steps - 1) + " (the sampler takes " + steps + " steps)");
            }
        }
        return out;
    }

    /** {@code HxW} (or a single size N for N×N) as {height, width}; anything else is a user error. */
    static int[] canvas(String spec) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,5})(?:x(\\d{1,5}))?").matcher(spec.strip());
        if (!m.matches()) {
            throw new UserException("--resolution: expected HxW such as 64x128, got '" + spec + "'");
        }
        int h = Integer.parseInt(m.group(1));
        int w = m.group(2) == null ? h : Integer.parseInt(m.group(2));
        if (h < 1 || w < 1 || h > 4096 || w > 4096) {
            throw new UserException("--resolution: sides must be in 1..4096, got " + spec);
        }
        return new int[] {h, w};
    }

    /**
     * The network's GFLOP per image of one evaluation at each step's σ_i (i = 0 … N−1) on an h × w canvas: a LEGO stack
     * under {@code sampling.skip} evaluates only the bricks of that step's exit (a Heun step evaluates twice).
     */
    static List<Double> stepGflops(Checkpoint ck, SamplingConfig sampling, int h, int w) {
        double[] sigmas = SamplerAssembly.discretization(sampling).sigmas(sampling.steps());
        var d = SamplerAssembly.skipping(ck.denoiser(), sampling, sigmas);
        List<Double> out = new ArrayList<>();
        for (int i = 0; i + 1 < sigmas.length; i++) {
            Exit exit = d instanceof BrickSkipping b ? b.exitAt(sigmas[i]) : Exit.ALL;
            out.add(ck.network().flopsPerSample(h, w, exit) / 1e9);
        }
        return out;
    }

    /** The --mix-map entry of the JSON output: the file, its rows' seeds, its columns' steps and σ, and the grey mapping. */
    private static Map<String, Object> mixMapJson(Path file, long[] seedList, int rows, int[] mapSteps, MixingWeightRecorder mixing) {
        Map<Integer, Double> sigmaOf = new TreeMap<>();
        for (MixingWeightRecorder.StepMean m : mixing.means()) {
            sigmaOf.put(m.step(), m.sigma());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("file", file.toString());
        out.put("seeds", Arrays.copyOf(seedList, rows));
        out.put("steps", mapSteps);
        out.put("sigmas", Arrays.stream(mapSteps).mapToObj(sigmaOf::get).toList());
        out.put("lastColumn", "sample");
        out.put("mapping", MixMap.MAPPING);
        return out;
    }

    /** Refuses a {@code --precision} other than auto, fp32 or bf16 (null: not given). */
    static void checkPrecision(String precision) {
        if (precision != null && !io.github.diffusion4j.engine.Precision.SETTINGS.contains(precision)) {
            throw new UserException("--precision: unknown '" + precision + "' (expected auto, fp32 or bf16)");
        }
    }
}
