package io.github.diffusion4j.cli;

import io.github.diffusion4j.assemble.DiffusionAssembly;
import io.github.diffusion4j.assemble.SamplerAssembly;
import io.github.diffusion4j.cascade.Cascade;
import io.github.diffusion4j.cascade.RelayCoupling;
import io.github.diffusion4j.cascade.StageCoupling;
import io.github.diffusion4j.cascade.SuperResolutionCoupling;
import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.config.CouplingConfig;
import io.github.diffusion4j.config.ExperimentConfig.SamplingConfig;
import io.github.diffusion4j.sample.Generator;
import io.github.diffusion4j.train.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A cascade on the command line (Ho et al. 2021): {@code --checkpoint} given several times (stage 0
 * first), or once with a <b>cascade directory</b>, a folder holding {@code cascade.yaml} whose
 * {@code stages:} lists the stages' run directories or checkpoint files, relative to the folder.
 */
final class CascadeSource {
    /** The file that makes a folder a cascade directory. */
    static final String FILE = "cascade.yaml";

    private CascadeSource() {}

    /** The contents of a {@code cascade.yaml}. */
    record CascadeFile(List<String> stages) {}

    /** A loaded cascade: its stages' checkpoints and the chain. */
    record Loaded(List<Checkpoint> checkpoints, Cascade cascade, double[] levels) {}

    /** Whether {@code paths} name a cascade (several checkpoints, or a cascade directory). */
    static boolean isCascade(List<Path> paths) {
        return paths.size() > 1 || paths.size() == 1 && Files.isRegularFile(paths.get(0).resolve(FILE));
    }

    /** The stage checkpoints {@code paths} name, stage 0 first. */
    static List<Path> stagePaths(List<Path> paths) throws IOException {
        if (paths.size() > 1) {
            return paths;
        }
        Path dir = paths.get(0);
        Path file = dir.resolve(FILE);
        CascadeFile c = ConfigLoader.bindFile(file, CascadeFile.class, "cascade");
        if (c.stages() == null || c.stages().size() < 2 || c.stages().contains(null)) {
            throw new UserException(file + ": key 'stages' must list at least two stage run directories (stage 0 first)");
        }
        List<Path> out = new ArrayList<>();
        for (String s : c.stages()) {
            out.add(dir.resolve(s).normalize());
        }
        return out;
    }

    /**
     * Loads the cascade {@code paths} name, each stage sampling with its own config's sampler and
     * grid unless {@code sampler}/{@code steps} override them, at guidance {@code guidance} (null:
     * each stage's own) and with labels {@code classLabel} (null: seed mod classes), at augmentation
     * levels {@code levelText} (see {@link #levels}).
     */
    static Loaded load(List<Path> paths, String precision, String sampler, Integer steps, Double guidance, Integer classLabel,
            String levelText, boolean truncated) throws IOException {
        return load(paths, precision, sampler, steps, guidance, classLabel, levelText, truncated, false);
    }

    /** {@link #load}, with the {@code sampler}/{@code steps} overrides on the last stage only when {@code lastStageOnly} (an experiment's protocol point). */
    static Loaded load(List<Path> paths, String precision, String sampler, Integer steps, Double guidance, Integer classLabel,
            String levelText, boolean truncated, boolean lastStageOnly) throws IOException {
        List<Checkpoint> cks = new ArrayList<>();
        for (Path p : stagePaths(paths)) {
            cks.add(Checkpoint.load(p, precision));
        }
        List<Cascade.Stage> stages = new ArrayList<>();
        int classes = cks.get(0).config().model().classes();
        if (classLabel != null && (classLabel < 0 || classLabel >= classes)) {
            throw new UserException("--class " + classLabel + ": the cascade has " + (classes == 0 ? "no classes" : "classes 0.." + (classes - 1)));
        }
        for (int k = 0; k < cks.size(); k++) {
            var cfg = cks.get(k).config();
            if (cfg.model().classes() != classes) {
                throw new UserException("stage " + k + " (" + cks.get(k).file() + ") has " + cfg.model().classes()
                        + " classes but stage 0 has " + classes + "; every stage gets the same class label");
            }
            double w = guidance != null ? guidance : cfg.sampling().guidance();
            if (w != 1.0 && classes == 0) {
                throw new UserException("--guidance needs class-conditional stages");
            }
            boolean relay = cfg.onlyStage().coupling() instanceof CouplingConfig.Relay;
            boolean overridden = !lastStageOnly || k == cks.size() - 1;
            SamplingConfig sampling = SamplerAssembly.overridden(cfg.sampling(), relay || !overridden ? null : sampler, overridden ? steps : null,
                    w); // a relay stage keeps its relay sampler
            Generator g = SamplerAssembly.generator(cks.get(k).denoiser(), sampling, SamplerAssembly.sampleShape(cfg.data()), classes);
            if (classLabel != null) {
                g = g.withLabels(seed -> classLabel);
            }
            StageCoupling coupling = null;
            if (!(cfg.onlyStage().coupling() instanceof CouplingConfig.None)) {
                coupling = DiffusionAssembly.of(cfg.onlyStage()).coupling();
            } else if (k > 0) {
                throw new UserException("stage " + k + " (" + cks.get(k).file() + ") is not a super-resolution or relay stage (coupling none)");
            }
            if (k == 0 && coupling != null) {
                throw new UserException("stage 0 (" + cks.get(0).file() + ") is a " + cfg.onlyStage().coupling().type()
                        + " stage; a cascade starts with a base stage");
            }
            stages.add(new Cascade.Stage(g, coupling));
        }
        double[] levels = levels(levelText, stages);
        return new Loaded(cks, new Cascade(stages, levels, truncated), levels);
    }

    /**
     * The per-stage levels {@code text} gives: an SR stage's augmentation level (default 0), a relay
     * stage's truncation σ (default its config's). None → the defaults; one value per stage after the
     * base, stage 1 first; or, for three or more stages, one value → every stage with Gaussian
     * augmentation (the others their defaults).
     */
    static double[] levels(String text, List<Cascade.Stage> stages) {
        double[] out = new double[stages.size()];
        for (int k = 1; k < out.length; k++) {
            out[k] = stages.get(k).coupling() instanceof RelayCoupling r ? r.truncationSigma() : 0;
        }
        if (text == null) {
            return out;
        }
        double[] given = numbers("--aug-level", text);
        if (given.length == 1 && out.length > 2) {
            for (int k = 1; k < out.length; k++) {
                if (stages.get(k).coupling() instanceof SuperResolutionCoupling sr && sr.embedsLevel()) {
                    out[k] = given[0];
                }
            }
            if (stages.stream().noneMatch(s -> s.coupling() instanceof SuperResolutionCoupling sr && sr.embedsLevel()) && given[0] != 0) {
                throw new UserException("--aug-level " + given[0] + ": no stage of this cascade was trained with Gaussian augmentation"
                        + " (trained range [0, 0]); use 0");
            }
            return out;
        }
        if (given.length != out.length - 1) {
            throw new UserException("--aug-level: give one level, or one per stage after the base (" + (out.length - 1)
                    + ": augmentation level for SR, truncation σ for relay), got " + given.length);
        }
        System.arraycopy(given, 0, out, 1, given.length);
        return out;
    }

    /** Comma-separated finite numbers. */
    static double[] numbers(String option, String text) {
        String[] parts = text.split(",", -1);
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new UserException(option + ": '" + Text.escape(parts[i].trim()) + "' is not a number");
            }
            if (!Double.isFinite(out[i])) {
                throw new UserException(option + ": levels must be finite, got " + parts[i].trim());
            }
        }
        return out;
    }

    /** Refuses to sample a super-resolution or relay stage on its own (it needs a previous stage's output). */
    static void refuseLoneStage(Checkpoint ck) {
        CouplingConfig c = ck.config().onlyStage().coupling();
        if (!(c instanceof CouplingConfig.None)) {
            String what = c instanceof CouplingConfig.Relay ? "relay" : "super-resolution";
            throw new UserException(ck.file() + " is a " + what + " stage; sample it in its cascade (--checkpoint BASE"
                    + " --checkpoint STAGE, or a folder with " + FILE + ")");
        }
    }
}
